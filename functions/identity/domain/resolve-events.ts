/**
 * Which profile each stream event belongs to, by its identity links. Pure (links and identify are
 * ports). Collect resolves identify/alias synchronously and stamps `nurture.profileId`; every other event
 * is resolved here: by its user id's link, else its anonymous id's link, else the anonymous profile.
 */
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import type { IdentifyCall, LinkStore, Resolution } from './identify.js';
import { anonymousProfileId, type IdentityKey, keyString } from './keys.js';

export interface EventResolutionPorts {
  links: Pick<LinkStore, 'get'>;
  /** Resolves (and links) a user id seen for the first time outside identify. */
  identify(call: IdentifyCall): Promise<Resolution | undefined>;
}

/** Keys read per link lookup (BatchGetItem takes 100). */
const linksPerRead = 100;

/** The profile id of each event (before following merges: see profiles/domain/merge-chain.ts). */
export async function resolveEventProfiles<E extends { event: CollectedEvent }>(records: readonly E[], ports: EventResolutionPorts): Promise<Map<E, string>> {
  const keys = new Map<string, IdentityKey>();
  for (const { event } of records) {
    if (event.nurture?.profileId) continue;
    if (event.userId) keys.set(`user:${event.userId}`, { kind: 'user', value: event.userId });
    if (event.anonymousId) keys.set(`anon:${event.anonymousId}`, { kind: 'anon', value: event.anonymousId });
  }
  const links = new Map<string, { profileId: string }>();
  const all = [...keys.values()];
  for (let i = 0; i < all.length; i += linksPerRead) for (const [k, v] of await ports.links.get(all.slice(i, i + linksPerRead))) links.set(k, v);
  const out = new Map<E, string>();
  for (const r of records) {
    const e = r.event;
    let pid = e.nurture?.profileId ?? (e.userId ? links.get(keyString({ kind: 'user', value: e.userId }))?.profileId : undefined);
    if (!pid && e.userId) {
      // A user id never identified before (e.g. a server-side SDK): link it now, as identify would.
      const res = await ports.identify({ userId: e.userId, ...(e.anonymousId ? { anonymousId: e.anonymousId } : {}), at: e.timestamp });
      pid = res?.profileId;
      if (res) links.set(keyString({ kind: 'user', value: e.userId }), { profileId: res.profileId });
    }
    pid ??= e.anonymousId ? (links.get(keyString({ kind: 'anon', value: e.anonymousId }))?.profileId ?? anonymousProfileId(e.anonymousId)) : undefined;
    out.set(r, pid ?? anonymousProfileId(e.messageId));
  }
  return out;
}
