/**
 * Submissions as CSV (`nurture forms submissions <id> --format csv`): RFC 4180 (CRLF, quoted when needed,
 * quotes doubled), UTF-8 with a byte order mark so Excel in Japan reads it as UTF-8 rather than Shift_JIS,
 * and cells a spreadsheet would run as a formula neutralized. Pure.
 */
import type { Submission } from './model.js';
import { utmInputs } from './public-form.js';

/** What the CSV needs of a definition: its field names in order. */
export interface FieldNames {
  fields: readonly { name: string }[];
}

/** The byte order mark written first. */
export const csvBom = '\uFEFF';
/** RFC 4180 line break. */
const crlf = '\r\n';
/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection": =, +, -, @, and tab
 * and carriage return): such a cell gets a leading `'`, which spreadsheets show as text.
 */
const formulaStart = /^[=+\-@\t\r]/;

/** One cell: formula guard, then quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string | undefined): string {
  let v = value ?? '';
  if (formulaStart.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export const csvLine = (cells: readonly (string | undefined)[]) => `${cells.map(csvCell).join(',')}${crlf}`;

/** Columns after the form's own fields. */
const fixedColumns = ['submittedAt', 'submissionId', 'profileId', 'email', 'consents', 'page', ...utmInputs] as const;

type FixedColumn = (typeof fixedColumns)[number];
/** The submission's own columns a field of the same name does not take (an `email` field holds the same address). */
const fixedOf = (form: FieldNames): FixedColumn[] => fixedColumns.filter((c) => !form.fields.some((f) => f.name === c));

/** The header: every field of the definition in its order, then the submission's own columns. */
export function submissionColumns(form: FieldNames): string[] {
  return [...form.fields.map((f) => f.name), ...fixedOf(form)];
}

/** One submission's cells in `submissionColumns` order; consents as `id:version` joined by spaces. */
export function submissionCells(form: FieldNames, s: Submission): string[] {
  const fixed: Record<FixedColumn, string | undefined> = {
    submittedAt: s.submittedAt,
    submissionId: s.submissionId,
    profileId: s.profileId,
    email: s.email,
    consents: s.consents.map((c) => `${c.consentId}:${c.textVersion}`).join(' '),
    page: s.page,
    // UTM parameters under their input names (utm_source) or bare (source).
    ...Object.fromEntries(utmInputs.map((k) => [k, s.utm?.[k] ?? s.utm?.[k.slice(4)]])),
  } as Record<FixedColumn, string | undefined>;
  return [...form.fields.map((f) => s.values[f.name] ?? ''), ...fixedOf(form).map((c) => fixed[c] ?? '')];
}

/** The whole file's start: BOM and header line. */
export const csvHeader = (form: FieldNames) => `${csvBom}${csvLine(submissionColumns(form))}`;

/** Lines of a page of submissions. */
export const csvRows = (form: FieldNames, page: readonly Submission[]) => page.map((s) => csvLine(submissionCells(form, s))).join('');
