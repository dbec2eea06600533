/**
 * The audience-sync port: keeps an ad platform's customer list in step with a segment. One adapter per
 * platform (adapters/audience-meta.ts, adapters/audience-google.ts) builds that platform's documented
 * requests; the caller hands it profiles and the adapter filters, normalizes and hashes them (audience.ts),
 * so no adapter ever sees a member without advertising consent.
 *
 * Streaming membership maps to add (segment.entered) and remove (segment.exited); replace re-sends the
 * whole list where the platform supports it (Meta's usersreplace; Google's Data Manager API has none).
 */
import type { AudiencePlatform } from './audience-normalize.js';
import { type AudienceOptions, type AudienceProfile, hasAdvertisingConsent, type HashedIdentifiers, contactOf, hashedIdentifiers } from './audience.js';

export interface SyncResult {
  /** Members sent (after consent and identifier checks). */
  sent: number;
  /** Members left out: no advertising consent, or no usable email or phone. */
  skipped: number;
  /** HTTP requests made. */
  requests: number;
}

export interface AudienceSync {
  readonly platform: AudiencePlatform;
  /** Whether replace() is available on this platform. */
  readonly canReplace: boolean;
  add(audienceId: string, members: readonly AudienceProfile[]): Promise<SyncResult>;
  /** Removal sends the same identifiers; consent is not asked (revoking it is a reason to remove). */
  remove(audienceId: string, members: readonly AudienceProfile[]): Promise<SyncResult>;
  /** Makes the platform's list exactly `members`. Throws AudienceSyncError where canReplace is false. */
  replace(audienceId: string, members: readonly AudienceProfile[]): Promise<SyncResult>;
}

/** The part of `fetch` an adapter uses, injected so that tests (and local mode) never call a platform. */
export type HttpTransport = (
  url: string,
  init: { method: 'POST' | 'DELETE'; headers: Record<string, string>; body: string },
) => Promise<{ status: number; text(): Promise<string> }>;

/** A failed platform call. `retryable`: rate limited, a server error or no answer (outcome unknown). */
export class AudienceSyncError extends Error {
  override name = 'AudienceSyncError';
  constructor(
    message: string,
    readonly platform: AudiencePlatform,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The members to send, hashed for `platform`: `consented` false keeps everyone (for remove). */
export function prepareMembers(
  members: readonly AudienceProfile[],
  platform: AudiencePlatform,
  opts: AudienceOptions,
  consented: boolean,
): { ids: HashedIdentifiers[]; skipped: number } {
  const ids: HashedIdentifiers[] = [];
  let skipped = 0;
  for (const m of members) {
    const hashed = consented && !hasAdvertisingConsent(m) ? undefined : hashedIdentifiers(contactOf(m), platform, opts);
    if (hashed) ids.push(hashed);
    else skipped++;
  }
  return { ids, skipped };
}

/** `items` in consecutive slices of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
