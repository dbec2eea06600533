/**
 * The membership effects an update owes, run after the profile is stored (and again after a crash, until
 * the outbox is marked done): each segment event's member item and counter, then the new rank on the member
 * items of segments the person stays in. Every write is conditional (membership-store.ts), so running the
 * effects twice changes nothing the second time. Pure orchestration over a port.
 */
import type { MembershipChange } from './diff.js';

export interface MembershipWriter {
  /** False when the change was already applied. */
  apply(profileId: string, change: MembershipChange, rank?: number): Promise<boolean>;
  rerank(segmentId: string, profileId: string, rank: number | undefined): Promise<void>;
}

/** What an outbox carries for membership, beside its events. */
export interface MembershipOutbox {
  events: readonly { detailType: string; detail: unknown }[];
  /** The person's ranking key as stored by the update (absent: not ranked). */
  memberRank?: number;
  /** Segments the person stays in whose member items need memberRank (the rank moved). */
  reranks?: string[];
}

/** The membership changes among an outbox's events (a merged-away profile's exits carry its own id). */
export function changesOf(events: MembershipOutbox['events']): { profileId: string; change: MembershipChange }[] {
  return events.flatMap((e): { profileId: string; change: MembershipChange }[] => {
    const d = e.detail as { profileId: string; segmentId: string; occurredAt: string; since?: string };
    if (e.detailType === 'segment.entered') return [{ profileId: d.profileId, change: { type: 'segment.entered' as const, segmentId: d.segmentId, at: d.occurredAt } }];
    if (e.detailType === 'segment.exited') return [{ profileId: d.profileId, change: { type: 'segment.exited' as const, segmentId: d.segmentId, at: d.occurredAt, since: d.since ?? d.occurredAt } }];
    return [];
  });
}

export async function applyMembershipEffects(profileId: string, outbox: MembershipOutbox, writer: MembershipWriter): Promise<void> {
  for (const { profileId: pid, change } of changesOf(outbox.events)) await writer.apply(pid, change, pid === profileId ? outbox.memberRank : undefined);
  for (const id of outbox.reranks ?? []) await writer.rerank(id, profileId, outbox.memberRank);
}

