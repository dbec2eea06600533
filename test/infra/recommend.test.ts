import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/api/routes.js';
import type { NurtureStack } from '../../infra/stack.js';
import { actionsOf, logicalIdOf, removeOutdirs, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

let template: Template;
let stack: NurtureStack;

beforeAll(() => {
  ({ template, stack } = synthStack({ 'nurture:recommendationControlShare': '0.2' }));
}, synthTimeoutMs);

afterAll(removeOutdirs);

describe('recommend function', () => {
  it('serves the two public routes with CORS and no authorizer', () => {
    const own = routes.filter((r) => r.fn === 'recommend');
    expect(own.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /v1/personalize', 'GET /v1/recommendations']);
    for (const r of own) expect([r.cors, r.auth]).toEqual([true, undefined]);
    const gatewayRoutes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((r) => /\/v1\/(recommendations|personalize)$/.test(String(r.Properties.RouteKey)));
    expect(gatewayRoutes).toHaveLength(2);
    for (const r of gatewayRoutes) expect(r.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('may only read DynamoDB (GetItem, BatchGetItem, Query) and nothing else', () => {
    const statements = roleStatements(template, stack.recommend.fn);
    const dynamo = [...new Set(statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:')))].sort();
    expect(dynamo).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    const other = statements.flatMap(actionsOf).filter((a) => /^(kinesis|s3|events|lambda|states|ses|firehose):/.test(a));
    expect(other).toEqual([]);
  });

  it('gets the control share from nurture:recommendationControlShare', () => {
    const fn = template.toJSON().Resources[logicalIdOf(stack.recommend.fn)];
    expect(fn.Properties.Environment.Variables.CONTROL_SHARE).toBe('0.2');
  });
});
