import { type IdentityKey, keyString, normalizeEmail } from './keys.js';
import { decideIdentify, type Link } from './resolve.js';

/** Where identity links live (DynamoDB on AWS and locally). */
export interface LinkStore {
  /** The stored links of these keys, by keyString. */
  get(keys: IdentityKey[]): Promise<Map<string, Link>>;
  /** Creates the link only if the key has none; false when another writer got there first. */
  create(key: IdentityKey, link: Link, at: string): Promise<boolean>;
  /** Points the key at the link unless a link written for a later event time is stored. */
  point(key: IdentityKey, link: Link, at: string): Promise<void>;
}

export interface IdentifyCall {
  anonymousId?: string;
  userId?: string;
  /** Raw email from traits; normalized here. */
  email?: unknown;
  /** alias: the id being linked to userId (an anonymousId or an earlier userId). */
  previousId?: string;
  /** Event time (ISO), which orders competing pointers of one browser. */
  at: string;
}

export interface Resolution {
  profileId: string;
  mergeFrom: string[];
}

/** Races lost to concurrent writers before giving up (each loss means the next read sees the winner). */
const maxAttempts = 4;

/**
 * Resolves an identify/alias to a profile and writes the links, idempotently: replaying the same call
 * reads the links it wrote and decides the same profile. Returns undefined when the call names no known
 * identity (an identify with neither userId nor a valid email only updates traits).
 */
export async function identify(call: IdentifyCall, store: LinkStore): Promise<Resolution | undefined> {
  const known: IdentityKey[] = [];
  if (call.userId) known.push({ kind: 'user', value: call.userId });
  const email = normalizeEmail(call.email);
  if (email) known.push({ kind: 'email', value: email });
  let anonymousId = call.anonymousId;

  if (call.previousId) {
    const previousAsUser: IdentityKey = { kind: 'user', value: call.previousId };
    const found = await store.get([previousAsUser]);
    if (found.has(keyString(previousAsUser))) known.push(previousAsUser);
    else anonymousId = call.previousId;
  }
  if (known.length === 0) return undefined;

  const keys = anonymousId ? [...known, { kind: 'anon' as const, value: anonymousId }] : known;
  for (let attempt = 1; ; attempt++) {
    const links = await store.get(keys);
    const decision = decideIdentify({ ...(anonymousId ? { anonymousId } : {}), known, links });
    let lostRace = false;
    for (const write of decision.writes) {
      if (write.op === 'create') {
        if (!(await store.create(write.key, write.link, call.at))) {
          lostRace = true;
          break;
        }
      } else {
        await store.point(write.key, write.link, call.at);
      }
    }
    if (!lostRace) return { profileId: decision.profileId, mergeFrom: decision.mergeFrom };
    if (attempt >= maxAttempts) throw new Error(`identity links kept changing under ${keys.map(keyString).join(', ')}`);
  }
}
