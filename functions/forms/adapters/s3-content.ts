import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FormDefinition } from '../domain/definition.js';
import { type CompiledPage, type FormCheckReport, formCheckKey, type PageCheckReport, pageCheckKey } from '../domain/reports.js';

/** How long a warm function reuses a loaded form or page: an upload takes effect within this time. */
export const formsCacheMs = 10_000;

function isMissing(err: unknown): boolean {
  const name = (err as Error)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/**
 * Forms and landing pages in the content bucket as their checks left them: only a source that passed its
 * check is served (a failing upload leaves the page or form unavailable, its report saying why).
 */
export class S3FormsContent {
  private readonly cache = new Map<string, { at: number; value: unknown }>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly cacheMs = formsCacheMs,
  ) {}

  /** The checked definition of a form, or undefined when it is missing or failed its check. */
  async form(formId: string): Promise<FormDefinition | undefined> {
    return this.cached(`f:${formId}`, async () => (await this.json<FormCheckReport>(formCheckKey(formId)))?.form);
  }

  /** The compiled landing page, or undefined when it is missing or failed its check. */
  async page(slug: string): Promise<CompiledPage | undefined> {
    return this.cached(`p:${slug}`, async () => (await this.json<PageCheckReport>(pageCheckKey(slug)))?.page);
  }

  async formReport(formId: string): Promise<FormCheckReport | undefined> {
    return this.json<FormCheckReport>(formCheckKey(formId));
  }

  async pageReport(slug: string): Promise<PageCheckReport | undefined> {
    return this.json<PageCheckReport>(pageCheckKey(slug));
  }

  async json<T>(key: string): Promise<T | undefined> {
    const text = await this.text(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async text(key: string): Promise<string | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await res.Body!.transformToString('utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async put(key: string, body: string, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Every object under a prefix with its ETag (paged). */
  async list(prefix: string): Promise<{ key: string; etag: string }[]> {
    const out: { key: string; etag: string }[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of res.Contents ?? []) if (o.Key) out.push({ key: o.Key, etag: o.ETag ?? '' });
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private async cached<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.value as T | undefined;
    const value = await load();
    this.cache.set(key, { at: Date.now(), value });
    return value;
  }
}
