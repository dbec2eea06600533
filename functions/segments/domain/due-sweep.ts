/**
 * The segments due sweep: people whose membership changes by time alone ("no visit in 30 days", a window
 * count ageing out, a lifecycle state a segment reads) are found through the sparse `bySegmentsDue` index,
 * entries due at or before the run, never by a scan, and re-evaluated (reevaluate.ts). Runs every
 * `segmentsSweepMinutes` on AWS, so a time boundary is acted on within that. Pure (ports).
 */
import type { LifecycleThresholds } from '../../scoring/domain/lifecycle.js';
import { segmentsDueShards } from './membership.js';
import { emptyResult, reevaluate, type ReevaluatePorts, type ReevaluateResult } from './reevaluate.js';
import type { DeployedSegments } from './step.js';

/** How often the sweep runs on AWS (an EventBridge schedule): time boundaries are late by at most this. */
export const segmentsSweepMinutes = 1;

export interface DueSweepPorts extends ReevaluatePorts {
  segments(): Promise<DeployedSegments>;
  lifecycle(): Promise<LifecycleThresholds>;
  /** Pages of ids of profiles in a due index partition whose segmentsDue is at or before `now` (ISO). */
  due: { dueBy(shard: number, now: string): AsyncIterable<string[]> };
}

export async function sweepSegmentsDue(now: Date, ports: DueSweepPorts): Promise<ReevaluateResult> {
  const [deployed, lifecycle] = await Promise.all([ports.segments(), ports.lifecycle()]);
  const total = emptyResult();
  for (let shard = 0; shard < segmentsDueShards; shard++) {
    for await (const ids of ports.due.dueBy(shard, now.toISOString())) {
      const r = await reevaluate(ids, deployed, now, ports, { dueOnly: true, lifecycle });
      for (const k of Object.keys(total) as (keyof ReevaluateResult)[]) total[k] += r[k];
    }
  }
  return total;
}
