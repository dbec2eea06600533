import { join } from 'node:path';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { sendInputSchema } from '../../../functions/sending/domain/contract.js';
import { compile, type Json } from '../../../functions/scenarios/domain/compile.js';
import { placeholders } from '../../../functions/scenarios/domain/contract.js';
import { enrollInputSchema, enrollTargetInput } from '../../../functions/scenarios/domain/enroll-input.js';
import { validateScenario } from '../../../functions/scenarios/domain/load.js';
import { loadScenarios } from '../../../functions/scenarios/adapters/scenario-files.js';
import { stepActionSchema } from '../../../functions/scenarios/domain/step-actions.js';
import { repoRoot } from '../../helpers/repo.js';

const examples = loadScenarios(join(repoRoot, 'statemachines'));

/** What Step Functions puts in place of each `key.$` path of a Task payload at run time. */
const runtimeValues: Record<string, Json> = {
  profileId: 'p_0123',
  idempotencyKey: 'p_0123-abcdefghijklmnop#send-offer',
  trigger: { event: 'Checkout Started', profileId: 'p_0123' },
  token: 'task-token',
  executionName: 'p_0123-abcdefghijklmnop',
  lastSend: { status: 'sent', detail: { status: 'sent', sendId: 's_1', messageId: 'm_1' }, at: '2026-03-01T12:00:00Z' },
};

function atRuntime(payload: Json): Json {
  if (Array.isArray(payload)) return payload.map(atRuntime);
  if (!payload || typeof payload !== 'object') return payload;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (!key.endsWith('.$')) out[key] = atRuntime(value);
    else if (key.slice(0, -2) in runtimeValues) out[key.slice(0, -2)] = runtimeValues[key.slice(0, -2)]!;
    else throw new Error(`no run-time value for ${key}`);
  }
  return out;
}

/** The payloads every compiled Task sends to the function behind `placeholder`. */
function payloadsTo(placeholder: string): Json[] {
  return examples.flatMap((s) =>
    Object.values(compile(s).States).flatMap((state) => {
      const params = state.Parameters as { FunctionName?: string; Payload?: Json } | undefined;
      return params?.FunctionName === `\${${placeholder}}` && params.Payload ? [atRuntime(params.Payload)] : [];
    }),
  );
}

describe('contracts between scenarios and the functions they call', () => {
  it("sends every compiled send step's payload in the send function's own input schema", () => {
    const payloads = payloadsTo(placeholders.sendFunction);
    expect(payloads.length).toBeGreaterThan(0);
    for (const payload of payloads) expect(z.safeParse(sendInputSchema, payload).error?.issues).toBeUndefined();
  });

  it('sends every scenario-steps action in the schema the steps function parses', () => {
    const payloads = payloadsTo(placeholders.stepsFunction);
    const actions = new Set(payloads.map((p) => (p as { action: string }).action));
    expect([...actions].sort()).toEqual(['facts', 'points', 'until', 'waitFor']);
    for (const payload of payloads) expect(z.safeParse(stepActionSchema, payload).error?.issues).toBeUndefined();
  });

  it('builds the enroll input of every rule in the schema enroll parses, from the delivered event', () => {
    const scenario = validateScenario({
      id: 'cart',
      name: 'Cart',
      trigger: { event: 'Checkout Started', who: [{ field: 'known', equals: true }] },
      reentry: { after: '30d' },
      goal: { event: 'Order Completed', where: { 'properties.total': { gte: 1 } } },
      steps: [{ id: 'done', type: 'exit' }],
    });
    const event = { id: 'ev-1', source: 'nurture.activity', 'detail-type': 'Checkout Started', time: '2026-03-01T12:00:00Z', detail: { profileId: 'p_1' } };
    const field = (path: string) => event[path.slice(2) as keyof typeof event];
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:nurture-scenario-cart';

    const trigger = z.parse(enrollInputSchema, enrollTargetInput({ kind: 'trigger', scenario, stateMachineArn: arn }, field));
    const goal = z.parse(enrollInputSchema, enrollTargetInput({ kind: 'goal', scenario, stateMachineArn: arn }, field));
    const ended = enrollTargetInput({ kind: 'ended' }, () => ({ name: 'x', status: 'SUCCEEDED', input: '{}' }));

    expect(trigger).toMatchObject({
      kind: 'trigger',
      scenarioId: 'cart',
      reentry: { after: '30d' },
      who: [{ field: 'known', equals: true }],
      goal: { event: 'Order Completed', where: { 'properties.total': { gte: 1 } } },
      event: { id: 'ev-1', detailType: 'Checkout Started', detail: { profileId: 'p_1' } },
    });
    expect(goal).toMatchObject({ kind: 'goal', scenarioId: 'cart', stateMachineArn: arn, event: { source: 'nurture.activity' } });
    expect(z.safeParse(enrollInputSchema, ended).success).toBe(true);
  });
});
