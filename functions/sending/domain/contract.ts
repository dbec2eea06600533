import * as z from 'zod/mini';

/**
 * The send function's contract: scenarios (a Step Functions Lambda task) and segment email call it with
 * this input and get a SendResult back. Import the schema and types from here.
 */

/** Longest idempotency key accepted (an execution ARN plus a state name fits with room to spare). */
export const maxIdempotencyKeyChars = 512;
/** Largest caller context (JSON bytes): it is kept on the send record for view-in-browser. */
export const maxContextBytes = 8 * 1024;

const id = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

export const sendInputSchema = z.object({
  /** The recipient; a merged profile is followed to its survivor. */
  profileId: id(128),
  /** Template id: the template file's name in the content bucket without its extension. */
  templateId: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'template ids are 1-64 chars of a-z, 0-9, _ and -')),
  /** Same key, same send: a retried, crashed or concurrent call with this key never sends twice. */
  idempotencyKey: id(maxIdempotencyKeyChars),
  category: z.enum(['marketing', 'transactional']),
  /** Over a cap: `skip` (default) gives up, `defer` answers when the window reopens. */
  capPolicy: z.optional(z.enum(['skip', 'defer'])),
  /** Scenario sending this mail: its own caps apply, and opens/clicks carry it. */
  scenarioId: z.optional(id(128)),
  /** Broadcast sending this mail: kept on the send record, and its opens, clicks, unsubscribes and bounces count for it. */
  broadcastId: z.optional(id(128)),
  /** Extra template variables (`{{ context.coupon }}`). */
  context: z.optional(z.record(z.string(), z.unknown())),
});

export type SendInput = z.infer<typeof sendInputSchema>;
export type Category = SendInput['category'];

/** Why a send answered `skipped` (also the suffix of the send function's `EmailsSkipped_<reason>` metric). */
export const skipReasons = [
  'unknown-profile',
  'no-email',
  'unsubscribed',
  'no-consent',
  'topic-unsubscribed',
  'suppressed-bounce',
  'suppressed-complaint',
  'suppressed-manual',
  'cap-reached',
  'rejected',
  'outcome-unknown',
] as const;
export type SkipReason = (typeof skipReasons)[number];

/** Why a send answered `deferred` (the suffix of `EmailsDeferred_<reason>`). */
export const deferReasons = ['quiet-hours', 'cap-reached'] as const;
export type DeferReason = (typeof deferReasons)[number];

export type SendResult =
  | { status: 'sent'; sendId: string; messageId: string }
  | { status: 'skipped'; reason: SkipReason; detail?: string }
  | { status: 'deferred'; until: string; reason: DeferReason; detail?: string };
