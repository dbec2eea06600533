import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { routes as documented } from '../../functions/api/routes.js';
import type { FunctionName } from '../../functions/shared/functions.js';
import { httpErrors, json, type Route, type RouteDef, routeKeyOf, serveRoutes } from '../../functions/shared/http.js';
import { FunctionRegistry, routeKeysOf } from '../../infra/routes.js';
import { apiEvent } from '../helpers/api-event.js';
import { deployedKeyFor } from '../helpers/route-match.js';

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

  describe('with every documented route', () => {
    const { stack, api, registry } = fixture();
    const lambdas = new Map<FunctionName, LambdaFunction>();
    for (const fn of new Set(documented.map((r) => r.fn))) {
      const lambda = new LambdaFunction(stack, `Fn${fn}`, { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('x') });
      lambdas.set(fn, registry.register(fn, lambda, { publicBecause: 'fixture' }));
    }
    registry.addRoutes(api, documented);
    const template = Template.fromStack(stack);
    const deployed = new Map(
      Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => [r.Properties.RouteKey as string, r.Properties]),
    );
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    /** The function a deployed route's integration invokes. */
    const integrationFn = (key: string) => {
      const target = JSON.stringify(deployed.get(key)!.Target);
      const id = Object.keys(integrations).find((i) => target.includes(`"${i}"`))!;
      const uri = JSON.stringify(integrations[id]!.Properties.IntegrationUri);
      return [...lambdas].find(([, l]) => uri.includes(`"${stack.getLogicalId(l.node.defaultChild as CfnElement)}"`))?.[0];
    };
    // The grouping computed independently: an admin area (`/v1/admin/<area>`) of one function needs at most
    // two routes, a shared area one per route, and each public route one.
    const areas = new Map<string, RouteDef[]>();
    for (const r of documented.filter((r) => r.auth === 'admin')) {
      const area = r.path.split('/').slice(0, 4).join('/');
      areas.set(area, [...(areas.get(area) ?? []), r]);
    }
    const bound =
      documented.filter((r) => !r.auth).length +
      [...areas.values()].reduce((n, rs) => n + (new Set(rs.map((r) => r.fn)).size > 1 ? rs.length : Math.min(2, rs.length)), 0);

    it(`deploys fewer routes than documented (${documented.length} documented; at most the computed grouping ${bound})`, () => {
      expect(deployed.size).toBeLessThanOrEqual(bound);
      expect(deployed.size).toBeLessThan(documented.length);
      expect([...deployed.keys()].sort()).toEqual(routeKeysOf(documented).map((r) => `${r.method} ${r.path}`).sort());
    });

    it('reaches every documented admin route through a deployed route of its function behind the IAM authorizer', () => {
      for (const r of documented.filter((r) => r.auth === 'admin')) {
        const key = deployedKeyFor(r, deployed.keys());
        expect(key, routeKeyOf(r)).toBeDefined();
        expect(deployed.get(key!)!.AuthorizationType, key).toBe('AWS_IAM');
        expect(integrationFn(key!), `${routeKeyOf(r)} via ${key}`).toBe(r.fn);
      }
    });

    it('deploys each public route one per path and method, without an authorizer', () => {
      for (const r of documented.filter((r) => !r.auth)) {
        expect(deployed.get(routeKeyOf(r))?.AuthorizationType, routeKeyOf(r)).toBe('NONE');
        expect(deployedKeyFor(r, deployed.keys())).toBe(routeKeyOf(r));
      }
    });

    it('puts the IAM authorizer on every greedy route and keeps shared areas one route per path and method', () => {
      const greedy = [...deployed].filter(([key]) => key.startsWith('ANY '));
      expect(greedy.length).toBeGreaterThan(0);
      for (const [key, props] of greedy) expect(props.AuthorizationType, key).toBe('AWS_IAM');
      for (const [area, rs] of areas) {
        if (new Set(rs.map((r) => r.fn)).size === 1) continue;
        for (const r of rs) expect(deployed.has(routeKeyOf(r)), routeKeyOf(r)).toBe(true);
        expect([...deployed.keys()].filter((k) => k.startsWith(`ANY ${area}`))).toEqual([]);
      }
    });
  });
});

describe('a function router behind a greedy route', () => {
  /** Each function's documented routes, answering with their own route key and decoded parameters. */
  const handlerOf = (fn: FunctionName) =>
    middy(
      serveRoutes(
        documented.filter((r) => r.fn === fn).map((r): Route<void> => ({ ...r, handle: async (req) => json(200, { key: routeKeyOf(r), params: req.params }) })),
        undefined,
      ),
    ).use(httpErrors({ log: () => {} }));
  const greedyEvent = (method: string, path: string, area: string): APIGatewayProxyEventV2 => {
    const event = apiEvent({ method, path });
    const routeKey = `ANY ${area}${path === area ? '' : '/{proxy+}'}`;
    return { ...event, routeKey, requestContext: { ...event.requestContext, routeKey }, pathParameters: { proxy: path.slice(area.length + 1) } };
  };
  const call = async (fn: FunctionName, event: APIGatewayProxyEventV2) => {
    const res = await handlerOf(fn)(event, {} as never);
    return { status: res.statusCode, body: JSON.parse(String(res.body)) };
  };

  it('dispatches every documented route of a greedy area to itself, a literal segment before a parameter', async () => {
    const greedy = routeKeysOf(documented).filter((r) => r.method === 'ANY');
    let checked = 0;
    for (const r of documented.filter((r) => greedy.some((g) => g.fn === r.fn && r.path.startsWith(g.path.replace('/{proxy+}', ''))))) {
      const area = r.path.split('/').slice(0, 4).join('/');
      const path = r.path.replace(/\{(\w+)\}/g, 'a%2Fb');
      const res = await call(r.fn, greedyEvent(r.method, path, area));
      expect(res, routeKeyOf(r)).toMatchObject({ status: 200, body: { key: routeKeyOf(r) } });
      for (const name of r.path.match(/\{(\w+)\}/g) ?? []) expect(res.body.params[name.slice(1, -1)]).toBe('a/b');
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('answers 404 JSON naming the path it does not serve, 405 JSON naming the method on a path it serves', async () => {
    const area = '/v1/admin/segments';
    expect(await call('segmentsAdmin', greedyEvent('GET', `${area}/x/y/z`, area))).toEqual({
      status: 404,
      body: { success: false, error: `no route for GET ${area}/x/y/z`, field: 'path' },
    });
    const put = await call('segmentsAdmin', greedyEvent('PATCH', `${area}/preview`, area));
    expect(put.status).toBe(405);
    expect(put.body).toMatchObject({ success: false, field: 'method', error: expect.stringContaining(`method PATCH not allowed on ${area}/preview`) });
    expect(put.body.allow).toEqual(['POST']);
  });

  it('still answers 400 naming a path parameter with a malformed escape', async () => {
    const area = '/v1/admin/segments';
    expect(await call('segmentsAdmin', greedyEvent('GET', `${area}/%E0%A4%A`, area))).toMatchObject({ status: 400, body: { field: 'id' } });
  });
});

