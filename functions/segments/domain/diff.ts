/**
 * Membership changes of one person: what the processor writes (membership items) and publishes
 * (`segment.entered` / `segment.exited`). Pure and idempotent: applying the changes and diffing the same
 * new result again yields nothing, so a replayed batch neither rewrites nor republishes.
 */

/** A person's current memberships: segment id → when they entered it (ISO). */
export type Memberships = ReadonlyMap<string, string>;

export type MembershipChange =
  | { type: 'segment.entered'; segmentId: string; at: string }
  | {
      type: 'segment.exited';
      segmentId: string;
      at: string;
      /** When the person had entered (from the membership item). */
      since: string;
    };

/**
 * The changes from `previous` to the evaluated result `next` (segment id → member), at `at`. Only the
 * segments in `next` are compared: a segment not evaluated (or no longer defined) is left as it is; its
 * removal is the definition's business, not the person's. Sorted by segment id, so replays match.
 */
export function diffMemberships(previous: Memberships, next: ReadonlyMap<string, boolean>, at: Date): MembershipChange[] {
  const when = at.toISOString();
  const changes: MembershipChange[] = [];
  for (const segmentId of [...next.keys()].sort()) {
    const was = previous.get(segmentId);
    const is = next.get(segmentId)!;
    if (is && was === undefined) changes.push({ type: 'segment.entered', segmentId, at: when });
    else if (!is && was !== undefined) changes.push({ type: 'segment.exited', segmentId, at: when, since: was });
  }
  return changes;
}

/** The memberships after the changes (what the membership store holds once it has written them). */
export function applyChanges(previous: Memberships, changes: readonly MembershipChange[]): Map<string, string> {
  const out = new Map(previous);
  for (const c of changes) {
    if (c.type === 'segment.entered') out.set(c.segmentId, c.at);
    else out.delete(c.segmentId);
  }
  return out;
}

/**
 * A stable id for a change's bus event, so a retried publish is deduplicated downstream: one person
 * enters one segment at one time once.
 */
export function changeId(profileId: string, c: MembershipChange): string {
  return `${c.type}#${c.segmentId}#${profileId}#${c.at}`;
}
