/**
 * Graph checks of a schema-valid scenario: every target exists, every step is reachable, and every loop
 * passes a wait (a loop without one would spin through state transitions, each of them billed).
 */
import { closest } from '../../shared/suggest.js';
import { atomsOf, isLastEmail } from './conditions.js';
import type { ScenarioIssue } from '../errors.js';
import type { Scenario, Step } from './schema.js';

/** A link from one step to the next: where it is declared, and its target (undefined = journey ends). */
export interface Edge {
  /** Path of the field that declares it, for error messages (`steps[2].else`). */
  path: string;
  label: string;
  target: string | undefined;
}

/** A step's outgoing edges; an omitted target means the following step, or the end after the last one. */
export function edgesOf(steps: readonly Step[], index: number): Edge[] {
  const step = steps[index]!;
  const following = steps[index + 1]?.id;
  const at = (field: string) => `steps[${index}].${field}`;
  switch (step.type) {
    case 'wait':
    case 'send':
    case 'update':
    case 'notify':
      return [{ path: at('next'), label: 'next', target: step.next ?? following }];
    case 'branch':
      return [
        ...step.paths.map((p, i) => ({ path: at(`paths[${i}].next`), label: p.name ?? `path ${i + 1}`, target: p.next })),
        { path: at('else'), label: 'else', target: step.else ?? following },
      ];
    case 'waitFor':
      return [
        { path: at('then'), label: 'then', target: step.then ?? following },
        { path: at('else'), label: 'else (timeout)', target: step.else ?? following },
      ];
    case 'exit':
      return [];
  }
}

/** Steps that let time pass, so a loop through one of them is a schedule rather than a spin. */
export function isWaiting(step: Step): boolean {
  return step.type === 'wait' || step.type === 'waitFor';
}

/** A step as the graph check sees it: its id, whether it lets time pass, and where it leads. */
export interface GraphStep {
  id: string | undefined;
  waits: boolean;
  edges: Edge[];
}

/** The graph of schema-valid steps. */
export function graphOf(steps: readonly Step[]): GraphStep[] {
  return steps.map((s, i) => ({ id: s.id, waits: isWaiting(s), edges: edgesOf(steps, i) }));
}

/**
 * The graph of a draft whose steps may not all be valid, so that a bad step does not hide the graph's own
 * problems. A step that fails its schema keeps its id and every target it names; it also counts as leading
 * to the following step (unless it exits or names its next), and as waiting, so the check never reports an
 * unreachable step or a loop on a guess.
 */
