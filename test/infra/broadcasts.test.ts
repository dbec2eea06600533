import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/api/routes.js';
import { broadcastDefinition } from '../../functions/broadcasts/domain/asl.js';
import type { NurtureStack } from '../../infra/stack.js';
import { actionsOf, logicalIdOf, removeOutdirs, resourcesOf, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

let template: Template;
let stack: NurtureStack;

beforeAll(() => {
  ({ template, stack } = synthStack());
}, synthTimeoutMs);

afterAll(removeOutdirs);

describe('segment email (broadcasts) stack', () => {
  it('serves every broadcasts route behind the admin authorizer', () => {
    const own = routes.filter((r) => r.path.startsWith('/v1/admin/broadcasts'));
    expect(own.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /v1/admin/broadcasts',
      'GET /v1/admin/broadcasts/{id}',
      'POST /v1/admin/broadcasts',
      'POST /v1/admin/broadcasts/{id}/cancel',
      'POST /v1/admin/broadcasts/{id}/pause',
      'POST /v1/admin/broadcasts/{id}/resume',
    ]);
    for (const r of own) expect([r.fn, r.auth]).toEqual(['broadcastsAdmin', 'admin']);
    const gatewayRoutes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((r) => String(r.Properties.RouteKey).includes('/v1/admin/broadcasts'));
    // One function serves the area: deployed as `ANY /v1/admin/broadcasts` and `ANY /v1/admin/broadcasts/{proxy+}`.
    expect(gatewayRoutes.map((r) => r.Properties.RouteKey).sort()).toEqual(['ANY /v1/admin/broadcasts', 'ANY /v1/admin/broadcasts/{proxy+}']);
    for (const r of gatewayRoutes) expect(r.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('deploys the same definition local mode runs, named after the stack, its role invoking only the page task', () => {
    const machine = template.toJSON().Resources[logicalIdOf(stack.broadcasts.machine)];
    expect(machine.Properties.StateMachineName).toBe('Nurture-broadcasts');
    expect(machine.Properties.DefinitionSubstitutions.BroadcastPageFunction).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack.broadcasts.page), 'Arn'] });
    expect(JSON.parse(machine.Properties.DefinitionString)).toEqual(broadcastDefinition());
    const role = template.toJSON().Resources[machine.Properties.RoleArn['Fn::GetAtt'][0]];
    const invoke = role.Properties.Policies.flatMap((p: { PolicyDocument: { Statement: { Action: string | string[] }[] } }) => p.PolicyDocument.Statement).filter((s: { Action: string | string[] }) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0].Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack.broadcasts.page), 'Arn'] });
  });

  it('lets the page task send as the send function does and start only the broadcast machine', () => {
    const statements = roleStatements(template, stack.broadcasts.page);
    const ses = statements.filter((s) => actionsOf(s).includes('ses:SendEmail'));
    expect(ses).toHaveLength(1);
    expect(ses[0]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'news@mail.example.com' } });
    const states = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states.flatMap(actionsOf).sort()).toEqual(['states:DescribeExecution', 'states:StartExecution']);
    for (const s of states) for (const r of resourcesOf(s)) expect(JSON.stringify(r)).toContain('Nurture-broadcasts');
    const env = template.toJSON().Resources[logicalIdOf(stack.broadcasts.page)].Properties.Environment.Variables;
    expect(env).toMatchObject({ SES_RATE_PER_SECOND: '14', SENDER_ADDRESS: 'news@mail.example.com' });
    expect(env.LINK_SECRET_ARN).toBeDefined();
    // The admin function starts executions but does not send mail.
    expect(roleStatements(template, stack.broadcasts.admin).some((s) => actionsOf(s).includes('ses:SendEmail'))).toBe(false);
  });
});
