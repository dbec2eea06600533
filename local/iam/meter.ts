/**
 * Metering for benchmarks (bench/): what local mode did that AWS would bill, seen where it already passes.
 * The checking proxies (proxy.ts) report each request they forward with the emulator's answer, and
 * `asFunction` (principal.ts) reports each function invocation with its wall time, both with the caller's
 * principal. Off unless a benchmark starts it, so `npm start` and the tests behave exactly as before.
 *
 * While metering, DynamoDB requests ask for ConsumedCapacity (TOTAL) so the meter sees the units dynalite
 * charges; when the caller had not asked, the answer it gets back has that field removed again.
 */
import type { Service } from './requests.js';

/** A request a checking proxy forwarded, with the emulator's answer. */
export interface MeteredExchange {
  readonly service: Service;
  /** Who made it (principal.ts); undefined for set-up and tooling calls. */
  readonly principal: string | undefined;
  /** `X-Amz-Target`'s operation for JSON protocols (DynamoDB: `UpdateItem`, …), else `METHOD /path`. */
  readonly operation: string;
  readonly status: number;
  /** DynamoDB: capacity units the request consumed, as the emulator reported them. */
  readonly capacityUnits?: number;
}

/** One function invocation made through asFunction. */
export interface MeteredInvocation {
  /** The function's name (functions/shared/functions.ts). */
  readonly name: string;
  /** performance.now() when it started, and its wall time (ms), failed or not. */
  readonly startedAt: number;
  readonly ms: number;
}

export interface Meter {
  exchange?(e: MeteredExchange): void;
  invocation?(i: MeteredInvocation): void;
}

let active: Meter | undefined;

/** Starts metering for this process (one meter at a time); returns the function that stops it. */
export function startMetering(meter: Meter): () => void {
  active = meter;
  return () => {
    if (active === meter) active = undefined;
  };
}

/** The meter in force, if any. */
export function currentMeter(): Meter | undefined {
  return active;
}

/** DynamoDB's write operations (their units are write units; every other operation's are read units). */
export const dynamoWriteOperations: ReadonlySet<string> = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** A DynamoDB request body asking for ConsumedCapacity; `injected` is false when the caller already asked (or the body is not JSON). */
export function askForCapacity(body: Buffer): { body: Buffer; injected: boolean } {
  try {
    const parsed = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    if (!parsed || typeof parsed !== 'object' || (parsed.ReturnConsumedCapacity !== undefined && parsed.ReturnConsumedCapacity !== 'NONE')) return { body, injected: false };
    return { body: Buffer.from(JSON.stringify({ ...parsed, ReturnConsumedCapacity: 'TOTAL' })), injected: true };
  } catch {
    return { body, injected: false };
  }
}

type Capacity = { CapacityUnits?: number };

/** Capacity units a DynamoDB answer reports (single object or, for batch and transaction calls, a list). */
export function consumedUnits(answer: Buffer): number {
  try {
    const consumed = (JSON.parse(answer.toString('utf8')) as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
    return (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
  } catch {
    return 0;
  }
}

/** The answer without the ConsumedCapacity the meter asked for (the caller gets what it asked for). */
export function withoutCapacity(answer: Buffer): Buffer {
  try {
    const parsed = JSON.parse(answer.toString('utf8')) as Record<string, unknown>;
    if (!parsed || typeof parsed !== 'object' || !('ConsumedCapacity' in parsed)) return answer;
    const { ConsumedCapacity: _dropped, ...rest } = parsed;
    return Buffer.from(JSON.stringify(rest));
  } catch {
    return answer;
  }
}
