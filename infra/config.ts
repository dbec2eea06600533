import { z } from 'zod';

/** CloudWatch Logs accepts only these retention periods (days). */
const logRetentionChoices = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * Deployment configuration, read from cdk.json context (or `-c key=value`). Every value is validated here
 * so a typo fails `cdk synth` with the key's name instead of deploying something half-configured.
 */
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
});

export type NurtureConfig = z.infer<typeof configSchema>;

/** Context keys, as written in cdk.json under "context". */
export const contextKeys = {
  writeKeys: 'nurture:writeKeys',
  allowedOrigins: 'nurture:allowedOrigins',
  streamMode: 'nurture:streamMode',
  shardCount: 'nurture:shardCount',
  logRetentionDays: 'nurture:logRetentionDays',
} as const satisfies Record<keyof NurtureConfig, string>;

/** Parses context values; a string value (from `-c key=value`) holding JSON or a comma list is accepted. */
export function parseConfig(read: (key: string) => unknown): NurtureConfig {
  const raw: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(contextKeys)) {
    raw[field] = coerce(read(key), field);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${contextKeys[i.path[0] as keyof NurtureConfig] ?? i.path.join('.')}: ${i.message}`,
    );
    throw new Error(`Invalid Nurture configuration in cdk.json context:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

const listFields = new Set(['writeKeys', 'allowedOrigins']);
const numberFields = new Set(['shardCount', 'logRetentionDays']);

function coerce(value: unknown, field: string): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  if (listFields.has(field)) return trimmed.split(',').map((s) => s.trim()).filter(Boolean);
  if (numberFields.has(field) && /^\d+$/.test(trimmed)) return Number(trimmed);
  return value;
}
