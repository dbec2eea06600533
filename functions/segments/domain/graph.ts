/**
 * The graph of `segment` references across a deployment's segments: every reference names a segment, no
 * cycle, chains no longer than the limit, and an evaluation order in which a segment comes after every
 * segment it references (so one pass over a profile evaluates them all).
 */
import { closest } from '../../shared/suggest.js';
import { SegmentError, type SegmentSetIssue } from '../errors.js';
import { referencesOf, type Segment, segmentLimits } from './definition.js';

/** Every problem of a set of segments (each valid on its own), attributed to a segment and a field in it. */
export function checkSegmentSet(segments: readonly Segment[]): SegmentSetIssue[] {
  const issues: SegmentSetIssue[] = [];
  if (segments.length > segmentLimits.maxSegments) {
    issues.push({ segment: segments[segmentLimits.maxSegments]!.id, path: '', message: `at most ${segmentLimits.maxSegments} segments per deployment, got ${segments.length}` });
  }
  const byId = new Map<string, Segment>();
  for (const s of segments) {
    if (byId.has(s.id)) issues.push({ segment: s.id, path: 'id', message: `duplicate segment id "${s.id}"` });
    else byId.set(s.id, s);
  }
  const ids = [...byId.keys()];
  for (const s of byId.values()) {
    for (const ref of referencesOf(s)) {
      if (byId.has(ref.id)) continue;
      const suggestion = closest(ref.id, ids);
      issues.push({ segment: s.id, path: ref.path, message: `no segment has the id "${ref.id}"`, ...(suggestion ? { suggestion } : {}) });
    }
  }
  if (issues.length > 0) return issues;
  const cycles = findCycles(byId);
  return cycles.length > 0 ? cycles : tooDeep(byId);
}

/** Cycles, each reported once, at the reference that closes it: `a → b → a`. */
function findCycles(byId: ReadonlyMap<string, Segment>): SegmentSetIssue[] {
  const issues: SegmentSetIssue[] = [];
  const colour = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string) => {
    colour.set(id, 1);
    stack.push(id);
    for (const ref of referencesOf(byId.get(id)!)) {
      if (colour.get(ref.id) === 1) {
        const cycle = stack.slice(stack.indexOf(ref.id));
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          issues.push({ segment: id, path: ref.path, message: `segments reference each other in a cycle: ${[...cycle, ref.id].join(' → ')}` });
        }
      } else if (!colour.has(ref.id)) visit(ref.id);
    }
    stack.pop();
    colour.set(id, 2);
  };
  for (const id of byId.keys()) if (!colour.has(id)) visit(id);
  return issues;
}

/** Reference chains longer than the limit (acyclic graph), at the segment that starts one. */
function tooDeep(byId: ReadonlyMap<string, Segment>): SegmentSetIssue[] {
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const d = Math.max(0, ...referencesOf(byId.get(id)!).map((r) => 1 + depthOf(r.id)));
    depth.set(id, d);
    return d;
  };
  return [...byId.keys()].flatMap((id) => {
    const d = depthOf(id);
    return d > segmentLimits.maxReferenceDepth
      ? [{ segment: id, path: 'conditions', message: `segment references chain ${d} deep, at most ${segmentLimits.maxReferenceDepth} (${chainFrom(id, byId, depth).join(' → ')})` }]
      : [];
  });
}

function chainFrom(id: string, byId: ReadonlyMap<string, Segment>, depth: ReadonlyMap<string, number>): string[] {
  const next = referencesOf(byId.get(id)!).find((r) => depth.get(r.id) === depth.get(id)! - 1);
  return next ? [id, ...chainFrom(next.id, byId, depth)] : [id];
}

/**
 * The segments in evaluation order: each after every segment it references, otherwise in the order given
 * (stable, so the same set always evaluates the same way). Throws SegmentError naming every problem.
 */
export function evaluationOrder(segments: readonly Segment[]): Segment[] {
  const issues = checkSegmentSet(segments);
  if (issues.length > 0) throw new SegmentError('segments', issues);
  const placed = new Set<string>();
  const order: Segment[] = [];
  let rest = [...segments];
  while (rest.length > 0) {
    const ready = rest.filter((s) => referencesOf(s).every((r) => placed.has(r.id)));
    for (const s of ready) {
      placed.add(s.id);
      order.push(s);
    }
    rest = rest.filter((s) => !placed.has(s.id));
  }
  return order;
}

/** The segments whose membership can change when `changed` do (they reference them, directly or not). */
export function dependentsOf(segments: readonly Segment[], changed: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of segments) {
      if (out.has(s.id)) continue;
      if (referencesOf(s).some((r) => changed.has(r.id) || out.has(r.id))) {
        out.add(s.id);
        grew = true;
      }
    }
  }
  return out;
}
