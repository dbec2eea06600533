/**
 * Offline touches (オフライン接点): people met at an event, a seminar, through a catalogue request, in a store
 * or by the call centre, imported from a CSV file. Pure: CSV text → validated rows → the events and the
 * consent each row makes. The importer (adapters/offline-importer.ts) does the I/O.
 *
 * - Columns (header names case-insensitive, Japanese aliases accepted): email (required), name, company,
 *   channel (required), campaign, date (required), time (optional, HH:MM UTC), consent (required).
 * - Every row is checked before anything is imported; one bad row and nothing is (each bad row reported
 *   with its line and field). Emails are normalized as identity does; nothing is guessed.
 * - A row's key is (email, channel, campaign, date): its events' messageIds and its ledger item derive
 *   from it, so importing the same file twice changes nothing.
 */
import { createHash } from 'node:crypto';
import { normalizeEmail } from '../../identity/domain/keys.js';
import { readCsvRecords } from '../../shared/csv-records.js';
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import type { Consent } from '../../profiles/domain/profile.js';

/** The track event every imported row makes (scoring rules and scenario triggers match on it). */
export const offlineTouchEvent = 'Offline Touch';
/** The events' `source` (what a write key is for collected events). */
export const offlineSource = 'nurture-offline';
/** The medium of every offline touch (channels/domain/registry.ts matches the offline media on it). */
export const offlineMedium = 'offline';

export const offlineChannels = ['event', 'seminar', 'catalogue', 'store', 'call_centre'] as const;
export type OfflineChannel = (typeof offlineChannels)[number];

export const offlineLimits = {
  /**
   * Rows one request to the admin route may carry: the import must finish within API Gateway's 30 s
   * (measured locally, where the emulators are the slow part: 300 rows in 7 to 11 s).
   */
  maxRowsPerRequest: 500,
  /** Largest body of the admin route (bytes). */
  maxRequestBytes: 1024 * 1024,
  /** Rows one CLI import may carry (it has no gateway timeout, only patience). */
  maxRowsPerFile: 50_000,
  /** Largest file the CLI reads (bytes). */
  maxFileBytes: 20 * 1024 * 1024,
  /** Oldest touch date accepted (days before today): older than that is most likely a typo. */
  maxAgeDays: 3 * 365,
  /** Longest name or company kept (characters), as the profile's trait bounds would cut them anyway. */
  maxTextChars: 200,
  /** Longest campaign (characters): a touch field keeps at most this many (profiles/domain/touch.ts). */
  maxCampaignChars: 100,
  /** Bad rows listed in one answer (the count says how many there are in all). */
  maxErrorsReported: 500,
} as const;

type Field = 'email' | 'name' | 'company' | 'channel' | 'campaign' | 'date' | 'time' | 'consent';

/** Header names by field, lower-cased (the header row is matched case-insensitively, trimmed). */
const headerAliases: Record<Field, readonly string[]> = {
  email: ['email', 'e-mail', 'mail', 'email address', 'メール', 'メールアドレス', 'eメール'],
  name: ['name', 'full name', '氏名', '名前', 'お名前'],
  company: ['company', 'organization', 'organisation', '会社', '会社名', '企業名'],
  channel: ['channel', 'medium', 'チャネル', 'チャネル名', '接点', '媒体'],
  campaign: ['campaign', 'キャンペーン', 'キャンペーン名', '施策', '施策名'],
  date: ['date', '日付', '接触日', '来場日'],
  time: ['time', '時刻'],
  consent: ['consent', '同意', 'メール配信同意', '配信同意'],
};
const requiredFields: readonly Field[] = ['email', 'channel', 'date', 'consent'];

/** Channel spellings (lower-cased, spaces and hyphens as `_`) by channel. */
const channelAliases: Record<OfflineChannel, readonly string[]> = {
  event: ['event', 'exhibition', 'trade_show', 'expo', '展示会', 'イベント'],
  seminar: ['seminar', 'セミナー', '講演会', '勉強会'],
  catalogue: ['catalogue', 'catalog', 'カタログ', '資料請求'],
  store: ['store', 'shop', '店舗', '来店'],
  call_centre: ['call_centre', 'call_center', 'callcentre', 'callcenter', 'コールセンター', '電話'],
};
const channelBySpelling = new Map(Object.entries(channelAliases).flatMap(([c, names]) => names.map((n) => [n, c as OfflineChannel])));

