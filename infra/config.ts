import { z } from 'zod';
import { defaultLakeRetentionDays } from '../functions/analytics/domain/lake.js';
import { currencyPattern, defaultCurrency } from '../functions/channels/domain/cost-csv.js';
import { closest } from '../functions/shared/suggest.js';

/** SES sandbox recipients listed in the send function's policy: the sandbox is for tests, and an IAM role's inline policies hold 10,240 characters. */
export const maxSandboxRecipients = 50;

/** Athena stops a query of the lake that would scan more than this (GiB) unless `nurture:athenaScanLimitGb` says otherwise. */
export const defaultAthenaScanLimitGb = 10;

/** CloudWatch Logs accepts only these retention periods (days). */
const logRetentionChoices = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * Deployment configuration, read from cdk.json context (or `-c key=value`). Every value is validated here
 * so a typo fails `cdk synth` with the key's name instead of deploying something half-configured.
 */
const windowCapsSchema = z
  .object({ perDay: z.number().int().min(0).max(1000).optional(), perWeek: z.number().int().min(0).max(1000).optional() })
  .strict();

export const configSchema = z.object({
  /** Public write keys that sources put in the tracker snippet or Segment SDK (Basic auth user name). */
  writeKeys: z.array(z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'write keys are 8-64 chars of [A-Za-z0-9_-]')).min(1),
  /** Site origins allowed to call the API from a browser, e.g. https://www.example.com; ["*"] allows any. */
  allowedOrigins: z.array(z.union([z.literal('*'), z.string().url()])).min(1),
  /** Kinesis capacity: on-demand scales by itself; provisioned is cheaper at steady, known volume. */
  streamMode: z.enum(['on-demand', 'provisioned']).default('on-demand'),
  /** Shards when streamMode is provisioned (1 MB/s or 1,000 records/s of writes each). */
  shardCount: z.number().int().min(1).max(500).default(2),
  /** Days CloudWatch keeps function and API access logs (one of the values CloudWatch accepts). */
  logRetentionDays: z
    .number()
    .int()
    .refine((days) => logRetentionChoices.includes(days), `must be one of ${logRetentionChoices.join(', ')}`)
    .default(30),
  /** The address marketing and transactional mail comes from; must be a verified SES identity (or its domain). */
  senderAddress: z.string().email(),
  /**
   * Who sends marketing mail, by name and postal address: Japan's 特定電子メール法 (art. 4) and GDPR
   * (art. 13) require both in every marketing mail; templates show them as `{{ sender.name }}` and
   * `{{ sender.address }}` (the template check refuses a marketing template without them).
   */
  senderName: z.string().min(1).max(200).optional(),
  senderPostalAddress: z.string().min(1).max(500).optional(),
  /** SES identity the send function may use (IAM scope): the sender's domain unless the address itself is verified. */
  sesIdentity: z.string().min(3).optional(),
  /**
   * In the SES sandbox SES also authorizes SendEmail against each recipient's identity: verified recipients
   * (addresses or domains) outside the sender's identity, which the send function may then send to.
   */
  sesSandboxRecipients: z
    .array(z.string().regex(/^([^@\s]+@)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'an email address or a domain verified in SES'))
    .max(maxSandboxRecipients)
    .default([]),
  /** Marketing mails one recipient may get per day (their local calendar day). */
  capPerDay: z.number().int().min(0).max(1000).default(1),
  /** Marketing mails one recipient may get per ISO week (Monday to Sunday, their time zone). */
  capPerWeek: z.number().int().min(0).max(1000).default(3),
  /** Safety caps on transactional mail (exempt from the marketing caps, still counted). */
  transactionalCaps: windowCapsSchema.default({ perDay: 20, perWeek: 100 }),
  /** Extra caps per scenario id, on top of the category's: `{"cart-reminder": {"perDay": 1, "perWeek": 2}}`. */
  scenarioCaps: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/), windowCapsSchema).default({}),
  /** No marketing mail in these hours of the recipient's day (`HH:MM-HH:MM`, may span midnight; `off` for none). */
  quietHours: z
    .string()
    .regex(/^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/, 'HH:MM-HH:MM (e.g. 21:00-08:00) or off')
    .default('21:00-08:00'),
  /** Time zone for recipients whose profile has none (IANA name). */
  defaultTimeZone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone, e.g. Europe/Berlin')
    .default('UTC'),
  /**
   * SES sends per second a broadcast paces itself to (your account's maximum send rate; 14 is SES's
   * default when an account leaves the sandbox). Leave room if scenarios send at the same time.
   */
  sesRatePerSecond: z.number().min(0.1).max(10_000).default(14),
  /** `opt-out`: known addresses get marketing mail until they unsubscribe; `opt-in`: only with consent granted. */
  consentMode: z.enum(['opt-out', 'opt-in']).default('opt-out'),
  /** Days the event lake keeps its rows (S3 lifecycle expires older files; 1-3650). */
  lakeRetentionDays: z.number().int().min(1).max(3650).default(defaultLakeRetentionDays),
  /**
   * GiB one Athena query of the lake may scan before Athena cancels it (the workgroup's enforced limit;
   * Athena bills by bytes scanned). 1-10240.
   */
  athenaScanLimitGb: z.number().int().min(1).max(10_240).default(defaultAthenaScanLimitGb),
  /** The currency ad costs are imported in (ISO 4217, e.g. JPY, USD); a cost row in another is refused. */
  currency: z.string().regex(currencyPattern, 'an ISO 4217 currency code in capitals, e.g. JPY or USD').default(defaultCurrency),
  /**
   * Share of site visitors (a stable hash of their anonymousId) held out as the recommendations control:
   * they get the popular list instead of the model's, so the model's lift can be measured. 0-0.5.
   */
  recommendationControlShare: z.number().min(0).max(0.5).default(0.1),
  /**
   * Where browsers load the tracker (nurture.min.js, served by your site or CDN) on landing pages `/p/<slug>`,
   * which sign it with the first write key. Without it landing pages carry no tracker (forms and their
   * counters still work).
   */
  trackerScriptUrl: z.string().url().startsWith('https://', 'an https:// URL').optional(),
  /**
   * The anonymous id cookie's Domain on landing pages (`.example.com`): with the API on a custom domain under
   * the site's (`lp.example.com`) and the site's tracker given the same `cookieDomain`, a visitor's site
   * history and landing page visit are one person before they submit.
   */
  cookieDomain: z.string().regex(/^\.?[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a domain such as .example.com').optional(),
});

