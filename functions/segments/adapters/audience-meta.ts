/**
 * AudienceSync for Meta Custom Audiences (Marketing API, customer-file audiences).
 * - add: `POST /{audience_id}/users`, remove: `DELETE /{audience_id}/users`, form field `payload` =
 *   JSON `{schema, data}` (https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users).
 * - replace: `POST /{audience_id}/usersreplace` with `session {session_id, batch_seq, last_batch_flag,
 *   estimated_num_total}` (https://developers.facebook.com/docs/marketing-api/reference/custom-audience/usersreplace).
 * - Multi-key schema: the columns any member of the call has, from EMAIL, PHONE, FN, LN, ZIP, COUNTRY;
 *   a member without one sends "" there. All values are SHA-256 hex (domain/audience.ts).
 * - At most metaBatchRows rows a request, Meta's documented limit of 10,000.
 */
import type { AudienceProfile, HashedIdentifiers } from '../domain/audience.js';
import {
  type AudienceSync,
  AudienceSyncError,
  batches,
  type HttpTransport,
  prepareMembers,
  type SyncResult,
} from '../domain/audience-sync.js';
import { send } from './audience-http.js';

/** Rows per request: "You can add ... only up to 10000 at a time" (Marketing API, Custom Audiences). */
export const metaBatchRows = 10_000;
/** Graph API version the request paths use. */
export const metaGraphVersion = 'v25.0';

const keys: readonly [keyof HashedIdentifiers, string][] = [
  ['email', 'EMAIL'],
  ['phone', 'PHONE'],
  ['firstName', 'FN'],
  ['lastName', 'LN'],
  ['zip', 'ZIP'],
  ['country', 'COUNTRY'],
];

export interface MetaAudienceConfig {
  accessToken: string;
  /** ISO country of national phone numbers on profiles. */
  defaultCountry: string;
  transport: HttpTransport;
  graphVersion?: string;
  baseUrl?: string;
  /** Replace session id (an int64 Meta asks the caller to choose); defaults to the current time in ms. */
  sessionId?: () => number;
}

/** The `payload` Meta documents for one batch: the schema columns used, one row of hashes per member. */
export function metaPayload(ids: readonly HashedIdentifiers[]): { schema: string[]; data: string[][] } {
  const used = keys.filter(([key]) => ids.some((m) => m[key]));
  return { schema: used.map(([, name]) => name), data: ids.map((m) => used.map(([key]) => m[key] ?? '')) };
}

export class MetaAudienceSync implements AudienceSync {
  readonly platform = 'meta' as const;
  readonly canReplace = true;
  private readonly base: string;

  constructor(private readonly config: MetaAudienceConfig) {
    this.base = `${config.baseUrl ?? 'https://graph.facebook.com'}/${config.graphVersion ?? metaGraphVersion}`;
  }

  add(audienceId: string, members: readonly AudienceProfile[]): Promise<SyncResult> {
    return this.users(audienceId, members, 'POST', true);
  }

  remove(audienceId: string, members: readonly AudienceProfile[]): Promise<SyncResult> {
    return this.users(audienceId, members, 'DELETE', false);
  }

  async replace(audienceId: string, members: readonly AudienceProfile[]): Promise<SyncResult> {
    const { ids, skipped } = prepareMembers(members, 'meta', this.config, true);
    if (ids.length === 0) {
      // usersreplace needs at least one row; emptying a list is a remove of its members instead.
      throw new AudienceSyncError('meta: replace with no consenting members would leave the list as it is', 'meta', false);
    }
    const parts = batches(ids, metaBatchRows);
    const sessionId = (this.config.sessionId ?? Date.now)();
    for (const [i, part] of parts.entries()) {
      const session = { session_id: sessionId, batch_seq: i + 1, last_batch_flag: i === parts.length - 1, estimated_num_total: ids.length };
      await send(this.config.transport, 'meta', `${this.base}/${encodePath(audienceId)}/usersreplace`, this.request('POST', metaPayload(part), session));
    }
    return { sent: ids.length, skipped, requests: parts.length };
  }

  private async users(audienceId: string, members: readonly AudienceProfile[], method: 'POST' | 'DELETE', consented: boolean): Promise<SyncResult> {
    const { ids, skipped } = prepareMembers(members, 'meta', this.config, consented);
    const parts = batches(ids, metaBatchRows);
    for (const part of parts) {
      await send(this.config.transport, 'meta', `${this.base}/${encodePath(audienceId)}/users`, this.request(method, metaPayload(part)));
    }
    return { sent: ids.length, skipped, requests: parts.length };
  }

  private request(method: 'POST' | 'DELETE', payload: object, session?: object): Parameters<HttpTransport>[1] {
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    if (session) form.set('session', JSON.stringify(session));
    return {
      method,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${this.config.accessToken}` },
      body: form.toString(),
    };
  }
}

/** Audience ids are numeric; anything else is refused before it reaches a URL. */
function encodePath(audienceId: string): string {
  if (!/^\d{1,32}$/u.test(audienceId)) throw new AudienceSyncError(`meta: audience id must be numeric, got "${audienceId}"`, 'meta', false);
  return audienceId;
}
