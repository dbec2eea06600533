import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseRules, type RulesDoc } from '../domain/rules.js';

/** Where marketers upload the rules, and where the last valid version is kept. */
export const rulesKey = 'rules/scoring.yaml';
export const activeRulesKey = 'rules/active/scoring.yaml';
export const rulesCheckKey = 'rules/scoring.check.json';
/** A rules upload is in force within this long (the processor re-checks the object's ETag). */
export const rulesRefreshMs = 60_000;

/**
 * Loads the rules in force: the last valid upload (copied to `rules/active/` by the upload check), or,
 * before any check has run, the uploaded document itself if it is valid. Cached; re-checked with
 * If-None-Match at most every rulesRefreshMs.
 */
export class RulesSource {
  private cached: { doc: RulesDoc; etag?: string; key: string; at: number } | undefined;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly now: () => number = Date.now,
    /** Rules to use while the bucket has none (a fresh deployment): the repository default. */
    private readonly fallback?: () => string | undefined,
  ) {}

  async current(): Promise<RulesDoc> {
    if (this.cached && this.now() - this.cached.at < rulesRefreshMs) return this.cached.doc;
    for (const key of [activeRulesKey, rulesKey]) {
      try {
        const res = await this.s3.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key: key,
            ...(this.cached?.key === key && this.cached.etag ? { IfNoneMatch: this.cached.etag } : {}),
          }),
        );
        const doc = parseRules(await res.Body!.transformToString());
        this.cached = { doc, key, at: this.now(), ...(res.ETag ? { etag: res.ETag } : {}) };
        return doc;
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 304 && this.cached) {
          this.cached.at = this.now();
          return this.cached.doc;
        }
        if (status === 404 || (err as Error).name === 'NoSuchKey') continue;
        // S3 trouble or an invalid document: keep scoring with what is in force, if anything.
        if (this.cached) return this.cached.doc;
        throw err;
      }
    }
    if (this.cached) return this.cached.doc;
    const fallback = this.fallback?.();
    if (fallback) {
      // Not cached as S3's: the next call looks in the bucket again.
      const doc = parseRules(fallback);
      this.cached = { doc, key: '(default)', at: this.now() };
      return doc;
    }
    throw new Error(`no scoring rules in s3://${this.bucket}/${rulesKey}`);
  }
}

/**
 * The repository's default rules shipped beside a deployed function (`DEFAULT_RULES_FILE`, relative to
 * the function root), used until the first upload. Unset locally, where the bucket is seeded.
 */
export function defaultRulesFromEnv(): string | undefined {
  const file = process.env.DEFAULT_RULES_FILE;
  if (!file) return undefined;
  try {
    return readFileSync(resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), file), 'utf8');
  } catch {
    return undefined;
  }
}
