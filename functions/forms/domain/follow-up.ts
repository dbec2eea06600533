/**
 * What happens after a form submission, once the stream processor has created or updated the person's
 * profile (the `Form Submitted` activity event on the bus): the confirmation mail, the double opt-in mail
 * and the hand-off to sales. Pure decisions; the handler carries them out through ports.
 *
 * Rules:
 * - `submit.confirmationTemplate` → one transactional mail, key `form:<formId>:<sid>:confirmation`.
 * - `submit.doubleOptIn` and the submission holds an email consent still pending → one transactional mail
 *   (`submit.doubleOptInTemplate`, default `form-double-opt-in`) with the confirm link, key
 *   `form:<formId>:<sid>:double-opt-in`. The link's token is issued at the submission's time, so a replay
 *   renders the same link and the link expires 7 days after the submission.
 * - `submit.notify` → a `lead.handoff` (source nurture.forms), messageId `form:<formId>:<sid>`, unless the
 *   submission says it was handed off already.
 * Sends are idempotent by key (the send use case never sends a key twice), the hand-off by its mark.
 */
import * as z from 'zod/mini';
import { activitySource, type FormHandoff } from '../../shared/domain-events.js';
import { BadRequestError } from '../../shared/errors.js';
import type { FormDefinition } from './definition.js';
import type { Submission } from './model.js';
import { issueConfirmToken } from './tokens.js';

/**
 * The bus events the follow-up runs on (EventBridge pattern syntax, as the local bus reads it): a form's
 * `Form Submitted` whose definition asks for something after the submission.
 */
export const followUpPattern = {
  source: [activitySource],
  'detail-type': ['Form Submitted'],
  detail: { properties: { followUp: [true] } },
};

/** Template of the double opt-in mail when the definition names none (templates/form-double-opt-in.liquid). */
export const defaultDoubleOptInTemplate = 'form-double-opt-in';
/** Longest field value passed to a follow-up mail's context (characters); longer ones are cut. */
export const followUpFieldChars = 500;
/** Largest `context.fields` (JSON bytes), under the send contract's 8 KB context: past it, fields are left out. */
export const followUpFieldsBytes = 6 * 1024;

/** The part of the `Form Submitted` bus event the follow-up reads. */
const formSubmittedSchema = z.object({
  profileId: z.string().check(z.minLength(1), z.maxLength(128)),
  properties: z.object({
    formId: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)),
    submissionId: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
  }),
});

export interface FollowUpTarget {
  profileId: string;
  formId: string;
  submissionId: string;
}

/** The event detail's ids; BadRequestError naming the field when the event is not one of ours. */
export function followUpTarget(detail: unknown): FollowUpTarget {
  const parsed = z.safeParse(formSubmittedSchema, detail);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRequestError(`detail.${issue.path.join('.')}`, issue.message);
  }
  return { profileId: parsed.data.profileId, ...parsed.data.properties };
}

export interface FollowUpSend {
  kind: 'send';
  purpose: 'confirmation' | 'double-opt-in';
  input: { profileId: string; templateId: string; idempotencyKey: string; category: 'transactional'; context: Record<string, unknown> };
}

export interface FollowUpHandoff {
  kind: 'handoff';
  detail: FormHandoff;
}

export type FollowUpAction = FollowUpSend | FollowUpHandoff;

/** Whether a submission waits for its double opt-in click (an email consent given, not yet confirmed). */
export function awaitsDoubleOptIn(def: Pick<FormDefinition, 'submit'>, sub: Pick<Submission, 'consents' | 'doubleOptIn'>): boolean {
  return def.submit.doubleOptIn === true && sub.doubleOptIn !== 'confirmed' && sub.consents.some((c) => c.purpose === 'email');
}

/** Field values for a mail's context, cut to size (a mail shows what was asked, not a 5,000-character essay). */
export function contextFields(values: Record<string, string>): Record<string, string> {
  const cut = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.length > followUpFieldChars ? `${v.slice(0, followUpFieldChars)}…` : v]));
  return Buffer.byteLength(JSON.stringify(cut)) > followUpFieldsBytes ? {} : cut;
}

export interface FollowUpSettings {
  /** Nurture's public base URL, no trailing slash. */
  publicApiUrl: string;
  /** HMAC secret of link tokens (functions/sending/adapters/link-secret.ts). */
  linkSecret: string;
}

