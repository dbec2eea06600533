/**
 * Who may change what on a profile through identify/alias, and the bounds traits are kept within. Pure.
 *
 * The write key is public (it is in every page), so an identify is a claim, not a fact: anyone who knows
 * a lead's email address can send one. The rules (README "Who may change a lead's traits"):
 * - The identify that makes a profile known (anonymous → known) sets everything it carries: there is
 *   nothing on file yet to protect.
 * - On a known lead, an identify or alias carrying the user id already on file (the lead's own signed-in
 *   session, by the Segment convention) may change traits, email and time zone.
 * - Any other identify on a known lead (named by its email alone, from another browser, with a user id
 *   that is not on file) only fills in: it adds traits the lead lacks, and an email or time zone only
 *   where none is on file. It never changes one that is, and never gives the lead a user id.
 * Whatever the source, traits stay within traitBounds: a trait over a bound, or with a value DynamoDB
 * cannot store (storedValueBounds), is not stored.
 */
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { normalizeEmail } from '../../identity/domain/keys.js';
import { isTimeZone } from '../../shared/zoned-time.js';
import { type ScoringState, traitBounds } from './profile.js';
import { storableValue } from './storable.js';

/** `set`: may change what is on file; `fill`: may only add what is missing. */
export type WriteMode = 'set' | 'fill';

/** How far an identify/alias may change the profile it reached (see the rules above). */
export function writeModeOf(state: Pick<ScoringState, 'known' | 'userId'>, event: Pick<CollectedEvent, 'userId'>): WriteMode {
  if (!state.known) return 'set';
  return event.userId !== undefined && event.userId === state.userId ? 'set' : 'fill';
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
// `"name":value,` in the traits object's JSON.
const entryBytes = (name: string, valueBytes: number) => bytesOf(name) + valueBytes + 2;

/** Whether one trait may be stored at all (name and value size). */
function storable(name: string, value: unknown): number | undefined {
  // `__proto__` would set the object's prototype instead of a trait.
  if (value === undefined || name.length === 0 || name.length > traitBounds.maxNameChars || name === '__proto__') return undefined;
  const size = bytesOf(value);
  // A value DynamoDB cannot store (a number beyond its range, deep nesting) is refused like an oversized one.
  return size <= traitBounds.maxValueBytes && storableValue(value) ? size : undefined;
}

export interface TraitsWrite {
  traits: Record<string, unknown>;
  /** Names sent but not stored: over a bound, or already on file under `fill`. */
  refused: string[];
}

/**
 * `current` with `incoming` written in, within traitBounds. Under `fill`, names already on file keep
 * their value. Traits already on file that break a bound (written before the bounds existed) are
 * dropped first, so an oversized profile shrinks back at its next identify.
 */
export function writeTraits(current: Record<string, unknown>, incoming: Record<string, unknown>, mode: WriteMode): TraitsWrite {
  const traits = boundTraits(current);
  const refused: string[] = [];
  let count = Object.keys(traits).length;
  let total = bytesOf(traits);
  for (const [name, value] of Object.entries(incoming)) {
    const size = storable(name, value);
    const has = Object.hasOwn(traits, name);
    if (size === undefined) {
      refused.push(name);
      continue;
    }
    if (has && mode === 'fill') {
      if (JSON.stringify(traits[name]) !== JSON.stringify(value)) refused.push(name);
      continue;
    }
    const before = has ? entryBytes(name, bytesOf(traits[name])) : 0;
    const after = total - before + entryBytes(name, size);
    if ((!has && count >= traitBounds.maxTraits) || after > traitBounds.maxTotalBytes) {
      refused.push(name);
      continue;
    }
    if (!has) count++;
    total = after;
    traits[name] = value;
  }
  return { traits, refused };
}

/** The traits that fit the bounds, in their order (over-size ones dropped, then whatever overflows). */
export function boundTraits(traits: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  let total = 2;
  for (const [name, value] of Object.entries(traits)) {
    const size = storable(name, value);
    if (size === undefined || count >= traitBounds.maxTraits) continue;
    const next = total + entryBytes(name, size);
    if (next > traitBounds.maxTotalBytes) continue;
    out[name] = value;
    count++;
    total = next;
  }
  return out;
}

/**
 * Applies an identify/alias to the profile's identity attributes and traits under its write mode.
 * Returns true when it made the profile known.
 */
export function applyIdentity(state: ScoringState, event: Pick<CollectedEvent, 'userId' | 'traits'>): boolean {
  const mode = writeModeOf(state, event);
  const incoming = event.traits ?? {};
  state.traits = writeTraits(state.traits, incoming, mode).traits;
  const email = normalizeEmail(incoming.email);
  if (email && (mode === 'set' || !state.email)) state.email = email;
  if (event.userId && mode === 'set') state.userId = event.userId;
  const tz = incoming.timezone;
  if (isTimeZone(tz) && (mode === 'set' || !state.timezone)) state.timezone = tz;
  if (state.known || !(state.email || state.userId)) return false;
  state.known = true;
  return true;
}
