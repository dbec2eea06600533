import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/*
 * One module per SDK client, so a function's bundle loads only the clients it uses (each client adds
 * init CPU at cold start). Endpoints come from the SDK's standard variables (AWS_ENDPOINT_URL_DYNAMODB,
 * ...), which local mode sets: handlers never know where they run.
 */

/**
 * Document client for values that come from the internet (event properties, traits):
 * - numbers are JavaScript doubles both ways, as in the JSON they came from (a value beyond 2^53 is
 *   stored as the double it already is, and read back as a number, never a BigInt that JSON cannot print);
 * - no key is special: the marshaller decides an object's type by `value.constructor.name`, so a plain
 *   object with its own `constructor` key (`{"constructor":"Ferrari"}`, or `{"constructor":{"name":"Set"}}`)
 *   would be refused or mistyped. Plain objects inside written values become Maps before marshalling,
 *   whose type no key can change (see `plainObjectsAsMaps`).
 * - undefined attributes are dropped instead of failing.
 */
export function documentClient(): DynamoDBDocumentClient {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false, allowImpreciseNumbers: true },
    unmarshallOptions: { wrapNumbers: (value: string) => Number(value) },
  });
  // Typed loosely: the SDK's middleware types want the client's full input/output unions.
  doc.middlewareStack.add(plainObjectsAsMaps as never, { step: 'initialize', priority: 'high', name: 'nurturePlainObjectsAsMaps' });
  return doc;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/**
 * A value the SDK cannot send as it is: a map key `__proto__`. Its marshaller and serializer copy keys by
 * assignment, which sets the copy's prototype instead, so the request would carry something else than the
 * value (DynamoDB refuses it as an empty AttributeValue, or the fields of the "prototype" leak into it).
 * Raised before anything is sent; callers keep such values out of what they store.
 */
export class UnsendableValueError extends Error {
  override name = 'UnsendableValueError';
}

/** Plain objects (at any depth) as Maps; arrays copied; everything else (Sets, Buffers, numbers) as is. */
export function asMarshallable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asMarshallable);
  if (isPlainObject(value)) {
    return new Map(
      Object.entries(value).map(([k, v]) => {
        if (k === '__proto__') throw new UnsendableValueError('a map key "__proto__" cannot be sent to DynamoDB intact');
        return [k, asMarshallable(v)];
      }),
    );
  }
  return value;
}

/** Each attribute value of an item-shaped record (the record's own keys are attribute names we chose). */
const valuesOf = (record: unknown) =>
  isPlainObject(record) ? Object.fromEntries(Object.entries(record).map(([k, v]) => [k, asMarshallable(v)])) : record;

function convertInput(input: Record<string, unknown>): Record<string, unknown> {
  const out = { ...input };
  for (const field of ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey']) if (field in out) out[field] = valuesOf(out[field]);
  if (isPlainObject(out.RequestItems)) {
    out.RequestItems = Object.fromEntries(
      Object.entries(out.RequestItems).map(([table, req]) => [
        table,
        Array.isArray(req)
          ? req.map((w: Record<string, Record<string, unknown>>) => ({
              ...w,
              ...(w.PutRequest ? { PutRequest: { ...w.PutRequest, Item: valuesOf(w.PutRequest.Item) } } : {}),
              ...(w.DeleteRequest ? { DeleteRequest: { ...w.DeleteRequest, Key: valuesOf(w.DeleteRequest.Key) } } : {}),
            }))
          : isPlainObject(req) && Array.isArray(req.Keys)
            ? { ...req, Keys: req.Keys.map(valuesOf) }
            : req,
      ]),
    );
  }
  return out;
}

/** Runs before the document client marshals the input (see `documentClient`). */
function plainObjectsAsMaps(next: (args: { input: object }) => Promise<unknown>) {
  return async function nurturePlainObjectsAsMaps(args: { input: object }) {
    return next({ ...args, input: convertInput(args.input as Record<string, unknown>) });
  };
}
