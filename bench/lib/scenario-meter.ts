/**
 * What scenarios cost per execution beyond Step Functions' transitions, counted from local mode's meter
 * (local/iam/meter.ts): DynamoDB capacity units of enrollment and steps, and the Lambda invocations that
 * run them. The send function is left out on purpose: its units and time are the sending bench's, billed
 * per email (`nurture cost` adds them per email, scenario mail included).
 */
import type { Meter } from '../../local/iam/meter.js';
import { dynamoWriteOperations } from '../../local/iam/meter.js';

/** Functions whose invocations are the scenario's Lambda tasks (the rule-targeted enroll, the steps task). */
export const scenarioFunctions: ReadonlySet<string> = new Set(['enroll', 'scenarioSteps']);

/** Principals whose DynamoDB calls are enrollment and steps: those functions and the state machines' own tasks. */
const countsFor = (principal: string | undefined) => principal !== undefined && (scenarioFunctions.has(principal) || principal.startsWith('scenario:'));

interface PrincipalCounts {
  requests: number;
  writeUnits: number;
  readUnits: number;
}
interface FunctionCounts {
  invocations: number;
  /** Invocations that did not wait on the function's first load (a cold start: the model adds init time apart). */
  warm: number;
  warmMs: number;
}

export function scenarioCostMeter(): Meter & { totals(): ReturnType<typeof summarize> } {
  const byPrincipal: Record<string, PrincipalCounts> = {};
  const functions: Record<string, FunctionCounts & { firstDone?: number }> = {};
  const summarize = () => {
    const all = Object.values(byPrincipal);
    const fns = Object.values(functions);
    return {
      byPrincipal,
      functions: Object.fromEntries(Object.entries(functions).map(([k, { firstDone: _f, ...v }]) => [k, v])) as Record<string, FunctionCounts>,
      writeUnits: all.reduce((n, c) => n + c.writeUnits, 0),
      readUnits: all.reduce((n, c) => n + c.readUnits, 0),
      invocations: fns.reduce((n, f) => n + f.invocations, 0),
      warm: fns.reduce((n, f) => n + f.warm, 0),
      warmMs: fns.reduce((n, f) => n + f.warmMs, 0),
    };
  };
  return {
    exchange(e) {
      if (e.service !== 'dynamodb' || !countsFor(e.principal)) return;
      const c = (byPrincipal[e.principal!] ??= { requests: 0, writeUnits: 0, readUnits: 0 });
      c.requests++;
      if (dynamoWriteOperations.has(e.operation)) c.writeUnits += e.capacityUnits ?? 0;
      else c.readUnits += e.capacityUnits ?? 0;
    },
    invocation(i) {
      if (!scenarioFunctions.has(i.name)) return;
      const f = (functions[i.name] ??= { invocations: 0, warm: 0, warmMs: 0 });
      f.invocations++;
      const done = i.startedAt + i.ms;
      // Started before the first invocation finished: it waited on the module's first import.
      if (f.firstDone === undefined) f.firstDone = done;
      else if (i.startedAt >= f.firstDone) {
        f.warm++;
        f.warmMs += i.ms;
      }
    },
    totals: summarize,
  };
}
