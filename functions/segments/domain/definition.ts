/**
 * Segment definitions as plain types, their limits, and the fields their conditions read. No zod here, so
 * the stream processor can evaluate segments without carrying the document schema (schema.ts).
 */
import type { BehaviourCondition, FieldCondition } from '../../scenarios/domain/conditions.js';
import { profileFieldRe } from '../../scenarios/domain/conditions.js';
import { stages } from '../../profiles/domain/profile.js';

/** Limits of segment definitions, each with its reason. Validation names the limit a definition breaks. */
export const segmentLimits = {
  /** Segments per deployment: the processor evaluates every one on every profile change (CPU, no reads). */
  maxSegments: 100,
  /** Leaf conditions per segment: a longer one is several segments joined by `segment` references. */
  maxConditions: 30,
  /** all/any/not nested at most this deep: deeper logic is unreadable and better split into segments. */
  maxNesting: 4,
  /** Longest chain of `segment` references (a → b → c is 2): evaluation follows it in one pass. */
  maxReferenceDepth: 3,
  /** Segment ids become parts of membership keys and event details. */
  maxIdChars: 40,
  /**
   * Largest `atLeast` / `atMost` of a behaviour condition: the profile item keeps the newest count + 1
   * event times of each tracked behaviour (windows.ts), so a count bounds the item's size.
   */
  maxBehaviourCount: 50,
} as const;

/** Segment ids: lower-case words joined by dashes, like scenario ids. */
export const segmentIdRe = /^[a-z0-9][a-z0-9-]*$/;

/** Lifecycle states as the lifecycle work writes them on the profile (`lifecycle`); kept here until it owns them. */
// One list of lifecycle states: the lifecycle module's (functions/scoring/domain/lifecycle.ts).
export { lifecycleStates, type LifecycleState } from '../../scoring/domain/lifecycle.js';
import { lifecycleStates } from '../../scoring/domain/lifecycle.js';

/** Marketing-mail consent as sending records it; a person with no record has no `consent` value. */
export const consentStatuses = ['granted', 'revoked'] as const;

/** Fields a segment condition reads: every scenario field, plus lifecycle and consent. */
export const segmentFieldRe = new RegExp(`^(lifecycle|consent|${profileFieldRe.source.slice(2, -2)})$`);
/** The fields whose values are a fixed list, so a misspelt value is caught at validation. */
export const fieldValues: Readonly<Record<string, readonly string[]>> = { lifecycle: lifecycleStates, consent: consentStatuses, stage: stages };

/** Membership of another segment (as evaluated just before, in graph order). */
export interface SegmentRef {
  segment: string;
}

/** A segment condition: the scenario language without `lastEmail` (a segment has no journey), plus `segment`. */
export type SegmentCondition =
  | FieldCondition
  | BehaviourCondition
  | SegmentRef
  | { all: SegmentCondition[] }
  | { any: SegmentCondition[] }
  | { not: SegmentCondition };

export type SegmentAtom = FieldCondition | BehaviourCondition | SegmentRef;

/** A segment definition (an admin API document, or a YAML file deployed like a scenario). */
export interface Segment {
  id: string;
  name: string;
  description?: string;
  /** All of these hold for a member. */
  conditions: SegmentCondition[];
  /**
   * Public: `GET /v1/personalize` may tell a page that its visitor is a member (default false). Only a
   * flag on the segment id: no condition, name or description ever reaches a page.
   */
  public?: boolean;
}

export function isRef(c: SegmentCondition): c is SegmentRef {
  return 'segment' in c;
}

/** Each leaf with the path of its field in the document (`conditions[1].any[0]`), in document order. */
export function atomsWithPaths(conditions: readonly SegmentCondition[], base = 'conditions'): { atom: SegmentAtom; path: string; depth: number }[] {
  const out: { atom: SegmentAtom; path: string; depth: number }[] = [];
  const walk = (c: SegmentCondition, path: string, depth: number) => {
    if ('all' in c) c.all.forEach((x, i) => walk(x, `${path}.all[${i}]`, depth + 1));
    else if ('any' in c) c.any.forEach((x, i) => walk(x, `${path}.any[${i}]`, depth + 1));
    else if ('not' in c) walk(c.not, `${path}.not`, depth + 1);
    else out.push({ atom: c, path, depth });
  };
  conditions.forEach((c, i) => walk(c, `${base}[${i}]`, 0));
  return out;
}

/** The segments a segment references, each with where. */
export function referencesOf(segment: Segment): { id: string; path: string }[] {
  return atomsWithPaths(segment.conditions).flatMap(({ atom, path }) => (isRef(atom) ? [{ id: atom.segment, path: `${path}.segment` }] : []));
}
