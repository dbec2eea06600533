import { describe, expect, it } from 'vitest';
import { inboundEffects, inboundLimits, parseInboundEvent } from '../../../functions/crm/domain/inbound.js';
import { contactImportLimits, parseContactsCsv } from '../../../functions/crm/domain/contacts-csv.js';

const base = { id: 'evt_1', occurredAt: '2026-12-01T09:00:00Z', contact: { email: ' Ken@Example.co.jp ' } };
const parse = (value: unknown) => parseInboundEvent(JSON.stringify(value));
const fields = (value: unknown) => parse(value).problems.map((p) => p.field);

describe('inbound CRM event', () => {
  it('parses each type', () => {
    expect(parse({ ...base, type: 'opportunity_created', opportunityId: '006x', stage: 'Qualification' }).data?.type).toBe('opportunity_created');
    expect(parse({ ...base, type: 'deal_won', amount: 1_200_000, currency: 'JPY' }).data).toMatchObject({ amount: 1_200_000, currency: 'JPY' });
    expect(parse({ ...base, type: 'deal_lost', reason: '予算不足' }).data).toMatchObject({ reason: '予算不足' });
    expect(parse({ ...base, type: 'contact_updated', traits: { title: 'CTO', employees: 120, vip: true, fax: null } }).data).toMatchObject({ traits: { vip: true } });
    expect(parse({ id: 'e', type: 'deal_lost', occurredAt: '2026-12-01T09:00:00+09:00', contact: { crmId: '003x' } }).problems).toEqual([]);
  });

  it('names the field of every problem', () => {
    expect(fields({ ...base, type: 'deal_won', amount: -1, currency: 'yen' })).toEqual(expect.arrayContaining(['amount', 'currency']));
    expect(fields({ ...base, type: 'deal_won', contact: {} })).toEqual(['contact']);
    expect(fields({ ...base, type: 'deal_won', contact: { email: 'not-an-email' } })).toEqual(['contact.email']);
    expect(fields({ ...base, type: 'deal_lost', reason: 'x'.repeat(inboundLimits.reasonChars + 1) })).toEqual(['reason']);
    expect(fields({ ...base, type: 'deal_lost', amount: 5 })).toEqual(['amount']); // amount belongs to deal_won only
    expect(fields({ ...base, id: '', type: 'deal_lost', occurredAt: 'yesterday' })).toEqual(expect.arrayContaining(['id', 'occurredAt']));
    expect(fields({ ...base, id: 'x'.repeat(inboundLimits.idChars + 1), type: 'deal_lost' })).toEqual(['id']);
    expect(fields({ ...base, type: 'contact_updated', traits: { 'bad key': 1 } })).toEqual(['traits.bad key']);
    expect(fields({ ...base, type: 'contact_updated', traits: { nested: { a: 1 } } })).toEqual(['traits.nested']);
    const many = Object.fromEntries(Array.from({ length: inboundLimits.traits + 1 }, (_, i) => [`t${i}`, i]));
    expect(fields({ ...base, type: 'contact_updated', traits: many })).toEqual(['traits']);
    expect(parse({ ...base, type: 'deal_closed' }).problems[0]).toMatchObject({ field: 'type' });
  });

  it('refuses a body that is not JSON or too large', () => {
    expect(parseInboundEvent('{').problems).toEqual([{ field: '(body)', message: 'not valid JSON' }]);
    const big = JSON.stringify({ ...base, type: 'deal_lost', stage: 'x'.repeat(inboundLimits.bodyBytes) });
    expect(parseInboundEvent(big).problems[0]).toMatchObject({ field: '(body)' });
  });
});