/** The confirm link of a submission (`GET /v1/forms/confirm?t=…`). */
export function confirmUrl(settings: FollowUpSettings, sub: Pick<Submission, 'formId' | 'submissionId' | 'submittedAt'>): string {
  const token = issueConfirmToken(settings.linkSecret, sub.formId, sub.submissionId, new Date(sub.submittedAt));
  return `${settings.publicApiUrl}/v1/forms/confirm?t=${encodeURIComponent(token)}`;
}

/** Everything the follow-up of one submission does, in order; empty when nothing is asked. */
export function planFollowUp(
  def: Pick<FormDefinition, 'id' | 'submit'>,
  sub: Submission & { handedOffAt?: string },
  recipient: string,
  settings: FollowUpSettings,
): FollowUpAction[] {
  const actions: FollowUpAction[] = [];
  const key = `form:${sub.formId}:${sub.submissionId}`;
  const base = { formId: sub.formId, submissionId: sub.submissionId, locale: sub.locale };
  if (def.submit.confirmationTemplate) {
    actions.push({
      kind: 'send',
      purpose: 'confirmation',
      input: {
        profileId: recipient,
        templateId: def.submit.confirmationTemplate,
        idempotencyKey: `${key}:confirmation`,
        category: 'transactional',
        context: { ...base, fields: contextFields(sub.values) },
      },
    });
  }
  if (awaitsDoubleOptIn(def, sub)) {
    actions.push({
      kind: 'send',
      purpose: 'double-opt-in',
      input: {
        profileId: recipient,
        templateId: def.submit.doubleOptInTemplate ?? defaultDoubleOptInTemplate,
        idempotencyKey: `${key}:double-opt-in`,
        category: 'transactional',
        context: { ...base, confirmUrl: confirmUrl(settings, sub) },
      },
    });
  }
  if (def.submit.notify && !sub.handedOffAt) {
    actions.push({
      kind: 'handoff',
      detail: {
        profileId: recipient,
        messageId: key,
        occurredAt: sub.submittedAt,
        formId: sub.formId,
        submissionId: sub.submissionId,
        reason: def.submit.notify,
        ...(sub.email ? { email: sub.email } : {}),
      },
    });
  }
  return actions;
}

/** A submission the event names is not (yet) readable: thrown so the bus delivery is retried. */
export class SubmissionNotFoundError extends Error {
  override name = 'SubmissionNotFoundError';
}

/** Where a stored submission lives (the adapter's key, carried back for the writes that mark it). */
export interface StoredSubmission extends Submission {
  handedOffAt?: string;
  ref: { pk: string; sk: string };
}

/** What the follow-up reads and does (functions/forms/adapters/follow-up-ports.ts wires them). */
export interface FollowUpPorts {
  forms: { form(formId: string): Promise<FormDefinition | undefined> };
  submissions: {
    get(formId: string, submissionId: string): Promise<StoredSubmission | undefined>;
    /** Marks the hand-off as published (once; later marks change nothing). */
    markHandedOff(ref: StoredSubmission['ref'], at: string): Promise<void>;
  };
  /** The send use case (transactional mail); throws what the send throws (retryable errors included). */
  send(input: FollowUpSend['input']): Promise<{ status: string; reason?: string }>;
  publishHandoff(detail: FormHandoff): Promise<void>;
  settings: FollowUpSettings;
  now(): Date;
  log(message: string, details: Record<string, unknown>): void;
}

/**
 * Runs the follow-up of the submission a `Form Submitted` event names. A send that is skipped (no address,
 * suppressed) is logged, not retried; anything thrown (SES busy, a send still in progress) fails the
 * invocation so EventBridge and Lambda's async retries run it again, and the idempotency keys make that safe.
 */
export async function followUp(detail: unknown, ports: FollowUpPorts): Promise<{ done: string[] }> {
  const target = followUpTarget(detail);
  const def = await ports.forms.form(target.formId);
  if (!def) {
    ports.log('form follow-up skipped: the form is gone or failing its check', { ...target });
    return { done: [] };
  }
  const sub = await ports.submissions.get(target.formId, target.submissionId);
  if (!sub) throw new SubmissionNotFoundError(`no submission ${target.submissionId} of form ${target.formId}`);
  const done: string[] = [];
  for (const action of planFollowUp(def, sub, target.profileId, ports.settings)) {
    if (action.kind === 'send') {
      const result = await ports.send(action.input);
      if (result.status !== 'sent') ports.log(`form ${action.purpose} mail not sent`, { ...target, status: result.status, reason: result.reason });
      done.push(`${action.purpose}:${result.status}`);
    } else {
      await ports.publishHandoff(action.detail);
      await ports.submissions.markHandedOff(sub.ref, ports.now().toISOString());
      done.push('handoff');
    }
  }
  return { done };
}