export function draftGraphOf(raw: readonly unknown[], parseStep: (raw: unknown) => Step | undefined): GraphStep[] {
  const valid = raw.map(parseStep);
  // edgesOf reads only a step and the id of the one after it: an invalid neighbour lends just its id.
  const idOf = (r: unknown) => {
    const id = (r as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  };
  const stubbed = raw.map((r, i) => valid[i] ?? ({ id: idOf(r), type: 'exit' } as Step));
  return raw.map((r, i): GraphStep => {
    const ok = valid[i];
    if (ok) return { id: ok.id, waits: isWaiting(ok), edges: edgesOf(stubbed, i) };
    const step = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
    const following = idOf(raw[i + 1]);
    const at = (field: string) => `steps[${i}].${field}`;
    const named: Edge[] = (['next', 'then', 'else'] as const).flatMap((f) => (typeof step[f] === 'string' ? [{ path: at(f), label: f, target: step[f] as string }] : []));
    if (Array.isArray(step.paths)) {
      step.paths.forEach((p: unknown, k) => {
        const next = (p as { next?: unknown } | null)?.next;
        if (typeof next === 'string') named.push({ path: at(`paths[${k}].next`), label: `path ${k + 1}`, target: next });
      });
    }
    const fallThrough = step.type !== 'exit' && typeof step.next !== 'string' && following !== undefined;
    return {
      id: idOf(step),
      waits: true,
      edges: [...named, ...(fallThrough ? [{ path: at('next'), label: 'next', target: following }] : [])],
    };
  });
}

/** Every problem of a schema-valid scenario: its step graph, then what it means. */
export function checkGraph(scenario: Scenario): ScenarioIssue[] {
  return [...checkStepGraph(graphOf(scenario.steps)), ...checkSemantics(scenario)];
}

/** Duplicate ids and unknown targets; when there are none, unreachable steps and loops without a wait. */
export function checkStepGraph(steps: readonly GraphStep[]): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const indexOf = new Map<string, number>();
  steps.forEach((s, i) => {
    if (s.id === undefined) return;
    if (indexOf.has(s.id)) issues.push({ path: `steps[${i}].id`, message: `duplicate step id "${s.id}" (also steps[${indexOf.get(s.id)}])` });
    else indexOf.set(s.id, i);
  });

  const ids = [...indexOf.keys()];
  const successors: number[][] = steps.map((s) =>
    s.edges.flatMap((e) => {
      if (e.target === undefined) return [];
      const j = indexOf.get(e.target);
      if (j === undefined) {
        const suggestion = closest(e.target, ids);
        issues.push({ path: e.path, message: `no step has the id "${e.target}"`, ...(suggestion ? { suggestion } : {}) });
        return [];
      }
      return [j];
    }),
  );
  if (issues.length > 0 || steps.length === 0) return issues;

  const reached = new Set<number>([0]);
  const queue = [0];
  while (queue.length > 0) {
    for (const j of successors[queue.shift()!]!) {
      if (!reached.has(j)) {
        reached.add(j);
        queue.push(j);
      }
    }
  }
  steps.forEach((s, i) => {
    if (!reached.has(i)) issues.push({ path: `steps[${i}]`, message: `step "${s.id ?? i}" is unreachable: no step leads to it` });
  });

  // Cycles among steps that do not wait: depth-first search with colours on that subgraph.
  const colour = new Array<0 | 1 | 2>(steps.length).fill(0);
  const stack: number[] = [];
  const reported = new Set<string>();
  const visit = (i: number) => {
    colour[i] = 1;
    stack.push(i);
    for (const j of successors[i]!) {
      if (steps[j]!.waits) continue;
      if (colour[j] === 1) {
        const cycle = stack.slice(stack.indexOf(j)).map((k) => steps[k]!.id ?? `steps[${k}]`);
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          issues.push({
            path: `steps[${j}]`,
            message: `loop without a wait: ${[...cycle, steps[j]!.id ?? `steps[${j}]`].join(' → ')} (add a wait or waitFor to the loop)`,
          });
        }
      } else if (colour[j] === 0) visit(j);
    }
    stack.pop();
    colour[i] = 2;
  };
  steps.forEach((s, i) => {
    if (colour[i] === 0 && !s.waits) visit(i);
  });
  return issues;
}

/** What a valid graph means: conditions that cannot hold where they stand, a goal that ends every journey. */
export function checkSemantics(scenario: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const { trigger, goal } = scenario;
  atomsOf(trigger.who ?? []).forEach((atom) => {
    if (isLastEmail(atom)) issues.push({ path: 'trigger.who', message: 'lastEmail means nothing at enrollment: no email was sent yet' });
  });
  if (
    goal &&
    ((goal.event !== undefined && goal.event === trigger.event) || (goal.stage !== undefined && goal.stage === trigger.stage)) &&
    JSON.stringify(goal.where ?? {}) === JSON.stringify(trigger.where ?? {})
  ) {
    issues.push({ path: 'goal', message: 'the goal is the trigger itself: every enrollment would end at once' });
  }
  let sawSend = false;
  scenario.steps.forEach((s, i) => {
    if (s.type === 'send') sawSend = true;
    if (s.type === 'branch' && !sawSend) {
      s.paths.forEach((p, k) => {
        if (atomsOf(p.when).some(isLastEmail))
          issues.push({ path: `steps[${i}].paths[${k}].when`, message: 'lastEmail before any send step: no email to look at' });
      });
    }
  });
  return issues;
}
