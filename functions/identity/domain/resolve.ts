import { anonymousProfileId, type IdentityKey, keyString, knownProfileId } from './keys.js';

/** What a stored identity link says. */
export interface Link {
  profileId: string;
  /** On an anonymous-id link: the known identity (`user:…`/`email:…`) this browser last identified as. */
  knownAs?: string;
}

export interface IdentifyInput {
  anonymousId?: string;
  /** Known keys of this call, strongest first: user id, then email. At least one. */
  known: IdentityKey[];
  /** Links currently stored for the anonymous id and the known keys (keyString → link). */
  links: ReadonlyMap<string, Link>;
}

export type LinkWrite =
  /** Create a known-key link only if none exists (the first writer wins; losers re-read and decide again). */
  | { op: 'create'; key: IdentityKey; link: Link }
  /** Point the anonymous id at a profile (newest identify wins, by event time). */
  | { op: 'point'; key: IdentityKey; link: Link };

export interface IdentifyDecision {
  profileId: string;
  /** Other profiles shown to be this person; the stream processor merges them into profileId. */
  mergeFrom: string[];
  writes: LinkWrite[];
}

/**
 * Decides which profile an identify/alias belongs to, and which links to write. Pure.
 *
 * Rules:
 * - A known key (user id, else email) already linked decides the profile.
 * - Otherwise a browser that is still anonymous becomes the known lead: its anonymous profile is kept,
 *   with all its history and points.
 * - A browser that already identified as someone else (a shared computer) does NOT hand its history to
 *   the new person: the new person gets a fresh profile, and only later events of this browser follow them.
 * - Two known keys of one call that point at different profiles are one person: the weaker is merged.
 */
export function decideIdentify(input: IdentifyInput): IdentifyDecision {
  const [primary] = input.known;
  if (!primary) throw new Error('decideIdentify needs at least one known key');
  const anonKey: IdentityKey | undefined = input.anonymousId ? { kind: 'anon', value: input.anonymousId } : undefined;
  const anonLink = anonKey ? input.links.get(keyString(anonKey)) : undefined;
  const anonProfile = anonKey ? (anonLink?.profileId ?? anonymousProfileId(anonKey.value)) : undefined;
  const browserIsAnonymous = anonKey !== undefined && anonLink?.knownAs === undefined;

  const linked = input.known
    .map((key) => input.links.get(keyString(key))?.profileId)
    .filter((p): p is string => p !== undefined);

  const profileId =
    linked[0] ?? (browserIsAnonymous && anonProfile ? anonProfile : knownProfileId(primary));

  const mergeFrom = new Set<string>();
  for (const other of linked) if (other !== profileId) mergeFrom.add(other);
  if (browserIsAnonymous && anonProfile && anonProfile !== profileId) mergeFrom.add(anonProfile);

  const writes: LinkWrite[] = [];
  for (const key of input.known) {
    if (!input.links.has(keyString(key))) writes.push({ op: 'create', key, link: { profileId } });
  }
  if (anonKey && (anonLink?.profileId !== profileId || anonLink.knownAs === undefined)) {
    writes.push({ op: 'point', key: anonKey, link: { profileId, knownAs: keyString(primary) } });
  }
  return { profileId, mergeFrom: [...mergeFrom], writes };
}
