/** Rules uploads in the content bucket: the S3 side of domain/rules-check.ts. */
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import type { RulesCheckResult, RulesUpload } from '../domain/rules-check.js';
import { activeRulesKey, rulesCheckKey, rulesKey } from './rules-source.js';

/** The uploads of rules/scoring.yaml an S3 event reports (other keys are not rules). */
export function rulesUploadsOf(event: S3Event, defaultBucket: string): RulesUpload[] {
  return event.Records.map((r) => ({ bucket: r.s3.bucket.name || defaultBucket, key: decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')) })).filter(
    (u) => u.key === rulesKey,
  );
}

export class S3RulesUploads {
  constructor(private readonly s3: S3Client) {}

  async read({ bucket, key }: RulesUpload): Promise<string> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return object.Body!.transformToString();
  }

  async activate({ bucket, key }: RulesUpload): Promise<void> {
    await this.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: activeRulesKey, CopySource: `${bucket}/${key}` }));
  }

  async report({ bucket }: RulesUpload, result: RulesCheckResult): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: rulesCheckKey, Body: JSON.stringify(result, null, 2), ContentType: 'application/json' }),
    );
  }
}
