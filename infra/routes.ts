import { Annotations, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { routes as allRoutes } from '../functions/api/routes.js';
import type { FunctionName } from '../functions/shared/functions.js';
import type { RouteDef } from '../functions/shared/http.js';

export interface RegisterOptions {
  /**
   * Why this function's routes without `auth` may go without an API Gateway authorizer. Required for a
   * function that serves such a route; it becomes the cdk-nag APIG4 acknowledgement of each of them.
   */
  readonly publicBecause?: string;
}

interface Registered {
  readonly fn: IFunction;
  readonly publicBecause?: string;
}

/**
 * Every deployed function by its name in functions/shared/functions.ts. Capability constructs register
 * their functions; the stack then wires all routes of routes.ts in one place (`addRoutes`), so adding
 * a route is a line in routes.ts plus a `register` call next to the function.
 */
export class FunctionRegistry {
  private readonly entries = new Map<FunctionName, Registered>();

  /** Registers `fn` under `name` and returns it. */
  register<F extends IFunction>(name: FunctionName, fn: F, options: RegisterOptions = {}): F {
    if (this.entries.has(name)) throw new Error(`function '${name}' is registered twice`);
    this.entries.set(name, { fn, ...options });
    return fn;
  }

  /** The function registered under `name`, if any. */
  get(name: FunctionName): IFunction | undefined {
    return this.entries.get(name)?.fn;
  }

  /**
   * Adds each route to the API, integrated with the function it names (one integration per function).
   * `auth: 'admin'` routes get the IAM authorizer: callers sign with SigV4 and need execute-api:Invoke
   * on the route. A route whose function no construct registered is skipped with a synth warning.
   */
  addRoutes(api: HttpApi, routes: readonly RouteDef[] = allRoutes): void {
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    let iamAuthorizer: HttpIamAuthorizer | undefined;
    for (const route of routes) {
      const entry = this.entries.get(route.fn);
      if (!entry) {
        // A warning, not an error: routes.ts may list a capability whose construct is still being
        // written. `cdk synth --strict` turns it into a failure for a release build.
        Annotations.of(api).addWarningV2(
          '@nurture/routes:unregistered-function',
          `route ${route.method} ${route.path} is not deployed: no construct registered its function '${route.fn}'`,
        );
        continue;
      }
      let integration = integrations.get(route.fn);
      if (!integration) {
        // One invoke permission per function, not one per route: a function serves all its routes, and a
        // permission per route costs a stack resource each (the stack's 500 are shared with scenarios).
        integration = new HttpLambdaIntegration(`${pascalCase(route.fn)}Integration`, entry.fn, { scopePermissionToRoute: false });
        integrations.set(route.fn, integration);
      }
      const admin = route.auth === 'admin';
      if (admin) iamAuthorizer ??= new HttpIamAuthorizer();
      const [httpRoute] = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(admin ? { authorizer: iamAuthorizer } : {}),
      });
      if (admin) continue;
      if (!entry.publicBecause) {
        throw new Error(
          `route ${route.method} ${route.path} has no auth, but '${route.fn}' was registered without publicBecause`,
        );
      }
      // Per route, not on the whole API: a new route without an authorizer is still flagged.
      Validations.of(httpRoute!).acknowledge({ id: 'AwsSolutions-APIG4', reason: entry.publicBecause });
    }
  }
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
