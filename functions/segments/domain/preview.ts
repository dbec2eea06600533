/**
 * Preview of a draft segment (`POST /v1/admin/segments/preview`): how many people it would hold now, and
 * a sample of them, before it is stored. Pure (reads are ports).
 *
 * The ranking index is walked (every stage × rankShards partition, best first) and each person is
 * evaluated as the stream processor would evaluate them (step.ts: the stored segments with the draft,
 * on a copy of the stored state, no new activity, at `now`). Bounds and blind spots:
 * - at most `maxProfiles` people are evaluated, for at most `maxMillis`; when more exist the answer says
 *   `exact: false` and `count` is the members found among those evaluated;
 * - anonymous visitors below anonymousRankMinPoints are not in the ranking index, so not previewed;
 * - a behaviour condition (`did`) that no stored segment tracks yet finds no events: windows are kept
 *   only for deployed conditions, from their deployment on.
 */
import { type Consent, emptyState, type ScoringState } from '../../profiles/domain/profile.js';
import type { Segment } from './definition.js';
import { type MemberSummary, summaryAttributes, summaryOf } from './member-summary.js';
import { deploySegments, segmentStep } from './step.js';

/** Limits of a preview. */
export const previewLimits = {
  /** Most profiles one preview evaluates (about 200 BatchGetItem calls of projected items). */
  maxProfiles: 20_000,
  /** Members the answer lists. */
  sample: 20,
  /** Milliseconds a preview walks at most (the API answers within API Gateway's 30 s; beyond: not exact). */
  maxMillis: 20_000,
} as const;

/** Profile attributes a segment evaluation reads (the processor's state without its bookkeeping). */
export const evaluationAttributes = [
  'profileId', 'known', 'traits', 'stage', 'score', 'lifecycle', 'email', 'timezone',
  'firstTouch', 'lastTouch', 'segments', 'segmentWindows', 'segmentsDue', 'consent', 'mergedInto',
] as const;

/** Reads profile items by id with a projection (functions/segments/adapters/profile-batch.ts). */
export interface ProfileBatchReader {
  read(profileIds: readonly string[], attrs: readonly string[]): Promise<Map<string, Record<string, unknown>>>;
}

/** Walks the ranking index, reading each page's profile items (functions/segments/adapters/profile-batch.ts). */
export interface RankedWalk {
  /** Stops (complete: false) once `budget` profiles were read or `maxMillis` passed. */
  walk(budget: number, attrs: readonly string[], visit: (items: Record<string, unknown>[]) => void, maxMillis?: number): Promise<{ read: number; complete: boolean }>;
}

export interface PreviewResult {
  count: number;
  /** False when profiles were left unevaluated (more than maxProfiles in the ranking index). */
  exact: boolean;
  evaluated: number;
  sample: MemberSummary[];
}

/** The state step.ts reads, from a projected profile item (absent collections as the processor keeps them empty). */
function stateOf(item: Record<string, unknown>): { state: ScoringState; consent?: Consent } {
  const { consent, mergedInto: _m, ...rest } = item;
  const base = emptyState(String(item.profileId));
  const state = { ...base, ...rest, score: { ...base.score, ...((rest.score as object | undefined) ?? {}) } } as ScoringState;
  return { state, ...(consent ? { consent: consent as Consent } : {}) };
}

/** Whether `draft` holds the person now, evaluated with the other stored segments (it may reference them). */
export function draftHolds(item: Record<string, unknown>, deployed: ReturnType<typeof deploySegments>, draftId: string, now: Date): boolean {
  const { state, consent } = stateOf(structuredClone(item));
  // A copy of the stored state: the step updates it in place, and nothing here is written back.
  segmentStep(state, consent, deployed, [], now);
  return state.segments?.[draftId] !== undefined;
}

/** Previews `draft` (already validated against `stored`) over the ranked profiles. */
export async function previewSegment(draft: Segment, stored: readonly Segment[], walk: RankedWalk, now: Date, limits: { maxProfiles: number; sample: number; maxMillis?: number } = previewLimits): Promise<PreviewResult> {
  const deployed = deploySegments([draft, ...stored.filter((s) => s.id !== draft.id)]);
  let count = 0;
  let evaluated = 0;
  const sample: MemberSummary[] = [];
  const attrs = [...new Set<string>([...evaluationAttributes, ...summaryAttributes.map((a) => a.split('.')[0]!), 'leadName', 'company'])];
  const { complete } = await walk.walk(limits.maxProfiles, attrs, (items) => {
    for (const item of items) {
      if (item.mergedInto !== undefined) continue;
      evaluated++;
      if (!draftHolds(item, deployed, draft.id, now)) continue;
      count++;
      if (sample.length < limits.sample) sample.push(summaryOf(String(item.profileId), item));
    }
  }, limits.maxMillis);
  // Partitions are walked in parallel: the sample is the first members found, listed best score first.
  sample.sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || (a.profileId < b.profileId ? -1 : 1));
  return { count, exact: complete, evaluated, sample };
}
