import { readFileSync } from 'node:fs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { popularKey, type Product, productKey, type TopList, topKey } from '../../../functions/recommendations/domain/model.js';
import { variantOf } from '../../../functions/recommendations/domain/serving.js';
import { DynamoSendingStore } from '../../../functions/sending/adapters/dynamo-sending-store.js';
import { S3TemplateStore } from '../../../functions/sending/adapters/s3-templates.js';
import { sendIdOf } from '../../../functions/sending/domain/send.js';
import { checkStoredTemplate } from '../../../functions/sending/adapters/template-checker.js';
import type { SendResult } from '../../../functions/sending/domain/contract.js';
import { verifyToken } from '../../../functions/sending/domain/tokens.js';
import { s3Client } from '../../../functions/shared/aws/s3.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { inboxOf, putProfile, putTemplate, zoneAtLocalHour } from '../../helpers/sending.js';

const api = 'https://api.nurture.test';
const linkSecret = 'test-link-secret-0123456789abcdef0123456789';
const controlShare = 0.5;
let aws: TestAws;
let s3: S3Client;
let send: (input: unknown) => Promise<SendResult>;

const put = (item: Record<string, unknown>) => aws.doc.send(new PutCommand({ TableName: aws.env.TABLE_NAME, Item: item }));
const putProduct = (p: Omit<Product, 'updatedAt'>) => put({ ...productKey(p.productId), ...p, updatedAt: '2026-12-01T00:00:00Z' });
const putList = (key: { pk: string; sk: string }, ids: string[]) =>
  put({ ...key, items: ids.map((productId, i) => ({ productId, score: 1 / (i + 1) })), builtAt: '2026-12-07T00:00:00Z', window: { from: '2026-11-07', to: '2026-12-07' } } satisfies TopList & object);

/** A profile id on the given side of the control share. */
const idIn = (variant: 'model' | 'control', seed: string) => {
  for (let i = 0; ; i++) if (variantOf(`p_${seed}${i}`, controlShare) === variant) return `p_${seed}${i}`;
};

async function recipient(variant: 'model' | 'control', seed: string, recent: Record<string, unknown>[]) {
  const profileId = idIn(variant, seed);
  const email = `${profileId}@example.com`;
  await putProfile(aws.doc, aws.env.TABLE_NAME!, { profileId, email, timezone: zoneAtLocalHour(12), traits: { firstName: seed }, ...({ recent } as object) });
  return { profileId, email };
}

const viewed = (productId: string, t: string) => ({ id: `m-${productId}`, t, type: 'track', name: 'Product Viewed', data: { product_id: productId } });
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
/** The targets of the mail's tracked links, from their signed tokens. */
const trackedTargets = (html: string) =>
  hrefs(html)
    .filter((h) => h.startsWith(`${api}/v1/t/c/`))
    .map((h) => verifyToken(linkSecret, 'click', h.slice(h.lastIndexOf('/') + 1)))
    .filter((c) => c && !c.h)
    .map((c) => c!.u!);

const pixelClaims = (html: string) => {
  const src = /src="([^"]*\/v1\/t\/o\/[^"]+)"/.exec(html)![1]!;
  return verifyToken(linkSecret, 'open', src.slice(src.lastIndexOf('/') + 1));
};

beforeAll(async () => {
  aws = await startTestAws({
    SENDER_ADDRESS: 'shop@acme.example',
    PUBLIC_API_URL: api,
    LINK_SECRET: linkSecret,
    QUIET_HOURS: '21:00-08:00',
    CONTROL_SHARE: String(controlShare),
  });
  s3 = s3Client();
  await putTemplate(s3, aws.env.CONTENT_BUCKET!, 'recommended-for-you.liquid', readFileSync('templates/recommended-for-you.liquid', 'utf8'));
  const report = await checkStoredTemplate(new S3TemplateStore(s3, aws.env.CONTENT_BUCKET!), 'templates/recommended-for-you.liquid');
  expect(report?.errors).toEqual([]);
  for (const [id, name, available] of [
    ['tea-1', 'Sencha Tea', true],
    ['tea-2', 'Genmaicha Tea', true],
    ['cup-1', 'Yunomi Cup', true],
    ['cup-2', 'Celadon Cup', false],
    ['pot-1', 'Kyusu Teapot', true],
    ['pop-1', 'Gift Box', true],
  ] as const) {
    await putProduct({ productId: id, name, url: `https://shop.example.com/p/${id}`, image: `https://shop.example.com/i/${id}.jpg`, price: 1200, currency: 'JPY', category: 'tea', available });
  }
  await putList(topKey('viewed-together', 'tea-2'), ['cup-2', 'tea-1', 'pot-1']);
  await putList(popularKey(), ['pop-1', 'cup-1']);
  send = asFunction('send', ((await import('../../../functions/sending/send.js')) as unknown as { handler: typeof send }).handler);
});

