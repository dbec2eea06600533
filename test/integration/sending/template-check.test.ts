import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../../functions/sending/domain/check.js';
import { s3Client } from '../../../functions/shared/aws/s3.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { putTemplate } from '../../helpers/sending.js';

let aws: TestAws;
let s3: S3Client;
let check: (e: S3Event) => Promise<void>;

/** The S3 notification for one key, as S3 delivers it (keys URL-encoded, spaces as +). */
const s3Event = (key: string, eventName = 'ObjectCreated:Put'): S3Event =>
  ({
    Records: [{ eventName, s3: { bucket: { name: aws.env.CONTENT_BUCKET }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/') } } }],
  }) as unknown as S3Event;

async function report(id: string): Promise<CheckReport> {
  const res = await s3.send(new GetObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: `templates/${id}.check.json` }));
  return JSON.parse(await res.Body!.transformToString()) as CheckReport;
}

beforeAll(async () => {
  aws = await startTestAws();
  s3 = s3Client();
  check = asFunction('templateCheck', ((await import('../../../functions/sending/template-check.js')) as unknown as { handler: typeof check }).handler);
});
afterAll(async () => aws?.stop());

describe('template check on upload (S3 event)', () => {
  it('writes a passing report with the compiled template beside the upload, and the same again on replay', async () => {
    await putTemplate(s3, aws.env.CONTENT_BUCKET!, 'offer.mjml', '---\nsubject: Offer\ncategory: marketing\n---\n<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ profile.traits.firstName }} {{ sender.name }} {{ sender.address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>\n');

    await check(s3Event('templates/offer.mjml'));
    const first = await report('offer');
    await check(s3Event('templates/offer.mjml'));
    const again = await report('offer');

    expect(first).toMatchObject({ ok: true, templateId: 'offer', template: { format: 'mjml' } });
    expect(first.template?.html).toContain('<!doctype html>');
    expect({ ...again, checkedAt: '' }).toEqual({ ...first, checkedAt: '' });
  });

  it('reports a broken upload with its line, and a deleted template as failing', async () => {
    await putTemplate(s3, aws.env.CONTENT_BUCKET!, 'bad.liquid', '---\nsubject: Hi\ncategory: transactional\n---\n<p>{{ context.code </p>\n');
    await check(s3Event('templates/bad.liquid'));
    expect(await report('bad')).toMatchObject({ ok: false, errors: [{ line: 5 }] });

    await s3.send(new DeleteObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: 'templates/offer.mjml' }));
    await check(s3Event('templates/offer.mjml', 'ObjectRemoved:Delete'));
    expect(await report('offer')).toMatchObject({ ok: false, errors: [{ message: 'templates/offer.mjml was deleted' }] });
  });

  it('ignores keys that are not templates (its own reports included)', async () => {
    await putTemplate(s3, aws.env.CONTENT_BUCKET!, 'sub/x.liquid', '---\nsubject: Hi\ncategory: transactional\n---\n<p>x</p>\n');
    const keys = async () => (await s3.send(new ListObjectsV2Command({ Bucket: aws.env.CONTENT_BUCKET, Prefix: 'templates/' }))).Contents?.map((o) => `${o.Key} ${o.ETag}`).sort();
    const before = await keys();
    await check(s3Event('templates/bad.check.json'));
    await check(s3Event('templates/sub/x.liquid'));
    await check(s3Event('rules/scoring.yaml'));
    expect(await keys()).toEqual(before);
  });
});
