import * as z from 'zod/mini';
import { EnvError, parseEnv, required } from '../../shared/env.js';
import { type CapsConfig, defaultCaps } from '../domain/caps.js';
import type { SendingConfig } from '../domain/model.js';
import { isTimeZone, parseQuietHours } from '../domain/windows.js';

const count = z.number().check(z.int(), z.minimum(0), z.maximum(1000));
const windowCaps = z.strictObject({ perDay: z.optional(count), perWeek: z.optional(count) });
/** `SEND_CAPS` JSON: `{"marketing":{"perDay":1,"perWeek":3},"transactional":{…},"scenarios":{"<id>":{…}}}`. */
export const capsSchema = z.strictObject({
  marketing: z.optional(windowCaps),
  transactional: z.optional(windowCaps),
  scenarios: z.optional(z.record(z.string(), windowCaps)),
});

function parseCaps(text: string | undefined): z.infer<typeof capsSchema> {
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new EnvError('Invalid environment: SEND_CAPS: not valid JSON');
  }
  const parsed = z.safeParse(capsSchema, raw);
  if (!parsed.success) {
    throw new EnvError(`Invalid environment: SEND_CAPS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Parses the sending settings every sending function shares; fails naming the variable. */
export function sendingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SendingConfig {
  const parsed = parseEnv(
    z.object({
      SENDER_ADDRESS: z.email(),
      SES_CONFIGURATION_SET: z.optional(z.string()),
      SEND_CAPS: z.optional(z.string()),
      QUIET_HOURS: z.optional(z.string().check(z.refine((v) => parseQuietHours(v) !== undefined, 'HH:MM-HH:MM, e.g. 21:00-08:00, or off'))),
      DEFAULT_TIME_ZONE: z.optional(z.string().check(z.refine(isTimeZone, 'an IANA time zone, e.g. Europe/Berlin'))),
      CONSENT_MODE: z.optional(z.enum(['opt-out', 'opt-in'])),
      PUBLIC_API_URL: z.url(),
      SENDER_NAME: z.optional(z.string().check(z.maxLength(senderIdentityLimits.nameChars))),
      SENDER_POSTAL_ADDRESS: z.optional(z.string().check(z.maxLength(senderIdentityLimits.addressChars))),
    }),
    env,
  );
  const given = parseCaps(parsed.SEND_CAPS);
  const caps: CapsConfig = {
    marketing: { ...defaultCaps.marketing, ...given.marketing },
    transactional: { ...defaultCaps.transactional, ...given.transactional },
    scenarios: given.scenarios ?? {},
  };
  return {
    senderAddress: parsed.SENDER_ADDRESS,
    ...(parsed.SES_CONFIGURATION_SET ? { configurationSet: parsed.SES_CONFIGURATION_SET } : {}),
    caps,
    quietHours: parseQuietHours(parsed.QUIET_HOURS ?? defaultQuietHours)!,
    defaultTimeZone: parsed.DEFAULT_TIME_ZONE ?? 'UTC',
    consentMode: parsed.CONSENT_MODE ?? 'opt-out',
    publicApiUrl: parsed.PUBLIC_API_URL.replace(/\/+$/, ''),
    ...senderOf(parsed),
  };
}

/** Longest sender name and postal address (characters) a deployment may set. */
export const senderIdentityLimits = { nameChars: 200, addressChars: 500 } as const;

/** The sender identity marketing mail shows (特定電子メール法, GDPR), when the deployment sets it. */
function senderOf(env: { SENDER_NAME?: string | undefined; SENDER_POSTAL_ADDRESS?: string | undefined }): Pick<SendingConfig, 'sender'> {
  const name = env.SENDER_NAME?.trim();
  const address = env.SENDER_POSTAL_ADDRESS?.trim();
  return name || address ? { sender: { name: name ?? '', address: address ?? '' } } : {};
}

/** The sender identity alone (the mail links function renders view-in-browser with it). */
export function senderFromEnv(env: NodeJS.ProcessEnv = process.env): SendingConfig['sender'] {
  const parsed = parseEnv(
    z.object({
      SENDER_NAME: z.optional(z.string().check(z.maxLength(senderIdentityLimits.nameChars))),
      SENDER_POSTAL_ADDRESS: z.optional(z.string().check(z.maxLength(senderIdentityLimits.addressChars))),
    }),
    env,
  );
  return senderOf(parsed).sender;
}

/** Quiet hours when configuration names none: no marketing mail between 21:00 and 08:00 recipient time. */
export const defaultQuietHours = '21:00-08:00';

/** Environment shared by functions that build or verify link tokens. */
export function linkEnv(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(
    z.object({
      TABLE_NAME: required(),
      PUBLIC_API_URL: z.url(),
      LINK_SECRET: z.optional(z.string().check(z.minLength(32))),
      LINK_SECRET_ARN: z.optional(z.string()),
    }),
    env,
  );
}
