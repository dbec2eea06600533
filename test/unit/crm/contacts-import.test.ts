import { describe, expect, it } from 'vitest';
import { type ContactRow, parseContactsCsv } from '../../../functions/crm/domain/contacts-csv.js';
import { contactImportEffects, contactImportMessageId, contactTraits, importMinStage } from '../../../functions/crm/domain/contacts-import.js';

const row = (over: Partial<ContactRow> = {}): ContactRow => ({ line: 2, email: 'ken@example.co.jp', crmId: '003A', lastName: '佐藤', stage: 'customer', owner: '田中', ...over });

describe('CRM contact import: stage mapping', () => {
  it('maps customer spellings (customer, 顧客, won) to a customer floor and opportunity spellings (sql, 商談, opportunity) to sql', () => {
    const { rows, errors } = parseContactsCsv(['email,stage', 'a@x.jp,customer', 'b@x.jp,顧客', 'c@x.jp,Won', 'd@x.jp,SQL', 'e@x.jp,商談', 'f@x.jp,opportunity', 'g@x.jp,lead', 'h@x.jp,mql', 'i@x.jp,'].join('\n'));
    expect(errors).toEqual([]);
    expect(rows.map((r) => importMinStage(r.stage))).toEqual(['customer', 'customer', 'customer', 'sql', 'sql', 'sql', undefined, undefined, undefined]);
  });

  it('gives no floor for known or mql: a CRM never raises those', () => {
    expect(contactImportEffects(row({ stage: 'mql' }), new Date()).minStage).toBeUndefined();
    expect(contactImportEffects(row({ stage: 'customer' }), new Date()).minStage).toBe('customer');
  });
});

describe('CRM contact import: messageIds', () => {
  it('gives the same row the same id wherever it stands in the file and whenever it is imported', () => {
    const id = contactImportMessageId(row());
    expect(id).toMatch(/^crm-import-[0-9a-f]{16}$/);
    expect(contactImportMessageId(row({ line: 900 }))).toBe(id);
    expect(contactImportEffects(row(), new Date('2026-01-01T00:00:00Z')).messageId).toBe(contactImportEffects(row(), new Date('2027-01-01T00:00:00Z')).messageId);
  });

  it('gives a new id when any field of the row changes', () => {
    const id = contactImportMessageId(row());
    for (const over of [{ email: 'ken2@example.co.jp' }, { crmId: '003B' }, { lastName: '鈴木' }, { stage: 'sql' as const }, { owner: undefined }, { company: 'ACME' }]) {
      expect(contactImportMessageId(row(over))).not.toBe(id);
    }
  });

  it('sets the CRM id and owner as crm_ traits', () => {
    expect(contactTraits(row({ firstName: '健', company: 'ACME', phone: '03-0000-0000' }))).toEqual({ firstName: '健', lastName: '佐藤', company: 'ACME', phone: '03-0000-0000', crm_id: '003A', crm_owner: '田中' });
  });
});
