/**
 * What the members list, the preview sample and the CSV export show of a person, read from the profile
 * item with a projection (never the whole item: a profile may hold up to 192 KB). Pure.
 */
import { csvLine } from './audience.js';
import type { AudienceProfile } from './audience.js';

/** One member as the admin API and the CSV export show it. */
export interface MemberSummary {
  profileId: string;
  email?: string;
  name?: string;
  company?: string;
  /** Behaviour plus fit points as of the person's last update (`scoreAsOf`): the stored score, not decayed to now. */
  score?: number;
  scoreAsOf?: string;
  stage?: string;
  /** Customer lifecycle state (`prospect` until the first purchase). */
  lifecycle?: string;
  enteredAt?: string;
}

/** Profile attributes a summary reads (top-level copies `leadName` and `company` are kept for the ranking index). */
export const summaryAttributes = ['profileId', 'email', 'leadName', 'company', 'score.value', 'score.fit', 'score.asOf', 'stage', 'lifecycle', 'mergedInto'] as const;
/** Profile attributes a retargeting export reads besides the summary's. */
export const audienceAttributes = ['traits', 'adConsent'] as const;

const round = (n: number) => Math.round(n * 100) / 100;

/** The summary of a profile item as read with summaryAttributes (absent: only the id is known). */
export function summaryOf(profileId: string, item: Record<string, unknown> | undefined, enteredAt?: string): MemberSummary {
  const score = (item?.score ?? {}) as { value?: unknown; fit?: unknown; asOf?: unknown };
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const value = typeof score.value === 'number' ? score.value + (typeof score.fit === 'number' ? score.fit : 0) : undefined;
  const out: MemberSummary = { profileId };
  const email = str(item?.email);
  const name = str(item?.leadName);
  const company = str(item?.company);
  if (email) out.email = email;
  if (name) out.name = name;
  if (company) out.company = company;
  if (value !== undefined) out.score = round(value);
  if (str(score.asOf)) out.scoreAsOf = str(score.asOf)!;
  if (str(item?.stage)) out.stage = str(item?.stage)!;
  if (item) out.lifecycle = str(item.lifecycle) ?? 'prospect';
  if (enteredAt) out.enteredAt = enteredAt;
  return out;
}

/** What a retargeting export reads of a profile item read with summaryAttributes and audienceAttributes. */
export function audienceProfileOf(profileId: string, item: Record<string, unknown> | undefined): AudienceProfile {
  const traits = item?.traits && typeof item.traits === 'object' ? (item.traits as Record<string, unknown>) : {};
  const consent = item?.adConsent as AudienceProfile['adConsent'] | undefined;
  return { profileId, traits, ...(typeof item?.email === 'string' ? { email: item.email } : {}), ...(consent ? { adConsent: consent } : {}) };
}

/** Columns of `segments export --format csv`. */
export const summaryColumns = ['profileId', 'email', 'name', 'company', 'score', 'stage', 'lifecycle', 'enteredAt'] as const satisfies readonly (keyof MemberSummary)[];

/** UTF-8 byte order mark: Excel opens a CSV as UTF-8 (names in Japanese) only when the file starts with it. */
export const utf8Bom = '\ufeff';

/**
 * One CSV line of a summary (RFC 4180: a cell with a comma, quote or line break is quoted, quotes
 * doubled; lines end with CRLF). A cell starting with = + - @ is prefixed with ' so a spreadsheet does
 * not run it as a formula (a name is whatever a visitor typed).
 */
export function summaryLine(s: MemberSummary): string {
  return csvLine(
    summaryColumns.map((c) => {
      const v = s[c];
      const text = v === undefined ? '' : String(v);
      return typeof v === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    }),
  );
}

/** The header line of the summary CSV, with the byte order mark. */
export const summaryHeader = (): string => `${utf8Bom}${csvLine([...summaryColumns])}`;
