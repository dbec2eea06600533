import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentPaths } from '../../../functions/ingest/routes.js';
import { apiEvent, basicAuth } from '../../helpers/api-event.js';
import { asFunction, readStream, startTestAws, type TestAws } from '../../helpers/local-aws.js';

const writeKey = 'prop_write_key_1';
let aws: TestAws;
let handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const context = { awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

beforeAll(async () => {
  aws = await startTestAws({ WRITE_KEYS: writeKey, ALLOWED_ORIGINS: 'https://site.example' });
  handler = asFunction('collect', ((await import('../../../functions/ingest/collect.js')) as unknown as { handler: typeof handler }).handler);
});
afterAll(async () => aws?.stop());

const json = fc.jsonValue({ maxDepth: 3 });
const id = fc.oneof(fc.string({ maxLength: 12 }), fc.constant(undefined), fc.integer(), fc.constant(''));
const messageish = fc.record(
  {
    type: fc.oneof(fc.constantFrom('track', 'page', 'screen', 'identify', 'alias', 'group', 'bogus'), fc.string(), fc.integer()),
    event: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(undefined), json),
    anonymousId: id,
    userId: id,
    previousId: id,
    groupId: id,
    messageId: fc.string({ minLength: 1, maxLength: 16 }),
    timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 10 }), fc.constant(undefined)),
    properties: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 }), json),
    traits: fc.oneof(fc.record({ email: fc.oneof(fc.emailAddress(), fc.string()) }), json),
    context: fc.oneof(fc.record({ page: fc.record({ url: fc.webUrl() }), userAgent: fc.string() }), json),
  },
  { requiredKeys: [] },
);
// Well-formed messages with random content, so a good share of requests reaches the write path.
const plausible = fc.record({
  type: fc.constantFrom('track', 'page', 'screen', 'identify'),
  event: fc.string({ minLength: 1, maxLength: 20 }),
  anonymousId: fc.string({ minLength: 1, maxLength: 12 }),
  messageId: fc.string({ minLength: 1, maxLength: 16 }),
  properties: fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 }),
  traits: fc.record({ email: fc.oneof(fc.emailAddress(), fc.string()) }),
});
const body = fc.oneof(
  { weight: 3, arbitrary: fc.record({ batch: fc.array(fc.oneof(plausible, messageish, json), { maxLength: 5 }) }).map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.oneof(plausible, messageish).map((m) => JSON.stringify(m)) },
  fc.record({ batch: fc.array(fc.oneof(messageish, json), { maxLength: 5 }) }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
  json.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
);
const auth = fc.constantFrom<Record<string, string>>(basicAuth(writeKey), basicAuth(writeKey), basicAuth(writeKey), {}, basicAuth('nope_nope_nope'), { authorization: 'Basic !!!' }, { authorization: 'Bearer x' });

describe('collect under random and malformed input', () => {
  it('never answers 5xx and stores exactly the messages it accepted (10,000 bodies)', async () => {
    let accepted = 0;
    const acceptedIds = new Set<string>();
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...segmentPaths), body, auth, async (path, text, headers) => {
        // Unique messageIds per run make "what was stored" attributable to the request that stored it.
        const tag = `r${counter++}-`;
        const tagged = text.replaceAll('"messageId":"', `"messageId":"${tag}`);
        const res = await handler(apiEvent({ path, body: tagged, headers }), context);
        expect(res.statusCode).toBeLessThan(500);
        const out = JSON.parse(res.body ?? '{}') as { success: boolean; rejected?: unknown[] };
        if (res.statusCode === 200) {
          expect(out.success).toBe(true);
          let parsed: { batch?: unknown[] } & Record<string, unknown>;
          parsed = JSON.parse(tagged) as typeof parsed;
          const sent = path === '/v1/batch' ? (parsed.batch ?? []) : [parsed];
          const n = sent.length - (out.rejected?.length ?? 0);
          accepted += n;
          for (const m of sent) {
            const mid = (m as { messageId?: unknown })?.messageId;
            if (typeof mid === 'string') acceptedIds.add(mid);
          }
        } else {
          expect(out.success).toBe(false);
          expect(typeof (out as { error?: unknown }).error).toBe('string');
        }
      }),
      { numRuns: 10_000, seed: 20261122 },
    );
    // The generators must reach the write path often enough for the property to mean something.
    console.log(`accepted ${accepted} messages`);
    expect(accepted).toBeGreaterThan(200);
    const records = await readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!);
    expect(records.length).toBe(accepted);
    for (const r of records) {
      const mid = r.data.messageId as string;
      if (!mid.startsWith('derived-')) expect(acceptedIds.has(mid)).toBe(true);
    }
  }, 300_000);
});
