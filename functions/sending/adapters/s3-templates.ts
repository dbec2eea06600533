import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CheckReport } from '../domain/check.js';
import { TemplateError } from '../errors.js';
import type { TemplateStore } from '../domain/send.js';
import type { CompiledTemplate } from '../domain/template.js';
import { describeProblem } from '../../shared/problems.js';

/** Key prefix of email templates in the content bucket. */
export const templatePrefix = 'templates/';
/** Where the check's report (and, when it passed, the compiled template) is kept: beside the source. */
export const checkKey = (templateId: string) => `${templatePrefix}${templateId}.check.json`;
/** How long a warm function reuses a loaded template: an upload takes effect within this time. */
export const templateCacheMs = 30_000;

function isMissing(err: unknown): boolean {
  const name = (err as Error)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/** Templates in the content bucket, as their checks left them. */
export class S3TemplateStore implements TemplateStore {
  private readonly cache = new Map<string, { at: number; template: CompiledTemplate }>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly cacheMs = templateCacheMs,
  ) {}

  async load(templateId: string): Promise<CompiledTemplate> {
    const hit = this.cache.get(templateId);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.template;
    const report = await this.report(templateId);
    if (!report) {
      throw new TemplateError(templateId, `not found: upload ${templatePrefix}${templateId}.liquid (or .mjml) to the content bucket`);
    }
    if (!report.ok || !report.template) {
      const first = report.errors[0];
      const where = first?.line ? ` (line ${first.line})` : '';
      throw new TemplateError(templateId, `failed its check${where}: ${first ? describeProblem(first) : 'see the check report'} — ${checkKey(templateId)}`);
    }
    this.cache.set(templateId, { at: Date.now(), template: report.template });
    return report.template;
  }

  /** The check report of a template, if it was ever checked. */
  async report(templateId: string): Promise<CheckReport | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: checkKey(templateId) }));
      return JSON.parse(await res.Body!.transformToString('utf8')) as CheckReport;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async putReport(report: CheckReport): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: checkKey(report.templateId),
        Body: JSON.stringify(report, null, 2),
        ContentType: 'application/json; charset=utf-8',
      }),
    );
  }

  async source(key: string): Promise<{ text: string; etag?: string } | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { text: await res.Body!.transformToString('utf8'), ...(res.ETag ? { etag: res.ETag } : {}) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** Every object under templates/ with its ETag (paged). */
  async list(): Promise<{ key: string; etag: string }[]> {
    const out: { key: string; etag: string }[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: templatePrefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const o of res.Contents ?? []) if (o.Key) out.push({ key: o.Key, etag: o.ETag ?? '' });
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }
}