afterAll(async () => {
  await aws?.stop();
});

describe('recommendations in mail', () => {
  it("renders the recipient's for-you products, with tracked links carrying the recommendation's id", async () => {
    const { profileId, email } = await recipient('model', 'ada', [viewed('tea-2', new Date().toISOString())]);

    const result = await send({ profileId, templateId: 'recommended-for-you', idempotencyKey: 'recs-1', category: 'marketing' });

    expect(result).toMatchObject({ status: 'sent' });
    const [mail] = await inboxOf(aws.emulators.endpoints.ses, email);
    const html = mail!.body.html!;
    // viewed-together of tea-2: the unavailable cup-2 is never shown.
    expect(html).toContain('Sencha Tea');
    expect(html).toContain('Kyusu Teapot');
    expect(html).not.toContain('Celadon Cup');
    expect(html).not.toContain('New arrivals are waiting');
    expect(html).toContain('alt="Sencha Tea"');
    const targets = trackedTargets(html).filter((u) => u.includes('/p/'));
    expect(targets.map((u) => new URL(u).pathname)).toEqual(['/p/tea-1', '/p/pot-1']);
    const params = new URL(targets[0]!).searchParams;
    expect(params.get('recId')).toMatch(/^r_/);
    expect([params.get('recStrategy'), params.get('recVariant')]).toEqual(['for-you', 'model']);
    expect(mail!.body.text).toContain('Sencha Tea (1200 JPY): https://shop.example.com/p/tea-1?recId=');
    // Its open is the products' impression: the pixel token names the recommendation.
    expect(pixelClaims(html)?.r).toEqual({ i: params.get('recId'), s: 'for-you', v: 'model' });
    // Kept with the send: view-in-browser shows the same products.
    const record = await new DynamoSendingStore(aws.doc, aws.env.TABLE_NAME!).getRecord(profileId, sendIdOf(profileId, 'recs-1'));
    expect((record?.recommendations as { name: string }[]).map((i) => i.name)).toEqual(['Sencha Tea', 'Kyusu Teapot']);
  });

  it('gives a control recipient the popular products', async () => {
    const { profileId, email } = await recipient('control', 'bea', [viewed('tea-2', new Date().toISOString())]);

    await send({ profileId, templateId: 'recommended-for-you', idempotencyKey: 'recs-2', category: 'marketing' });

    const [mail] = await inboxOf(aws.emulators.endpoints.ses, email);
    expect(mail!.body.html).toContain('Gift Box');
    expect(mail!.body.html).not.toContain('Sencha Tea');
    expect(new URL(trackedTargets(mail!.body.html!).find((u) => u.includes('/p/pop-1'))!).searchParams.get('recVariant')).toBe('control');
  });

  it('renders the fallback when nothing can be recommended', async () => {
    const { profileId, email } = await recipient('model', 'cy', [viewed('tea-1', new Date().toISOString())]);
    // No list for tea-1, and the popular list emptied: nothing to show.
    await putList(popularKey(), []);

    await send({ profileId, templateId: 'recommended-for-you', idempotencyKey: 'recs-3', category: 'marketing' });

    const [mail] = await inboxOf(aws.emulators.endpoints.ses, email);
    expect(mail!.body.html).toContain('New arrivals are waiting');
    expect(mail!.body.text).toContain('New arrivals are waiting for you: https://www.example.com/shop');
    expect(pixelClaims(mail!.body.html!)?.r).toBeUndefined();
  });
});
