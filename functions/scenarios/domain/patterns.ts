/**
 * Triggers and goals as EventBridge event patterns. The same pattern object becomes the CDK rule on AWS
 * and the local bus rule, so what enrolls locally is what enrolls in production.
 */
import { activitySource, leadSource } from '../../shared/domain-events.js';
import { type Filter, opsOf, type Where } from './conditions.js';
import type { Goal, Trigger } from './schema.js';

export type EventPattern = { [key: string]: EventPattern | unknown[] };

/** One filter as the value array of an event pattern field. */
export function filterPattern(filter: Filter): unknown[] {
  const o = opsOf(filter);
  if (o.equals !== undefined) return [o.equals];
  if (o.notEquals !== undefined) return [{ 'anything-but': o.notEquals }];
  if (o.in !== undefined) return [...o.in];
  if (o.notIn !== undefined) return [{ 'anything-but': [...o.notIn] }];
  if (o.exists !== undefined) return [{ exists: o.exists }];
  if (o.prefix !== undefined) return [{ prefix: o.prefix }];
  const numeric: Array<string | number> = [];
  if (o.gt !== undefined) numeric.push('>', o.gt);
  if (o.gte !== undefined) numeric.push('>=', o.gte);
  if (o.lt !== undefined) numeric.push('<', o.lt);
  if (o.lte !== undefined) numeric.push('<=', o.lte);
  return [{ numeric }];
}

/** `{ "properties.total": {gte: 100} }` → `{ properties: { total: [{ numeric: [">=", 100] }] } }`. */
export function wherePattern(where: Where | undefined): EventPattern {
  const out: EventPattern = {};
  for (const [path, filter] of Object.entries(where ?? {})) {
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) {
      const child = node[key];
      node = (child && !Array.isArray(child) ? child : (node[key] = {})) as EventPattern;
    }
    node[keys[keys.length - 1]!] = filterPattern(filter);
  }
  return out;
}

function withDetail(base: EventPattern, detail: EventPattern): EventPattern {
  return Object.keys(detail).length > 0 ? { ...base, detail } : base;
}

export function triggerPattern(t: Trigger): EventPattern {
  const detail = wherePattern(t.where);
  if (t.event !== undefined) return withDetail({ source: [activitySource], 'detail-type': [t.event] }, detail);
  if (t.stage !== undefined) return withDetail({ source: [leadSource], 'detail-type': ['lead.stage_changed'] }, { ...detail, to: [t.stage] });
  if (t.lifecycle !== undefined) return withDetail({ source: [leadSource], 'detail-type': ['lead.lifecycle_changed'] }, { ...detail, to: [t.lifecycle] });
  if (t.identified) return withDetail({ source: [leadSource], 'detail-type': ['lead.identified'] }, detail);
  if (t.segment !== undefined) return withDetail({ source: [leadSource], 'detail-type': [`segment.${t.on ?? 'entered'}`] }, { ...detail, segmentId: [t.segment] });
  // Every activity while the score is at or above the threshold; re-entry policy makes it enroll once.
  return withDetail({ source: [activitySource] }, { ...detail, score: [{ numeric: ['>=', t.score!.atLeast] }] });
}

export function goalPattern(g: Goal): EventPattern {
  const detail = wherePattern(g.where);
  if (g.event !== undefined) return withDetail({ source: [activitySource], 'detail-type': [g.event] }, detail);
  return withDetail({ source: [leadSource], 'detail-type': ['lead.stage_changed'] }, { ...detail, to: [g.stage!] });
}

/** Plain words for simulate and `scenarios list`. */
export function describeTrigger(t: Trigger): string {
  if (t.event !== undefined) return `"${t.event}"`;
  if (t.stage !== undefined) return `stage becomes ${t.stage}`;
  if (t.lifecycle !== undefined) return `customer becomes ${t.lifecycle.replace('_', ' ')}`;
  if (t.identified) return 'visitor identified';
  if (t.segment !== undefined) return `${t.on === 'exited' ? 'leaves' : 'enters'} segment ${t.segment}`;
  return `score reaches ${t.score!.atLeast}`;
}
