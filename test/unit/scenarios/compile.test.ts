import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { type AslDefinition, compile, substitute } from '../../../functions/scenarios/domain/compile.js';
import { validateScenario } from '../../../functions/scenarios/domain/load.js';
import { loadScenarioFile, scenarioFiles } from '../../../functions/scenarios/adapters/scenario-files.js';
import { repoRoot } from '../../helpers/repo.js';
import { sendInProgressRetrier, sendThrottleRetrier } from '../../../functions/scenarios/domain/retry-policy.js';
import { SendInProgressError, SendRetryableError } from '../../../functions/sending/errors.js';
import { claimLeaseMs, duplicateWaitMs } from '../../../functions/sending/domain/send.js';

const examples = scenarioFiles(join(repoRoot, 'statemachines'));
const goldenDir = join(repoRoot, 'test/unit/scenarios/golden');
const filled = {
  SendFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:send',
  StepsFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:steps',
  TableName: 'main',
  EventBusName: 'nurture',
};

function validate(definition: AslDefinition) {
  const { isValid, errorsText } = aslValidator(definition, { checkArn: true, checkPaths: true });
  return isValid ? 'valid' : errorsText('\n');
}

const base = { id: 'c', name: 'C', trigger: { event: 'E' } };

describe('scenario compiler', () => {
  it('has the example scenarios the seeds describe, and the MQL welcome', () => {
    expect(examples.map((f) => basename(f))).toEqual([
      'brochure-nurture.yaml',
      'cart-reminder.yaml',
      'dormant-reengagement.yaml',
      'first-purchase-coupon.yaml',
      'mql-welcome.yaml',
      'pricing-no-inquiry.yaml',
    ]);
  });

  for (const file of examples) {
    const id = basename(file, '.yaml');
    it(`compiles ${id} to the golden ASL, which asl-validator accepts`, () => {
      const definition = compile(loadScenarioFile(file));
      const golden = join(goldenDir, `${id}.asl.json`);
      const text = `${JSON.stringify(definition, null, 2)}\n`;
      // UPDATE_GOLDEN=1 writes the files after a deliberate compiler change (review the diff); without
      // it a missing golden fails, so deleting one cannot make this test pass.
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
      expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1 to write it`).toBe(true);
      expect(text).toBe(readFileSync(golden, 'utf8'));
      expect(validate(substitute(definition, filled))).toBe('valid');
      expect(JSON.stringify(definition)).not.toMatch(/QueryLanguage|JSONata|\{%/);
    });
  }

  it('uses only templates that exist in templates/', () => {
    for (const file of examples) {
      for (const step of loadScenarioFile(file).steps) {
        if (step.type === 'send') expect(existsSync(join(repoRoot, 'templates', `${step.template}.liquid`)), `${file}: ${step.template}`).toBe(true);
      }
    }
  });

  it('keeps every step at two states or fewer on its normal path', () => {
    for (const file of examples) {
      const scenario = loadScenarioFile(file);
      const states = compile(scenario).States;
      for (const step of scenario.steps) {
        const own = Object.keys(states).filter((n) => n === step.id || n.startsWith(`${step.id}.`) && !n.endsWith('.deferred'));
        expect(own.length, `${scenario.id}/${step.id}: ${own.join(', ')}`).toBeLessThanOrEqual(2);
      }
    }
  });

  it('reads the profile with a direct DynamoDB GetItem when a branch only tests strings and flags', () => {
    const def = compile(
      validateScenario({
        ...base,
        steps: [
          { id: 'b', type: 'branch', paths: [{ when: [{ field: 'stage', in: ['mql', 'sql'] }, { field: 'traits.vip', equals: true }], next: 'x' }] },
          { id: 'x', type: 'exit' },
        ],
      }),
    );
    expect(def.States['b.check']).toMatchObject({ Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { ConsistentRead: true } });
    expect(JSON.stringify(def.States.b)).toContain('$.check.Item.traits.M.vip.BOOL');
  });

  it('branches on where a person came from with the same direct read (touches are maps on the item)', () => {
    const def = compile(
      validateScenario({
        ...base,
        steps: [
          { id: 'b', type: 'branch', paths: [{ when: [{ field: 'lastTouch.medium', equals: 'cpc' }], next: 'x' }] },
          { id: 'x', type: 'exit' },
        ],
      }),
    );
    expect(def.States['b.check']).toMatchObject({ Resource: 'arn:aws:states:::dynamodb:getItem' });
    expect(JSON.stringify(def.States['b.check'])).toContain('lastTouch');
    expect(JSON.stringify(def.States.b)).toContain('$.check.Item.lastTouch.M.medium.S');
  });

  it('asks the scenario-steps function when a branch needs numbers or history', () => {
    const def = compile(
      validateScenario({
        ...base,
        steps: [
          { id: 'b', type: 'branch', paths: [{ when: [{ field: 'score', gte: 50 }], next: 'x' }] },
          { id: 'x', type: 'exit' },
        ],
      }),
    );
    expect(def.States['b.check']).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${StepsFunctionArn}', Payload: { action: 'facts', atoms: [{ field: 'score', gte: 50 }] } },
    });
    // Without else, the branch falls through to the following step.
    expect(def.States.b).toMatchObject({ Choices: [{ Variable: '$.check.c.c0', BooleanEquals: true, Next: 'x' }], Default: 'x' });
  });

  it('sends with an idempotency key of execution name and step, and waits out a deferral', () => {
    const def = compile(validateScenario({ ...base, steps: [{ id: 's', type: 'send', template: 'welcome' }] }));
    expect(def.States.s).toMatchObject({
      Parameters: { Payload: { 'idempotencyKey.$': "States.Format('{}#s', $$.Execution.Name)", category: 'marketing', capPolicy: 'defer', scenarioId: 'c' } },
      Next: 's.status',
    });
    expect(def.States['s.status']).toMatchObject({ Choices: [{ StringEquals: 'deferred', Next: 's.deferred' }], Default: 'Done' });
    expect(def.States['s.deferred']).toMatchObject({ Type: 'Wait', TimestampPath: '$.lastSend.detail.until', Next: 's' });
  });

  it('takes the else path of a waitFor on States.Timeout', () => {
    const def = compile(
      validateScenario({
        ...base,
        steps: [
          { id: 'w', type: 'waitFor', event: 'Email Opened', timeout: '3d', then: 'yes', else: 'no' },
          { id: 'yes', type: 'exit' },
          { id: 'no', type: 'exit' },
        ],
      }),
    );
    expect(def.States.w).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 259200,
      Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'no' }],
      Next: 'yes',
    });
  });
});

type Retrier = { ErrorEquals: readonly string[]; IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number; MaxAttempts?: number; JitterStrategy?: string };
const retriersOf = (def: AslDefinition) => Object.values(def.States).flatMap((st) => (st.Retry ?? []) as unknown as Retrier[]);
const errorsNamed = (def: AslDefinition) =>
  Object.values(def.States).flatMap((st) => [...((st.Retry ?? []) as unknown as Retrier[]), ...((st.Catch ?? []) as unknown as Retrier[])]).flatMap((r) => r.ErrorEquals);
/** Seconds Step Functions waits before each retry without jitter (ASL: interval × rate^n, capped). */
const delays = (r: Retrier) =>
  Array.from({ length: r.MaxAttempts ?? 3 }, (_, n) => Math.min((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** n, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY));

describe('retries of compiled scenarios', () => {
  const definitions = examples.map((f) => compile(loadScenarioFile(f)));
  const sendStates = definitions.flatMap((d) => Object.values(d.States).filter((st) => JSON.stringify(st.Parameters ?? {}).includes('${SendFunctionArn}')));

  it("retries the send function's own retryable errors on every send step, by the names it throws", () => {
    expect(sendStates.length).toBeGreaterThan(0);
    // Step Functions matches a Lambda error by its errorType: the thrown error's `name`, exactly.
    const thrown = [new SendRetryableError('throttled').name, new SendInProgressError('in progress').name];
    for (const state of sendStates) {
      const retried = (state.Retry as unknown as Retrier[]).flatMap((r) => r.ErrorEquals);
      for (const name of thrown) expect(retried, state.Comment as string).toContain(name);
    }
  });

  it('retries SES throttling with exponential backoff and full jitter, up to a minute apart', () => {
    expect(sendThrottleRetrier).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2, MaxDelaySeconds: 60 });
    // Without jitter the waits would add up to 5 minutes; full jitter waits a random share of each.
    expect(delays(sendThrottleRetrier).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(300);
  });

  it("keeps retrying a send held by another call for longer than the claim's lease, so a dead holder's send is taken over", () => {
    expect(sendInProgressRetrier).not.toHaveProperty('JitterStrategy');
    const waited = delays(sendInProgressRetrier).reduce((a, b) => a + b, 0);
    expect(waited * 1000).toBeGreaterThan(claimLeaseMs + duplicateWaitMs);
  });

  it('names only errors that exist: DynamoDB retries and catches use the DynamoDB API exception names', () => {
    const named = [...new Set(definitions.flatMap(errorsNamed))];
    const dynamo = named.filter((n) => n.startsWith('DynamoDB.'));
    expect(dynamo).toContain('DynamoDB.InternalServerError');
    for (const name of dynamo) {
      const Exception = (dynamodb as unknown as Record<string, new (o: object) => Error>)[name.slice('DynamoDB.'.length)];
      expect(Exception, name).toBeTypeOf('function');
      expect(new Exception!({ message: 'x', $metadata: {} }).name).toBe(name.slice('DynamoDB.'.length));
    }
  });

  it('uses only retrier fields Step Functions accepts (asl-validator does not check jitter and delay caps)', () => {
    for (const r of definitions.flatMap(retriersOf)) {
      if (r.JitterStrategy !== undefined) expect(['FULL', 'NONE']).toContain(r.JitterStrategy);
      // MaxDelaySeconds: a positive integer below 31622401 (one year and a second).
      if (r.MaxDelaySeconds !== undefined) expect(Number.isInteger(r.MaxDelaySeconds) && r.MaxDelaySeconds > 0 && r.MaxDelaySeconds < 31_622_401).toBe(true);
    }
  });
});
