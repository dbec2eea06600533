import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NurtureStack } from '../../../infra/stack.js';
import { getAtt, logicalIdOf, removeOutdirs, roleStatements, synthStack, synthTimeoutMs } from '../../infra/synth.js';

type Resource = { Type: string; Properties: Record<string, any> };
let template: Template;
let stack: NurtureStack;

beforeAll(() => {
  ({ template, stack } = synthStack({ 'nurture:senderName': 'Acme Analytics', 'nurture:senderPostalAddress': '1-2-3 Marunouchi, Tokyo' }));
}, synthTimeoutMs);
afterAll(removeOutdirs);

const resources = (type: string) => Object.values(template.findResources(type) as Record<string, Resource>);

describe('form follow-up stack', () => {
  it('runs on Form Submitted with followUp on the Nurture bus, retrying into a dead-letter queue', () => {
    const { fn, failures } = stack.formsFollowUp;
    const rule = resources('AWS::Events::Rule').find((r) => r.Properties.Targets?.[0]?.Arn?.['Fn::GetAtt']?.[0] === logicalIdOf(fn))!;
    expect(rule.Properties.EventPattern).toEqual({ source: ['nurture.activity'], 'detail-type': ['Form Submitted'], detail: { properties: { followUp: [true] } } });
    expect(rule.Properties.EventBusName).toEqual({ Ref: logicalIdOf(stack.scoring.bus.bus) });
    expect(rule.Properties.Targets[0]).toMatchObject({ DeadLetterConfig: { Arn: getAtt(failures) }, RetryPolicy: { MaximumRetryAttempts: 8 } });
    const lambda = (template.findResources('AWS::Lambda::Function') as Record<string, Resource>)[logicalIdOf(fn)]!;
    expect(lambda.Properties.DeadLetterConfig).toEqual({ TargetArn: getAtt(failures) });
  });

  it('may send mail as the sender, put hand-offs on the bus, and read form definitions', () => {
    const actions = roleStatements(template, stack.formsFollowUp.fn).flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['ses:SendEmail', 'events:PutEvents', 's3:GetObject', 'dynamodb:UpdateItem', 'dynamodb:Query', 'secretsmanager:GetSecretValue']));
  });

  it('gives the functions that render mail the sender name and postal address', () => {
    for (const f of [stack.sending.send, stack.sending.mailLinks, stack.formsFollowUp.fn, stack.broadcasts.page]) {
      const env = (template.findResources('AWS::Lambda::Function') as Record<string, Resource>)[logicalIdOf(f)]!.Properties.Environment.Variables;
      expect(env).toMatchObject({ SENDER_NAME: 'Acme Analytics', SENDER_POSTAL_ADDRESS: '1-2-3 Marunouchi, Tokyo' });
    }
  });
});
