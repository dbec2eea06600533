import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { type AslDefinition, compile, substitute } from '../../../functions/scenarios/domain/compile.js';
import { validateScenario } from '../../../functions/scenarios/domain/load.js';
import { loadScenarioFile, scenarioFiles } from '../../../functions/scenarios/adapters/scenario-files.js';
import { repoRoot } from '../../helpers/repo.js';

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
      // UPDATE_GOLDEN=1 rewrites the files after a deliberate compiler change (review the diff).
      if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, text);
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