const consentWords: Record<Consent['status'], readonly string[]> = {
  granted: ['granted', 'yes', 'y', 'true', '1', 'opt-in', 'optin', '同意', '同意する', 'はい', '可'],
  revoked: ['revoked', 'no', 'n', 'false', '0', 'opt-out', 'optout', '不同意', '同意しない', 'いいえ', '不可'],
};
const consentByWord = new Map(Object.entries(consentWords).flatMap(([s, words]) => words.map((w) => [w, s as Consent['status']])));

/** One validated row. */
export interface OfflineRow {
  /** Line of the file the row ends on (the header is line 1). */
  line: number;
  /** Normalized email. */
  email: string;
  name?: string;
  company?: string;
  channel: OfflineChannel;
  /** Campaign as written ('' when the column is absent or empty). */
  campaign: string;
  /** Touch day, YYYY-MM-DD. */
  date: string;
  /** Touch time (ISO, UTC): the day at 00:00, or at the `time` column's time. */
  at: string;
  consent: Consent['status'];
  /** The row's identity for idempotency: sha256 of (email, channel, campaign, date), base64url. */
  key: string;
}

/** A bad row (or file), reported with its line and the field at fault. */
export interface RowError {
  line: number;
  field: string;
  message: string;
}

export interface ParseResult {
  rows: OfflineRow[];
  errors: RowError[];
}

const dayMs = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** `2026-05-01`, `2026/5/1` → `2026-05-01`; undefined when it is no real calendar day. */
export function parseDay(raw: string): string | undefined {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(raw);
  if (!m) return undefined;
  const day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || isoDay(d) !== day ? undefined : day;
}

/** The channel a spelling names (`Seminar`, `call centre`, `セミナー`), or undefined. */
export function channelOf(raw: string): OfflineChannel | undefined {
  return channelBySpelling.get(raw.trim().toLowerCase().replace(/[\s-]+/g, '_'));
}

/** The consent a word states (`yes`, `同意`, `0`), or undefined (empty or unknown: not guessed). */
export function consentOf(raw: string): Consent['status'] | undefined {
  return consentByWord.get(raw.trim().toLowerCase());
}

/** Idempotency key of a touch: the same person, channel, campaign and day is the same touch. */
export function touchKey(email: string, channel: string, campaign: string, date: string): string {
  return createHash('sha256').update([email, channel, campaign, date].join('\n')).digest('base64url').slice(0, 32);
}

function headerIndex(header: string[]): { index: Partial<Record<Field, number>>; errors: RowError[] } {
  const index: Partial<Record<Field, number>> = {};
  const errors: RowError[] = [];
  header.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    const field = (Object.keys(headerAliases) as Field[]).find((f) => headerAliases[f].includes(name));
    if (!field) return; // Other columns (phone, notes) are ignored.
    if (index[field] !== undefined) errors.push({ line: 1, field, message: `two columns name ${field} ("${header[index[field]]}" and "${raw}")` });
    else index[field] = i;
  });
  for (const f of requiredFields) {
    if (index[f] === undefined) errors.push({ line: 1, field: f, message: `no ${f} column (accepted names: ${headerAliases[f].join(', ')})` });
  }
  return { index, errors };
}

/**
 * Parses and validates a whole file. `now` bounds the dates: none after today (in any time zone: UTC+14
 * is the first to start a day), none older than maxAgeDays. `maxRows` is the caller's bound.
 */
