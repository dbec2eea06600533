/**
 * Graph checks of a schema-valid scenario: every target exists, every step is reachable, and every loop
 * passes a wait (a loop without one would spin through state transitions, each of them billed).
 */
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

export function checkGraph(scenario: Scenario): ScenarioIssue[] {
  const { steps } = scenario;
  const issues: ScenarioIssue[] = [];
  const indexOf = new Map<string, number>();
  steps.forEach((s, i) => {
    if (indexOf.has(s.id)) issues.push({ path: `steps[${i}].id`, message: `duplicate step id "${s.id}" (also steps[${indexOf.get(s.id)}])` });
    else indexOf.set(s.id, i);
  });

  const successors: number[][] = steps.map((_, i) =>
    edgesOf(steps, i).flatMap((e) => {
      if (e.target === undefined) return [];
      const j = indexOf.get(e.target);
      if (j === undefined) {
        issues.push({ path: e.path, message: `no step has the id "${e.target}"` });
        return [];
      }
      return [j];
    }),
  );
  if (issues.length > 0) return issues;

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
    if (!reached.has(i)) issues.push({ path: `steps[${i}]`, message: `step "${s.id}" is unreachable: no step leads to it` });
  });

  // Cycles among steps that do not wait: depth-first search with colours on that subgraph.
  const colour = new Array<0 | 1 | 2>(steps.length).fill(0);
  const stack: number[] = [];
  const reported = new Set<string>();
  const visit = (i: number) => {
    colour[i] = 1;
    stack.push(i);
    for (const j of successors[i]!) {
      if (isWaiting(steps[j]!)) continue;
      if (colour[j] === 1) {
        const cycle = stack.slice(stack.indexOf(j)).map((k) => steps[k]!.id);
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          issues.push({
            path: `steps[${j}]`,
            message: `loop without a wait: ${[...cycle, steps[j]!.id].join(' → ')} (add a wait or waitFor to the loop)`,
          });
        }
      } else if (colour[j] === 0) visit(j);
    }
    stack.pop();
    colour[i] = 2;
  };
  steps.forEach((s, i) => {
    if (colour[i] === 0 && !isWaiting(s)) visit(i);
  });

  return [...issues, ...checkSemantics(scenario)];
}

function checkSemantics(scenario: Scenario): ScenarioIssue[] {
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
