/**
 * CRM contact import (`crm import`): a CSV export of a CRM's contacts → validated rows. Pure: the same
 * csv-parse the offline-touch import uses (channels/domain/offline.ts), no I/O; the importer does the writes.
 *
 * - Columns (header names case-insensitive, English or Japanese): email (required), crm_id, first_name,
 *   last_name, company, phone, stage, owner. Other columns are ignored.
 * - Every row is checked before anything is imported; each bad row is reported with its line and field,
 *   and a second row with the same email is reported as a duplicate (which one is right is not guessed).
 * - Importing the same file twice changes nothing: a row's identity is its normalized email.
 */
import { normalizeEmail } from '../../identity/domain/keys.js';
import { readCsvRecords } from '../../shared/csv-records.js';
import { type Stage, stages } from '../../profiles/domain/profile.js';
import { inboundLimits } from './inbound.js';

/** Bounds of one import file (named in the README's CRM section). */
export const contactImportLimits = {
  /** Rows one file may carry. */
  maxRows: 50_000,
  /** Largest file read (bytes): 50,000 rows of CRM contacts fit with room to spare. */
  maxFileBytes: 20 * 1024 * 1024,
  /** Longest name, company, owner or phone kept (characters). */
  maxTextChars: 200,
  /** Bad rows an answer lists (the caller cuts the list there and says how many there are in all). */
  maxErrorsReported: 500,
} as const;

type Column = 'email' | 'crmId' | 'firstName' | 'lastName' | 'company' | 'phone' | 'stage' | 'owner';

/** Header names by column, lower-cased (matched case-insensitively, trimmed). */
const headerAliases: Record<Column, readonly string[]> = {
  email: ['email', 'e-mail', 'email address', 'メール', 'メールアドレス'],
  crmId: ['crm_id', 'crm id', 'crmid', 'id', 'レコードid', '顧客id'],
  firstName: ['first_name', 'first name', 'firstname', '名'],
  lastName: ['last_name', 'last name', 'lastname', '姓'],
  company: ['company', 'company name', '会社名', '会社', '企業名'],
  phone: ['phone', 'phone number', '電話番号', '電話'],
  stage: ['stage', 'lifecycle stage', 'ステージ'],
  owner: ['owner', 'contact owner', '担当者', '担当'],
};

/** Stage spellings a CRM export may use, by Nurture stage (lower-cased). Only stages a CRM can set. */
const stageAliases: Partial<Record<Stage, readonly string[]>> = {
  known: ['known', 'lead', 'subscriber', 'リード'],
  mql: ['mql', 'marketingqualifiedlead', 'marketing qualified lead'],
  sql: ['sql', 'salesqualifiedlead', 'sales qualified lead', 'opportunity', '商談'],
  customer: ['customer', '顧客', '既存顧客', 'won', 'closed won', 'closedwon'],
};
const stageBySpelling = new Map(Object.entries(stageAliases).flatMap(([s, names]) => names.map((n) => [n, s as Stage])));

/** One validated contact. */
export interface ContactRow {
  /** Line of the file the row ends on (the header is line 1). */
  line: number;
  /** Normalized email. */
  email: string;
  crmId?: string;
  firstName?: string;
  lastName?: string;
  company?: string;
  phone?: string;
  stage?: Stage;
  owner?: string;
}

/** A bad row (or file), with its line and the column at fault. */
export interface ContactRowError {
  line: number;
  field: string;
  message: string;
}

/** The stage a CRM spelling names (`SQL`, `salesqualifiedlead`, `顧客`), or undefined. */
export function contactStageOf(raw: string): Stage | undefined {
  return stageBySpelling.get(raw.trim().toLowerCase());
}

function headerIndex(header: string[]): { index: Partial<Record<Column, number>>; errors: ContactRowError[] } {
  const index: Partial<Record<Column, number>> = {};
  const errors: ContactRowError[] = [];
  header.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    const column = (Object.keys(headerAliases) as Column[]).find((c) => headerAliases[c].includes(name));
    if (!column) return;
    if (index[column] !== undefined) errors.push({ line: 1, field: column, message: `two columns name ${column} ("${header[index[column]]}" and "${raw}")` });
    else index[column] = i;
  });
  if (index.email === undefined) errors.push({ line: 1, field: 'email', message: `no email column (accepted names: ${headerAliases.email.join(', ')})` });
  return { index, errors };
}

/** Parses and validates a whole file: every row, or every bad row (nothing is imported when one is bad). */
export function parseContactsCsv(text: string, maxRows: number = contactImportLimits.maxRows): { rows: ContactRow[]; errors: ContactRowError[] } {
  const read = readCsvRecords(text, maxRows, headerIndex);
  if ('errors' in read) return { rows: [], errors: read.errors };
  const { records, index } = read;
  const errors: ContactRowError[] = [];
  const rows: ContactRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const cell = (c: Column) => (index[c] === undefined ? '' : (record[index[c]] ?? ''));
    const bad = (field: string, message: string) => errors.push({ line, field, message });
    const before = errors.length;

    const email = normalizeEmail(cell('email'));
    if (!cell('email')) bad('email', 'missing');
    else if (!email) bad('email', `not a valid email address: "${cell('email').slice(0, 100)}"`);
    else if (firstLineOf.has(email)) bad('email', `duplicate of line ${firstLineOf.get(email)}: ${email}`);
    else firstLineOf.set(email, line);
    if (cell('crmId').length > inboundLimits.crmIdChars) bad('crmId', `longer than ${inboundLimits.crmIdChars} characters`);
    for (const c of ['firstName', 'lastName', 'company', 'phone', 'owner'] as const) {
      if (cell(c).length > contactImportLimits.maxTextChars) bad(c, `longer than ${contactImportLimits.maxTextChars} characters`);
    }
    const stage = cell('stage') ? contactStageOf(cell('stage')) : undefined;
    if (cell('stage') && !stage) bad('stage', `"${cell('stage').slice(0, 50)}" is not one of ${Object.keys(stageAliases).join(', ')} (or a CRM spelling of them)`);
    if (errors.length > before) continue;

    const optional = (c: Exclude<Column, 'email' | 'stage'>) => (cell(c) ? { [c]: cell(c) } : {});
    rows.push({
      line,
      email: email!,
      ...optional('crmId'),
      ...optional('firstName'),
      ...optional('lastName'),
      ...optional('company'),
      ...optional('phone'),
      ...(stage ? { stage } : {}),
      ...optional('owner'),
    });
  }
  return errors.length > 0 ? { rows: [], errors } : { rows, errors };
}

/** Stages a CRM import may set, as a check that the alias table names only real stages. */
export const importableStages: readonly Stage[] = stages.filter((s) => stageAliases[s] !== undefined);
