/**
 * Who is calling. Local handlers run in one process and share SDK module state, so the caller cannot come
 * from credentials: each invocation runs inside an AsyncLocalStorage context naming its principal (a
 * function's routes.ts name, or `scenario:<id>` for a state machine's own calls), and every outgoing HTTP
 * request made inside it carries that name in a header the checking proxies read and remove.
 *
 * The header is set where Node's http.Agent takes the request (`addRequest`, called while the request's
 * headers are still mutable; every AWS SDK v3 Node handler goes through an Agent). Node 20's
 * `http.client.request.start` diagnostics channel fires only after the headers were sent, so it cannot.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import type { FunctionName } from '../../functions/shared/functions.js';
import { currentMeter } from './meter.js';
import { scenarioPrincipal } from './policies.js';

/** Request header naming the principal (never sent beyond the local proxies). */
export const principalHeader = 'x-nurture-principal';

const current = new AsyncLocalStorage<string>();

/** Runs `fn` as `principal`: every AWS call it makes, directly or through promises it starts, is checked as that principal. */
export function runAs<T>(principal: string, fn: () => T): T {
  return current.run(principal, fn);
}

/** The principal of the running code, if any. */
export function currentPrincipal(): string | undefined {
  return current.getStore();
}

/**
 * `handler` that always runs as the function `name` (how local mode and the tests invoke handlers). While a
 * benchmark meters (meter.ts), each invocation is reported with its wall time, until its promise settles.
 */
export function asFunction<A extends unknown[], R>(name: FunctionName, handler: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    const meter = currentMeter();
    if (!meter?.invocation) return runAs(name, () => handler(...args));
    const startedAt = performance.now();
    const report = () => meter.invocation?.({ name, startedAt, ms: performance.now() - startedAt });
    const result = runAs(name, () => handler(...args));
    if (result instanceof Promise) return result.finally(report) as R;
    report();
    return result;
  };
}

/** `fn` run as the state machine of scenario `scenarioId` (its direct service integrations). */
export function asScenario<T>(scenarioId: string, fn: () => T): T {
  return runAs(scenarioPrincipal(scenarioId), fn);
}

let installed = false;

/** Makes every HTTP request carry the principal header (once per process; idempotent). */
export function installPrincipalHeader(): void {
  if (installed) return;
  installed = true;
  type AddRequest = (this: http.Agent, req: http.ClientRequest, options: unknown) => void;
  const proto = http.Agent.prototype as unknown as { addRequest: AddRequest };
  const addRequest = proto.addRequest;
  proto.addRequest = function addPrincipal(req, options) {
    const principal = current.getStore();
    if (principal && !req.headersSent) req.setHeader(principalHeader, principal);
    return addRequest.call(this, req, options);
  };
}
