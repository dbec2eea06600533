/**
 * TransactWriteItems for dynalite, which has none (../shared/LOCAL-AWS.md): the request is intercepted in
 * front of dynalite and carried out as conditional PutItem / UpdateItem / DeleteItem calls to dynalite
 * itself, one transaction at a time, each with ReturnValues ALL_OLD; when one fails its condition, the
 * ones already applied are restored from their old images and the answer is AWS's
 * TransactionCanceledException with a CancellationReasons entry per item.
 *
 * Weaker than AWS, and only locally: single writes (not transactions) may interleave with a transaction's
 * steps; ConditionCheck items are refused (nothing in Nurture uses them). Enough for all-or-nothing
 * imports and version checks, which is what the code under test relies on.
 */
import { type IncomingMessage, request as httpRequest, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const target = 'DynamoDB_20120810.';
type Json = Record<string, unknown>;
interface Answer {
  status: number;
  body: Json;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Lets `server` (dynalite) answer TransactWriteItems. */
export function emulateTransactWrite(server: Server): void {
  const original = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  let queue: Promise<unknown> = Promise.resolve();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['x-amz-target'] !== `${target}TransactWriteItems`) {
      for (const l of original) l.call(server, req, res);
      return;
    }
    const run = async () => {
      const answer = await transact(server, req, JSON.parse((await readBody(req)) || '{}') as Json).catch(
        (err: Error): Answer => ({ status: 500, body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: err.message } }),
      );
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `local-${Date.now()}` });
      res.end(JSON.stringify(answer.body));
    };
    queue = queue.then(run, run);
  });
}

function call(server: Server, from: IncomingMessage, op: string, body: Json): Promise<Answer> {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `${target}${op}`, 'content-length': String(Buffer.byteLength(text)) };
  for (const h of ['authorization', 'x-amz-date', 'host', 'x-amz-security-token']) if (typeof from.headers[h] === 'string') headers[h] = from.headers[h];
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', path: '/', headers }, (res) => {
      readBody(res).then((t) => resolve({ status: res.statusCode ?? 500, body: t ? (JSON.parse(t) as Json) : {} }), reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

const validation = (message: string): Answer => ({ status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException', message } });

async function transact(server: Server, from: IncomingMessage, body: Json): Promise<Answer> {
  const items = (body.TransactItems ?? []) as Record<string, Json>[];
  if (items.length === 0 || items.length > 100) return validation('TransactItems: between 1 and 100 items');
  const keySchemas = new Map<string, string[]>();
  const keyOf = async (table: string, op: Json): Promise<Json> => {
    if (op.Key) return op.Key as Json;
    if (!keySchemas.has(table)) {
      const d = await call(server, from, 'DescribeTable', { TableName: table });
      keySchemas.set(table, ((d.body.Table as Json | undefined)?.KeySchema as { AttributeName: string }[] | undefined)?.map((k) => k.AttributeName) ?? []);
    }
    const item = op.Item as Json;
    return Object.fromEntries(keySchemas.get(table)!.map((n) => [n, item[n]]));
  };
  const steps: { op: string; table: string; key: Json; args: Json }[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const [kind, args] = Object.entries(item)[0] ?? [];
    if (!kind || !args || !['Put', 'Update', 'Delete'].includes(kind)) return validation(`${kind ?? 'empty item'}: not emulated locally (Put, Update and Delete are)`);
    const table = String(args.TableName);
    const key = await keyOf(table, args);
    const id = `${table} ${JSON.stringify(key)}`;
    if (seen.has(id)) return validation('Transaction request cannot include multiple operations on one item');
    seen.add(id);
    steps.push({ op: `${kind}Item`, table, key, args });
  }
  const applied: { table: string; key: Json; old?: Json }[] = [];
  const rollback = async () => {
    for (const a of applied.reverse()) {
      await (a.old ? call(server, from, 'PutItem', { TableName: a.table, Item: a.old }) : call(server, from, 'DeleteItem', { TableName: a.table, Key: a.key }));
    }
  };
  for (const [i, s] of steps.entries()) {
    const answer = await call(server, from, s.op, { ...s.args, ReturnValues: 'ALL_OLD' });
    if (answer.status === 200) {
      applied.push({ table: s.table, key: s.key, ...(answer.body.Attributes ? { old: answer.body.Attributes as Json } : {}) });
      continue;
    }
    await rollback();
    if (!String(answer.body.__type).endsWith('ConditionalCheckFailedException')) return answer;
    const reasons = steps.map((_, j) => (j === i ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' } : { Code: 'None' }));
    return {
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        CancellationReasons: reasons,
      },
    };
  }
  return { status: 200, body: {} };
}
