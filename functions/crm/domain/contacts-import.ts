/**
 * What importing one CRM contact row does (`nurture crm import`), as data: its traits, the stage floor its
 * CRM stage grants, and a deterministic messageId and ledger key, so importing the same file again writes
 * nothing new. Pure: the importer (crm/adapters/contacts-importer.ts) does the writes.
 */
import { createHash } from 'node:crypto';
import type { Stage } from '../../profiles/domain/profile.js';
import type { ContactRow } from './contacts-csv.js';
import type { InboundEffects } from './inbound.js';

/** Characters of the row's sha256 kept in its messageId and ledger key (64 bits: no collision in practice). */
const hashChars = 16;

/**
 * The trusted stage floor a row's CRM stage grants: customer → customer, sql (opportunity, 商談) → sql.
 * known and mql grant nothing: those stages are Nurture's own to decide by score, never raised by a CRM.
 */
export function importMinStage(stage: Stage | undefined): 'sql' | 'customer' | undefined {
  switch (stage) {
    case 'customer':
      return 'customer';
    case 'sql':
      return 'sql';
    default:
      return undefined;
  }
}

/** The row's content (everything but its line number) in a fixed order. */
function rowContent(row: ContactRow): string {
  const { email, crmId, firstName, lastName, company, phone, stage, owner } = row;
  return JSON.stringify([email, crmId ?? '', firstName ?? '', lastName ?? '', company ?? '', phone ?? '', stage ?? '', owner ?? '']);
}

/** First 16 hex of sha256(email + row content): the same row gives the same hash, whatever its line. */
export function contactRowHash(row: ContactRow): string {
  return createHash('sha256').update(row.email).update('\n').update(rowContent(row)).digest('hex').slice(0, hashChars);
}

/** The identify's messageId: a re-imported row is a duplicate the processor skips. */
export const contactImportMessageId = (row: ContactRow) => `crm-import-${contactRowHash(row)}`;

/** Traits a row sets (CRM id and owner under crm_ names, as they are not the lead's own). */
export function contactTraits(row: ContactRow): Record<string, string> {
  const pick = (name: string, value: string | undefined) => (value ? { [name]: value } : {});
  return {
    ...pick('firstName', row.firstName),
    ...pick('lastName', row.lastName),
    ...pick('company', row.company),
    ...pick('phone', row.phone),
    ...pick('crm_id', row.crmId),
    ...pick('crm_owner', row.owner),
  };
}

/** The effects of one row: an identify with its traits and the stage floor (same shape as an inbound event). */
export function contactImportEffects(row: ContactRow, at: Date): InboundEffects {
  const minStage = importMinStage(row.stage);
  return {
    messageId: contactImportMessageId(row),
    contact: { email: row.email, ...(row.crmId ? { crmId: row.crmId } : {}) },
    timestamp: at.toISOString(),
    identify: { traits: contactTraits(row) },
    ...(minStage ? { minStage } : {}),
  };
}
