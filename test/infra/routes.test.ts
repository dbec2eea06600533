import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import type { RouteDef } from '../../functions/shared/http.js';
import { FunctionRegistry } from '../../infra/routes.js';

/** An API and two plain functions: routes wiring needs nothing of NurtureFunction. */
function fixture() {
  // No CloudFormation template validation: these small synths check route wiring, not templates.
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Fixture');
  const api = new HttpApi(stack, 'Api');
  const fn = (id: string) =>
    new LambdaFunction(stack, id, { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('x') });
  return { stack, api, collect: fn('Collect'), admin: fn('Admin'), registry: new FunctionRegistry() };
}

const publicRoute: RouteDef = { method: 'POST', path: '/v1/track', fn: 'collect', cors: true };
const adminRoute: RouteDef = { method: 'GET', path: '/v1/admin/leads', fn: 'adminProfiles', cors: false, auth: 'admin' };

function routeAuth(template: Template) {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => [
      r.Properties.RouteKey,
      r.Properties.AuthorizationType,
    ]),
  );
}

describe('function registry and routes', () => {
  it('puts admin routes behind the IAM authorizer and leaves public routes open', () => {
    const { stack, api, collect, admin, registry } = fixture();
    registry.register('collect', collect, { publicBecause: 'the handler checks a write key itself' });
    registry.register('adminProfiles', admin);

    registry.addRoutes(api, [publicRoute, adminRoute]);

    expect(routeAuth(Template.fromStack(stack))).toEqual({ 'POST /v1/track': 'NONE', 'GET /v1/admin/leads': 'AWS_IAM' });
  });

  it('acknowledges cdk-nag APIG4 on each public route with the reason given at registration, never on admin routes', () => {
    const { api, collect, admin, registry } = fixture();
    registry.register('collect', collect, { publicBecause: 'the handler checks a write key itself' });
    registry.register('adminProfiles', admin);

    registry.addRoutes(api, [publicRoute, adminRoute]);

    const acknowledged = api.node
      .findAll()
      .filter((c) => c.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .map((c) => c.node.id);
    expect(acknowledged).toEqual(['POST--v1--track']);
  });

  it('refuses a public route of a function registered without a reason for being public', () => {
    const { api, collect, registry } = fixture();
    registry.register('collect', collect);

    expect(() => registry.addRoutes(api, [publicRoute])).toThrow(/POST \/v1\/track has no auth.*publicBecause/);
  });

  it('skips, with a synth warning, a route whose function no construct registered', () => {
    const { stack, api, collect, registry } = fixture();
    registry.register('collect', collect, { publicBecause: 'the handler checks a write key itself' });

    registry.addRoutes(api, [publicRoute, adminRoute]);

    expect(Object.keys(routeAuth(Template.fromStack(stack)))).toEqual(['POST /v1/track']);
    const warnings = api.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringContaining("GET /v1/admin/leads is not deployed: no construct registered its function 'adminProfiles'")]);
  });

  it('refuses to register two functions under one name', () => {
    const { collect, admin, registry } = fixture();
    registry.register('collect', collect, { publicBecause: 'the handler checks a write key itself' });

    expect(() => registry.register('collect', admin)).toThrow(/'collect' is registered twice/);
  });
});
