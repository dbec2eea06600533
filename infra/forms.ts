import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { NurtureConfig } from './config.js';
import { type DefinedBucket, type DefinedStream, type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

/**
 * Key prefixes of forms and landing pages in the content bucket, as functions/forms/domain/reports.ts
 * names them (repeated because infra/ imports no runtime code).
 */
export const formsKeys = { forms: 'forms/', pages: 'pages/' } as const;

export interface FormsProps {
  readonly config: NurtureConfig;
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly content: DefinedBucket;
  readonly events: DefinedStream;
  /** The HMAC key of link tokens (infra/sending.ts): render and confirmation tokens are signed with it. */
  readonly linkSecret: ISecret;
  /** Base URL of the HTTP API (redirects to landing pages, the API's own origin for form posts). */
  readonly apiUrl: string;
  readonly functions: FunctionRegistry;
}

/**
 * Forms and landing pages: definitions and pages live in the content bucket, checked on upload.
 * Sections, one per function: the public function (form, submission, landing pages); the upload check,
 * the admin API and the follow-up are added beside it.
 */
export class Forms extends Construct {
  /** `forms`: GET /v1/forms/{id}, POST /v1/forms/{id}/submit, GET|POST /v1/forms/confirm, GET /p/{slug}. */
  readonly public: NurtureFunction;

  constructor(scope: Construct, id: string, props: FormsProps) {
    super(scope, id);
    const { config, logRetention, profiles, content, events, functions } = props;

    // --- Public: forms, submissions, landing pages -------------------------------------------------
    this.public = functions.register(
      'forms',
      new NurtureFunction(this, 'Public', {
        name: 'forms',
        description: 'Public forms: the form with its token, submissions (spam checks, identify, consent), double opt-in confirmation, landing pages',
        logRetention,
        environment: {
          PUBLIC_API_URL: props.apiUrl,
          LINK_SECRET_ARN: props.linkSecret.secretArn,
          ALLOWED_ORIGINS: config.allowedOrigins.join(','),
          // Landing pages carry the tracker when its script URL is configured (signed with the first write key).
          ...(config.trackerScriptUrl ? { PAGES_WRITE_KEY: config.writeKeys[0]!, TRACKER_SCRIPT_URL: config.trackerScriptUrl } : {}),
          ...(config.cookieDomain ? { PAGES_COOKIE_DOMAIN: config.cookieDomain } : {}),
        },
      })
        // Identity links (Get/Put), profile traits and consent (Get/Update), submissions with their guard and
        // counters (TransactWriteItems of Put and Update), rate limit windows (Update): no Query, no Delete.
        .bindTable(profiles, 'write')
        .bindStream(events)
        .bindBucket(content, 'read', { prefix: formsKeys.forms })
        .bindBucket(content, 'read', { prefix: formsKeys.pages }),
      {
        publicBecause:
          'Forms are filled in by anonymous visitors: each submission carries an HMAC-signed render token the handler verifies, with a honeypot, a minimum fill time and a rate limit per network; reading a form needs no credentials by nature.',
      },
    );
    props.linkSecret.grantRead(this.public);
  }
}
