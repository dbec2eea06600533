/**
 * The daily dormancy sweep: known leads without activity for `stages.dormantAfterDays` become dormant
 * (and return to their stage on their next event). Reads the ranking index, where every known lead is
 * kept; a lead that became active meanwhile is left alone. Pure (reads and writes are ports).
 */
import { rankShards } from '../../profiles/domain/profile.js';
import type { RankRow } from '../../profiles/domain/reads.js';
import type { RulesDoc } from './rules.js';
import type { DomainEventOut } from './score.js';

/** Stages a lead can go dormant from. */
export const activeStages = ['known', 'mql', 'sql', 'customer'] as const;

export interface DormancyPorts {
  rules(): Promise<RulesDoc>;
  /** Pages of a ranking partition's leads last seen before `cutoff`. */
  leads: { lastSeenBefore(stage: string, shard: number, cutoff: string): AsyncIterable<{ rows: RankRow[]; scanned: number }> };
  /** Makes the lead dormant unless it was active since (false then). */
  store: { markDormant(profileId: string, from: string, lastSeenAt: unknown): Promise<boolean> };
  publish(events: DomainEventOut[]): Promise<void>;
}

export interface SweepResult {
  dormant: number;
  scanned: number;
  /** Last-seen time before which leads went dormant (none without `dormantAfterDays`). */
  cutoff?: string;
}

export async function sweepDormant(now: string, ports: DormancyPorts): Promise<SweepResult> {
  const days = (await ports.rules()).stages.dormantAfterDays;
  if (!days) return { dormant: 0, scanned: 0 };
  const cutoff = new Date(Date.parse(now) - days * 86_400_000).toISOString();
  let dormant = 0;
  let scanned = 0;
  for (const stage of activeStages) {
    for (let shard = 0; shard < rankShards; shard++) {
      for await (const page of ports.leads.lastSeenBefore(stage, shard, cutoff)) {
        scanned += page.scanned;
        for (const row of page.rows) {
          if (!(await ports.store.markDormant(row.profileId, stage, row.lastSeenAt))) continue;
          dormant++;
          await ports.publish([
            {
              detailType: 'lead.stage_changed',
              detail: { profileId: row.profileId, messageId: `dormant:${row.profileId}:${row.lastSeenAt}`, occurredAt: now, from: stage, to: 'dormant', score: 0 },
            },
          ]);
        }
      }
    }
  }
  return { dormant, scanned, cutoff };
}
