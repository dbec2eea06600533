import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/api/routes.js';
import { mainTable } from '../../functions/shared/resources.js';
import type { NurtureStack } from '../../infra/stack.js';
import { actionsOf, getAtt, logicalIdOf, ref, removeOutdirs, resourcesOf, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

let template: Template;
let stack: NurtureStack;

beforeAll(() => {
  ({ template, stack } = synthStack());
}, synthTimeoutMs);

afterAll(removeOutdirs);

describe('segments admin function', () => {
  it('serves every segments route, each behind the admin authorizer', () => {
    const own = routes.filter((r) => r.path.startsWith('/v1/admin/segments'));
    expect(own.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'DELETE /v1/admin/segments/{id}',
      'GET /v1/admin/segments',
      'GET /v1/admin/segments/{id}',
      'GET /v1/admin/segments/{id}/members',
      'POST /v1/admin/segments',
      'POST /v1/admin/segments/preview',
      'PUT /v1/admin/segments/{id}',
    ]);
    for (const r of own) expect([r.fn, r.auth]).toEqual(['segmentsAdmin', 'admin']);
    expect(stack.functions.get('segmentsAdmin')).toBe(stack.segments.admin);
    const gatewayRoutes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((r) => String(r.Properties.RouteKey).includes('/v1/admin/segments'));
    // One function serves the area: deployed as `ANY /v1/admin/segments` and `ANY /v1/admin/segments/{proxy+}`.
    expect(gatewayRoutes.map((r) => r.Properties.RouteKey).sort()).toEqual(['ANY /v1/admin/segments', 'ANY /v1/admin/segments/{proxy+}']);
    for (const r of gatewayRoutes) expect(r.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('gets the table name, and may touch the main table and nothing else of DynamoDB', () => {
    const fn = template.toJSON().Resources[logicalIdOf(stack.segments.admin)];
    expect(fn.Properties.Environment.Variables).toMatchObject({ [mainTable.envVar]: ref(stack.profiles.main.table) });
    const tableArn = getAtt(stack.profiles.main.table);
    const statements = roleStatements(template, stack.segments.admin);
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap(actionsOf)).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']));
    for (const s of dynamo) for (const r of resourcesOf(s)) expect(JSON.stringify(r)).toContain(JSON.stringify(tableArn));
    // Members pages query bySegmentRank, the preview walks byScore; both read profiles with BatchGetItem.
    const reads = dynamo.filter((s) => actionsOf(s).includes('dynamodb:Query') && actionsOf(s).includes('dynamodb:BatchGetItem'));
    const indexes = reads.flatMap(resourcesOf).map((r) => JSON.stringify(r));
    for (const index of ['bySegmentRank', 'byScore']) expect(indexes.some((r) => r.includes(`/index/${index}`))).toBe(true);
    // No stream, bucket, bus or function of its own to reach.
    const other = statements.filter((s) => actionsOf(s).some((a) => /^(kinesis|s3|events|lambda|states|ses):/.test(a)));
    expect(other).toEqual([]);
  });
});