export type NurtureConfig = z.infer<typeof configSchema>;

/** Context keys, as written in cdk.json under "context". */
export const contextKeys = {
  writeKeys: 'nurture:writeKeys',
  allowedOrigins: 'nurture:allowedOrigins',
  streamMode: 'nurture:streamMode',
  shardCount: 'nurture:shardCount',
  logRetentionDays: 'nurture:logRetentionDays',
  senderAddress: 'nurture:senderAddress',
  senderName: 'nurture:senderName',
  senderPostalAddress: 'nurture:senderPostalAddress',
  sesIdentity: 'nurture:sesIdentity',
  sesSandboxRecipients: 'nurture:sesSandboxRecipients',
  capPerDay: 'nurture:capPerDay',
  capPerWeek: 'nurture:capPerWeek',
  transactionalCaps: 'nurture:transactionalCaps',
  scenarioCaps: 'nurture:scenarioCaps',
  quietHours: 'nurture:quietHours',
  defaultTimeZone: 'nurture:defaultTimeZone',
  sesRatePerSecond: 'nurture:sesRatePerSecond',
  consentMode: 'nurture:consentMode',
  lakeRetentionDays: 'nurture:lakeRetentionDays',
  athenaScanLimitGb: 'nurture:athenaScanLimitGb',
  currency: 'nurture:currency',
  recommendationControlShare: 'nurture:recommendationControlShare',
  trackerScriptUrl: 'nurture:trackerScriptUrl',
  cookieDomain: 'nurture:cookieDomain',
} as const satisfies Record<keyof NurtureConfig, string>;

/** Parses context values; a string value (from `-c key=value`) holding JSON or a comma list is accepted. */
export function parseConfig(read: (key: string) => unknown, givenKeys: readonly string[] = []): NurtureConfig {
  // A misspelt optional key would otherwise leave its default silently.
  const known = Object.values(contextKeys) as string[];
  const unknownKeys = givenKeys.filter((k) => k.startsWith('nurture:') && !known.includes(k));
  const raw: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(contextKeys)) {
    raw[field] = coerce(read(key), field);
  }
  const parsed = configSchema.safeParse(raw);
  const lines = [
    ...unknownKeys.map((k) => {
      const suggestion = closest(k, known);
      return `  ${k}: not a Nurture setting${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
    }),
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `  ${contextKeys[i.path[0] as keyof NurtureConfig] ?? i.path.join('.')}: ${i.message}`)),
  ];
  if (lines.length > 0 || !parsed.success) throw new Error(`Invalid Nurture configuration in cdk.json context:\n${lines.join('\n')}`);
  return parsed.data;
}

const listFields = new Set(['writeKeys', 'allowedOrigins', 'sesSandboxRecipients']);
const numberFields = new Set(['sesRatePerSecond', 'shardCount', 'logRetentionDays', 'capPerDay', 'capPerWeek', 'lakeRetentionDays', 'athenaScanLimitGb', 'recommendationControlShare']);

function coerce(value: unknown, field: string): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  if (listFields.has(field)) return trimmed.split(',').map((s) => s.trim()).filter(Boolean);
  if (numberFields.has(field) && /^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return value;
}