describe('inbound effects', () => {
  const effects = (value: unknown) => inboundEffects(parse(value).data!);

  it('opportunity_created tracks CRM Opportunity Created and lifts the lead to at least sql', () => {
    expect(effects({ ...base, type: 'opportunity_created', opportunityId: '006x' })).toEqual({
      messageId: 'crm-evt_1',
      contact: { email: 'ken@example.co.jp' },
      timestamp: '2026-12-01T09:00:00Z',
      track: { event: 'CRM Opportunity Created', properties: { crmEventId: 'evt_1', opportunityId: '006x' } },
      minStage: 'sql',
    });
  });

  it('deal_won tracks CRM Deal Won with the amount and makes the lead a customer', () => {
    const e = effects({ ...base, type: 'deal_won', amount: 5000, currency: 'USD', opportunityId: '006x', contact: { crmId: '003y' } });
    expect(e.track).toEqual({ event: 'CRM Deal Won', properties: { crmEventId: 'evt_1', opportunityId: '006x', amount: 5000, currency: 'USD' } });
    expect(e.minStage).toBe('customer');
    expect(e.contact).toEqual({ crmId: '003y' });
  });

  it('deal_lost tracks CRM Deal Lost with the reason and sets no stage', () => {
    const e = effects({ ...base, type: 'deal_lost', reason: 'budget' });
    expect(e.track).toEqual({ event: 'CRM Deal Lost', properties: { crmEventId: 'evt_1', reason: 'budget' } });
    expect(e.minStage).toBeUndefined();
  });

  it('contact_updated identifies with its traits and tracks nothing', () => {
    const e = effects({ ...base, type: 'contact_updated', traits: { title: 'CTO', fax: null } });
    expect(e).toMatchObject({ messageId: 'crm-evt_1', identify: { traits: { title: 'CTO', fax: null } } });
    expect(e.track).toBeUndefined();
    expect(e.minStage).toBeUndefined();
  });

  it('is deterministic: the same event gives the same effects', () => {
    const event = { ...base, type: 'deal_won', amount: 1 };
    expect(JSON.stringify(effects(event))).toBe(JSON.stringify(effects(event)));
  });
});

describe('CRM contacts CSV', () => {
  it('reads Japanese headers', () => {
    const csv = 'メールアドレス,CRM ID,姓,名,会社名,電話番号,ステージ,担当者\nKen@Example.co.jp,003x,山田,健,例株式会社,03-0000-0000,商談,佐藤\n';
    expect(parseContactsCsv(csv)).toEqual({
      rows: [{ line: 2, email: 'ken@example.co.jp', crmId: '003x', lastName: '山田', firstName: '健', company: '例株式会社', phone: '03-0000-0000', stage: 'sql', owner: '佐藤' }],
      errors: [],
    });
  });

  it('reads English headers in any case and ignores unknown columns', () => {
    const { rows } = parseContactsCsv('Email,First_Name,Notes,Stage\na@example.com,Ann,hello,Customer\n');
    expect(rows).toEqual([{ line: 2, email: 'a@example.com', firstName: 'Ann', stage: 'customer' }]);
  });

  it('reports every bad row with its line and field, and imports none', () => {
    const csv = ['email,stage,company', 'ok@example.com,mql,', 'broken,mql,', ',sql,', `c@example.com,winner,${'x'.repeat(contactImportLimits.maxTextChars + 1)}`].join('\n');
    const { rows, errors } = parseContactsCsv(csv);
    expect(rows).toEqual([]);
    expect(errors.map((e) => [e.line, e.field])).toEqual([[3, 'email'], [4, 'email'], [5, 'company'], [5, 'stage']]);
  });

  it('reports a duplicate email with the line of the first', () => {
    const { errors } = parseContactsCsv('email\na@example.com\nb@example.com\nA@example.com\n');
    expect(errors).toEqual([{ line: 4, field: 'email', message: 'duplicate of line 2: a@example.com' }]);
  });

  it('needs an email column', () => {
    expect(parseContactsCsv('name,company\nA,B\n').errors[0]).toMatchObject({ line: 1, field: 'email' });
  });

  it('refuses a file over the row limit', () => {
    const csv = ['email', ...Array.from({ length: 4 }, (_, i) => `p${i}@example.com`)].join('\n');
    expect(parseContactsCsv(csv, 4).errors).toEqual([]);
    expect(parseContactsCsv(csv, 3).errors).toEqual([{ line: 5, field: 'file', message: 'more than 3 rows: split the file' }]);
    expect(contactImportLimits.maxRows).toBe(50_000);
  });
});
