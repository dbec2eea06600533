/**
 * What a page may safely know about its visitor (`GET /v1/personalize`): whether they are known, their
 * stage, their top interest categories and the public segments they are in. Built by listing the allowed
 * fields, never by removing private ones, so a new profile attribute can never leak. Pure.
 */
import type { ActivityEntry, Stage } from '../../profiles/domain/profile.js';

/** Interest categories a page gets at most. */
export const maxInterests = 3;

/**
 * The part of a profile the serving function reads (a DynamoDB projection: the rest, PII included, is
 * never even loaded). `recent` serves "for you"; the others serve personalize.
 */
export interface PersonView {
  profileId: string;
  known: boolean;
  stage: Stage;
  /** Behaviour points by interest category (score.categories). */
  categories: Record<string, number>;
  /** Segment id → when the person entered. */
  segments: Record<string, string>;
  recent: ActivityEntry[];
}

/** The answer of `GET /v1/personalize`: exactly these four keys, nothing else. */
export interface PersonalizeAnswer {
  known: boolean;
  stage: Stage;
  interests: string[];
  segments: string[];
}

export const unknownVisitor: PersonalizeAnswer = { known: false, stage: 'anonymous', interests: [], segments: [] };

/** The safe view of a person: top interests by category score (positive only), public memberships sorted. */
export function personalize(person: PersonView | undefined, publicSegments: ReadonlySet<string>): PersonalizeAnswer {
  if (!person) return { ...unknownVisitor, interests: [], segments: [] };
  const interests = Object.entries(person.categories ?? {})
    .filter(([, v]) => typeof v === 'number' && v > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, maxInterests)
    .map(([k]) => k);
  const segments = Object.keys(person.segments ?? {})
    .filter((id) => publicSegments.has(id))
    .sort();
  return { known: person.known === true, stage: person.stage ?? 'anonymous', interests, segments };
}
