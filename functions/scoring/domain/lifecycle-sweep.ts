/**
 * The daily lifecycle sweep: customers whose state changes by time alone (new → active, → at risk,
 * → churned) are found through the sparse `byLifecycleDue` index (entries due at or before the run),
 * never by a scan, and re-evaluated at the run's time. Each change is stored with its event in the
 * profile's outbox under the profile's version (a concurrent stream update wins and the person stays due
 * for tomorrow), then published and marked done: a sweep run twice, or a stream update that finds the
 * same change, publishes it under the same messageId (lifecycleChangeId). Pure (reads and writes are ports).
 */
import { dueShards, type ScoringState, type StoredProfile } from '../../profiles/domain/profile.js';
import { lifecycleThresholds } from './lifecycle.js';
import { lifecycleStep } from './lifecycle-step.js';
import type { RulesDoc } from './rules.js';
import type { DomainEventOut } from './score.js';

type Outbox = { events: DomainEventOut[]; tombstones: string[] };

export interface LifecycleSweepPorts {
  rules(): Promise<RulesDoc>;
  /** Pages of ids of profiles in a due index partition whose lifecycleDue is at or before `now`. */
  due: { dueBy(shard: number, now: string): AsyncIterable<string[]> };
  profiles: {
    load(ids: string[]): Promise<Map<string, StoredProfile<unknown>>>;
    /** Conditional on the version read (false: someone else updated it). */
    save(stored: StoredProfile<unknown>, next: ScoringState, opts: { outbox: Outbox; rank?: { pk: string; key: number } }): Promise<boolean>;
    clearOutbox(profileId: string, version: number): Promise<void>;
  };
  publish(events: DomainEventOut[]): Promise<void>;
}

export interface LifecycleSweepResult {
  /** Profiles read from the index. */
  due: number;
  /** Lifecycle changes stored and published. */
  changed: number;
  /** Profiles left for the next run (updated concurrently, or owing an earlier update's effects). */
  skipped: number;
}

export async function sweepLifecycle(now: string, ports: LifecycleSweepPorts): Promise<LifecycleSweepResult> {
  const th = lifecycleThresholds(await ports.rules());
  const result: LifecycleSweepResult = { due: 0, changed: 0, skipped: 0 };
  for (let shard = 0; shard < dueShards; shard++) {
    for await (const ids of ports.due.dueBy(shard, now)) {
      result.due += ids.length;
      const loaded = await ports.profiles.load(ids);
      for (const id of ids) {
        const stored = loaded.get(id);
        const s = stored?.state;
        // Gone, merged, moved on since the index was read, or owing the stream's effects: not ours now.
        if (!stored || !s || stored.mergedInto || !s.lifecycleDue || s.lifecycleDue > now || stored.outbox) {
          result.skipped++;
          continue;
        }
        const next = structuredClone(s);
        const change = lifecycleStep(next, now, now, th);
        const events: DomainEventOut[] = change ? [change] : [];
        const outbox = { events, tombstones: [] };
        if (!(await ports.profiles.save(stored, next, { outbox, ...(stored.rank ? { rank: stored.rank } : {}) }))) {
          result.skipped++;
          continue;
        }
        if (events.length > 0) {
          await ports.publish(events);
          await ports.profiles.clearOutbox(id, stored.version + 1);
          result.changed += events.length;
        }
      }
    }
  }
  return result;
}
