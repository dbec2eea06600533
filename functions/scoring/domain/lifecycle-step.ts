/**
 * One lifecycle update of a profile, shared by the stream processor (after a batch's events, at the time
 * stages are judged at) and the daily sweep (at its run). Pure.
 */
import type { ScoringState } from '../../profiles/domain/profile.js';
import type { LeadLifecycleChanged } from '../../shared/domain-events.js';
import { lifecycleChangeId, type LifecycleThresholds, nextLifecycle, nextLifecycleBoundary } from './lifecycle.js';

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Stores on `state` the lifecycle state its purchases call for at `judgedAt`, and when that state next
 * changes by time alone (`lifecycleDue`, the sweep's index key: stable between changes, so it costs no
 * write of its own). Returns the `lead.lifecycle_changed` owed when the state changed. A person without
 * orders keeps none of these attributes: nothing more is written for non-customers. The event's messageId
 * is lifecycleChangeId, so the same change found again (a replay, the sweep) carries the same id.
 */
export function lifecycleStep(
  state: ScoringState,
  judgedAt: string,
  occurredAt: string,
  th: LifecycleThresholds,
): { detailType: 'lead.lifecycle_changed'; detail: LeadLifecycleChanged } | undefined {
  const from = state.lifecycle ?? 'prospect';
  // Never judged before the stored state began: a late event (or one older than the sweep's last run)
  // must not move the state back in time.
  const at = state.lifecycleSince && state.lifecycleSince > judgedAt ? state.lifecycleSince : judgedAt;
  const stored = state.lifecycle ? { state: state.lifecycle, ...(state.lifecycleSince ? { since: state.lifecycleSince } : {}) } : undefined;
  const next = nextLifecycle(stored, state.purchases, at, th);
  const due = nextLifecycleBoundary(state.purchases, at, th)?.toISOString();
  if (due === undefined) delete state.lifecycleDue;
  else state.lifecycleDue = due;
  if (!next.changed) return undefined;
  const since = next.since ?? at;
  state.lifecycle = next.state;
  state.lifecycleSince = since;
  return {
    detailType: 'lead.lifecycle_changed',
    detail: {
      profileId: state.profileId,
      messageId: lifecycleChangeId(state.profileId, { state: next.state, since }),
      occurredAt,
      from,
      to: next.state,
      since,
      orders: state.purchases?.orders ?? 0,
      revenue: round(state.purchases?.revenue ?? 0),
    },
  };
}