export function parseOfflineCsv(text: string, now: Date, maxRows: number): ParseResult {
  const read = readCsvRecords(text, maxRows, headerIndex);
  if ('errors' in read) return { rows: [], errors: read.errors };
  const { records, index } = read;
  const errors: RowError[] = [];
  const latestDay = isoDay(new Date(now.getTime() + 14 * 3_600_000));
  const earliestDay = isoDay(new Date(now.getTime() - offlineLimits.maxAgeDays * dayMs));
  const rows: OfflineRow[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const cell = (f: Field) => (index[f] === undefined ? '' : (record[index[f]] ?? ''));
    const bad = (field: string, message: string) => errors.push({ line, field, message });
    const before = errors.length;

    const email = normalizeEmail(cell('email'));
    if (!cell('email')) bad('email', 'missing');
    else if (!email) bad('email', `not a valid email address: "${cell('email').slice(0, 100)}"`);
    const channel = channelOf(cell('channel'));
    if (!channel) bad('channel', `"${cell('channel').slice(0, 50)}" is not one of ${offlineChannels.join(', ')}`);
    const campaign = cell('campaign');
    if (campaign.length > offlineLimits.maxCampaignChars) bad('campaign', `longer than ${offlineLimits.maxCampaignChars} characters`);
    for (const f of ['name', 'company'] as const) if (cell(f).length > offlineLimits.maxTextChars) bad(f, `longer than ${offlineLimits.maxTextChars} characters`);
    const date = parseDay(cell('date'));
    if (!cell('date')) bad('date', 'missing');
    else if (!date) bad('date', `"${cell('date').slice(0, 30)}" is not a day as YYYY-MM-DD or YYYY/MM/DD`);
    else if (date > latestDay) bad('date', `${date} is in the future`);
    else if (date < earliestDay) bad('date', `${date} is older than ${offlineLimits.maxAgeDays} days`);
    const time = cell('time');
    const hm = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time);
    if (time && (!hm || Number(hm[1]) > 23 || Number(hm[2]) > 59 || Number(hm[3] ?? 0) > 59)) bad('time', `"${time.slice(0, 20)}" is not a time as HH:MM (UTC)`);
    const consent = consentOf(cell('consent'));
    if (!cell('consent')) bad('consent', 'missing: state it as given (granted/yes/true/1/同意 or revoked/no/false/0/不同意)');
    else if (!consent) bad('consent', `"${cell('consent').slice(0, 30)}" is neither granted (yes/true/1/同意) nor revoked (no/false/0/不同意)`);
    if (errors.length > before) continue;

    const clock = hm ? `${hm[1]!.padStart(2, '0')}:${hm[2]}:${hm[3] ?? '00'}` : '00:00:00';
    // A day that has begun somewhere but not yet in UTC may lie ahead of `now`: never stamp an event later.
    const at = new Date(Math.min(Date.parse(`${date}T${clock}Z`), now.getTime())).toISOString();
    rows.push({
      line,
      email: email!,
      ...(cell('name') ? { name: cell('name') } : {}),
      ...(cell('company') ? { company: cell('company') } : {}),
      channel: channel!,
      campaign,
      date: date!,
      at,
      consent: consent!,
      key: touchKey(email!, channel!, campaign, date!),
    });
  }
  return errors.length > 0 ? { rows: [], errors } : { rows, errors };
}

/**
 * The two events of a row, for the events stream: an identify (traits email, name, company) and the
 * "Offline Touch" track event, both for the resolved profile. Their messageIds derive from the row's key,
 * so a replay is a duplicate the processor skips.
 */
export function offlineEvents(row: OfflineRow, profileId: string, receivedAt: Date, importedFrom?: string): CollectedEvent[] {
  const base = {
    context: { campaign: { source: row.channel, medium: offlineMedium, ...(row.campaign ? { name: row.campaign } : {}) } },
    timestamp: row.at,
    receivedAt: receivedAt.toISOString(),
    source: offlineSource,
    nurture: { v: 1 as const, bot: false, profileId },
  };
  return [
    {
      ...base,
      type: 'identify',
      messageId: `offline-id-${row.key}`,
      traits: { email: row.email, ...(row.name ? { name: row.name } : {}), ...(row.company ? { company: row.company } : {}) },
    },
    {
      ...base,
      type: 'track',
      messageId: `offline-${row.key}`,
      event: offlineTouchEvent,
      properties: { channel: row.channel, campaign: row.campaign, ...(importedFrom ? { importedFrom } : {}) },
    },
  ];
}

/** The consent a row states, as given at the touch (its source names where it was given). */
export function offlineConsent(row: OfflineRow): Consent {
  return { status: row.consent, source: `offline:${row.channel}:${row.campaign}`, at: row.at };
}

/** Rows of one file with the same key are one touch: the first is imported, the rest are duplicates. */
export function distinctRows(rows: readonly OfflineRow[]): { first: OfflineRow[]; repeated: number } {
  const seen = new Set<string>();
  const first = rows.filter((r) => !seen.has(r.key) && seen.add(r.key));
  return { first, repeated: rows.length - first.length };
}
