import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBridgeEvent } from 'aws-lambda';
import type { SendResult } from '../../../functions/sending/domain/contract.js';
import type { LocalContext } from '../context.js';
import { repeatEvery } from '../repeat.js';
import { describeProblem } from '../../../functions/shared/problems.js';
import { asFunction, runAs } from '../../iam/index.js';

/** How often local mode looks for template uploads and deletions (the local S3 sends no events). */
export const templateWatchMs = 2_000;

/** Local sender (any address works: the local SES accepts everything and keeps it in its inbox). */
export const localSenderAddress = 'hello@acme-analytics.example';

/** The demo company's name and postal address in local mode's marketing mail footers. */
export const localSenderName = 'Acme Analytics';
export const localSenderPostalAddress = '1-2-3 Marunouchi, Chiyoda-ku, Tokyo 100-0005, Japan';

/**
 * Environment of the sending functions in local mode, applied before any handler loads. The link secret is
 * generated at first start and kept in the data folder, so links in mail already sent keep working across
 * restarts. NURTURE_SEND_CAPS, NURTURE_QUIET_HOURS, NURTURE_DEFAULT_TIME_ZONE, NURTURE_CONSENT_MODE,
 * NURTURE_SENDER_NAME and NURTURE_SENDER_POSTAL_ADDRESS override the defaults, as the cdk.json keys do on AWS.
 */
export function sendingEnv(dataDir: string, apiUrl: string, inboxUrl?: string): Record<string, string> {
  const file = join(dataDir, 'sending.json');
  let secret: string;
  if (existsSync(file)) secret = (JSON.parse(readFileSync(file, 'utf8')) as { linkSecret: string }).linkSecret;
  else {
    secret = randomBytes(32).toString('base64url');
    writeFileSync(file, JSON.stringify({ linkSecret: secret }, null, 2), { mode: 0o600 });
  }
  const env: Record<string, string> = {
    PUBLIC_API_URL: apiUrl,
    LINK_SECRET: secret,
    SENDER_ADDRESS: process.env.NURTURE_SENDER_ADDRESS ?? localSenderAddress,
    SES_CONFIGURATION_SET: 'nurture-local',
    // The sender identity marketing mail shows (特定電子メール法, GDPR): the demo company's.
    SENDER_NAME: process.env.NURTURE_SENDER_NAME ?? localSenderName,
    SENDER_POSTAL_ADDRESS: process.env.NURTURE_SENDER_POSTAL_ADDRESS ?? localSenderPostalAddress,
  };
  // The SES inbox page loads every mail's images as it lists them: the mail links record those as machine opens.
  if (inboxUrl) env.LOCAL_INBOX_ORIGINS = inboxOrigins(inboxUrl).join(',');
  const passThrough: Record<string, string> = {
    NURTURE_SEND_CAPS: 'SEND_CAPS',
    NURTURE_QUIET_HOURS: 'QUIET_HOURS',
    NURTURE_DEFAULT_TIME_ZONE: 'DEFAULT_TIME_ZONE',
    NURTURE_CONSENT_MODE: 'CONSENT_MODE',
  };
  for (const [from, to] of Object.entries(passThrough)) {
    const value = process.env[from];
    if (value !== undefined) env[to] = value;
  }
  return env;
}

/** The inbox page's origin as given, and the same port as `localhost` and `127.0.0.1` (a person may type either). */
function inboxOrigins(inboxUrl: string): string[] {
  const url = new URL(inboxUrl);
  const local = ['localhost', '127.0.0.1'].includes(url.hostname) ? ['localhost', '127.0.0.1'].map((h) => `${url.protocol}//${h}:${url.port}`) : [];
  return [...new Set([url.origin, ...local])];
}

let sendHandler: ((input: unknown) => Promise<SendResult>) | undefined;

/**
 * Calls the real send function in this process, as a Step Functions task would on AWS: for the local
 * scenario runner and tools. Needs the sending environment (`npm start` sets it).
 */
export async function invokeSend(input: unknown): Promise<SendResult> {
  sendHandler ??= ((await import('../../../functions/sending/send.js')) as { handler: (input: unknown) => Promise<SendResult> }).handler;
  return runAs('send', () => sendHandler!(input));
}

/**
 * Sending in local mode: template checks at start and on every upload (what the S3 notification does on
 * AWS; reports land beside each template as `templates/<id>.check.json` and behind
 * `GET /v1/admin/templates/{id}`), and SES bounce/complaint events on the local bus routed to the same
 * handler as on AWS (put one with PutEvents, source `aws.ses`, to try it; the local SES sends none).
 */
export async function sendingPlugin(ctx: LocalContext): Promise<void> {
  const { S3TemplateStore, templatePrefix } = await import('../../../functions/sending/adapters/s3-templates.js');
  const { checkStoredTemplate, isTemplateKey } = await import('../../../functions/sending/adapters/template-checker.js');
  const { s3Client } = await import('../../../functions/shared/aws/s3.js');
  const sesEvents = asFunction('sesEvents', ((await import('../../../functions/sending/ses-events.js')) as {
    handler: (e: EventBridgeEvent<string, never>) => Promise<void>;
  }).handler);

  const store = new S3TemplateStore(s3Client(), ctx.env.CONTENT_BUCKET!);
  const seen = new Map<string, string>();
  const checkChanged = async (announce: boolean) => {
    const objects = (await store.list()).filter((o) => isTemplateKey(o.key));
    const present = new Set(objects.map((o) => o.key));
    const changed = objects.filter((o) => seen.get(o.key) !== o.etag).map((o) => o.key);
    const deleted = [...seen.keys()].filter((k) => !present.has(k));
    for (const key of [...changed, ...deleted]) {
      // What the S3 notification invokes on AWS: the template check function, as its own role.
      const report = await runAs('templateCheck', () => checkStoredTemplate(store, key));
      if (present.has(key)) seen.set(key, objects.find((o) => o.key === key)!.etag);
      else seen.delete(key);
      if (report && (!report.ok || announce)) {
        const where = (e: { line?: number; field?: string }) => `${e.line ? `line ${e.line}: ` : ''}${e.field ? `${e.field}: ` : ''}`;
        const detail = report.ok ? 'ok' : report.errors.map((e) => `${where(e)}${describeProblem(e)}`).join('; ');
        console.log(`[templates] ${templatePrefix}${report.source}: ${detail}`);
      }
    }
  };
  await checkChanged(false);
  repeatEvery(ctx, templateWatchMs, 'templates check', () => checkChanged(true));

  ctx.bus.addRule({
    name: 'sending-ses-feedback',
    pattern: { source: ['aws.ses'], 'detail-type': ['Email Bounced', 'Email Complaint Received'] },
    target: (event) => sesEvents(event as unknown as EventBridgeEvent<string, never>),
  });
}
