/** The landing page functions' ports, wired once at module load from the environment. */
import * as z from 'zod/mini';
import { loadLinkSecret } from '../../sending/adapters/link-secret.js';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { s3Client } from '../../shared/aws/s3.js';
import { parseEnv, required } from '../../shared/env.js';
import { snippet } from '../../../tracker/snippet.js';
import type { PageAdminPorts } from '../page-admin-routes.js';
import type { PagePorts } from '../page-routes.js';
import { checkStoredPage } from './page-checker.js';
import { DynamoPageStats } from './page-stats.js';
import { S3FormsContent } from './s3-content.js';

function env() {
  return parseEnv(
    z.object({
      TABLE_NAME: required(),
      CONTENT_BUCKET: required(),
      PUBLIC_API_URL: z.url(),
      LINK_SECRET: z.optional(z.string()),
      LINK_SECRET_ARN: z.optional(z.string()),
      /** The tracker on landing pages: its write key and where nurture.min.js is served (both, or neither). */
      PAGES_WRITE_KEY: z.optional(z.string().check(z.minLength(1))),
      TRACKER_SCRIPT_URL: z.optional(z.url()),
      /** The tracker's cookie Domain on landing pages (`.example.com`: shared with the site). */
      PAGES_COOKIE_DOMAIN: z.optional(z.string().check(z.regex(/^\.?[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a domain such as .example.com'))),
    }),
  );
}

/** `GET /p/{slug}`'s ports (function `forms`). */
export async function pagePortsFromEnv(): Promise<PagePorts> {
  const e = env();
  return {
    content: new S3FormsContent(s3Client(), e.CONTENT_BUCKET),
    stats: new DynamoPageStats(documentClient(), e.TABLE_NAME),
    linkSecret: await loadLinkSecret(e),
    publicApiUrl: e.PUBLIC_API_URL.replace(/\/+$/, ''),
    ...(e.PAGES_WRITE_KEY && e.TRACKER_SCRIPT_URL
      ? { tracker: { writeKey: e.PAGES_WRITE_KEY, src: e.TRACKER_SCRIPT_URL, ...(e.PAGES_COOKIE_DOMAIN ? { cookieDomain: e.PAGES_COOKIE_DOMAIN } : {}) } }
      : {}),
    snippet,
    now: () => new Date(),
  };
}

/** The page admin routes' ports (function `formsAdmin`). */
export function pageAdminPortsFromEnv(): PageAdminPorts {
  const e = env();
  const content = new S3FormsContent(s3Client(), e.CONTENT_BUCKET, 0);
  return {
    content,
    stats: new DynamoPageStats(documentClient(), e.TABLE_NAME),
    check: (key) => checkStoredPage(content, key),
    publicApiUrl: e.PUBLIC_API_URL.replace(/\/+$/, ''),
    now: () => new Date(),
  };
}
