/**
 * The events an accepted submission puts on the events stream, built with ingest's own enrichment so
 * they look like collected events: an `identify` (the form's trait fields), `Form Submitted`, and the
 * form's own `submit.event` when it names one. Their messageIds derive from the form and submission ids,
 * so a retried submission re-emits the same ids and the stream processor drops the repeats. Pure.
 */
import { type Campaign, type CollectedEvent, enrich } from '../../ingest/domain/enrich.js';
import type { SegmentMessage } from '../../ingest/domain/schema.js';
import type { FormDefinition } from './definition.js';
import type { Submission } from './model.js';

/** Name of the track event of every accepted submission (scoring rules and scenario triggers match it). */
export const formSubmittedEvent = 'Form Submitted';
/** The events' `source` (what a write key is for collected events). */
export const formsEventSource = 'nurture-forms';

export const submitMessageId = (formId: string, submissionId: string, kind: 'identify' | 'submitted' | 'event') => `form-${formId}-${submissionId}-${kind}`;

const utmToCampaign: Record<string, keyof Campaign> = {
  utm_campaign: 'name',
  utm_source: 'source',
  utm_medium: 'medium',
  utm_term: 'term',
  utm_content: 'content',
};

/** Whether the submission asks for work after it (a confirmation mail, double opt-in, a sales hand-off). */
export function needsFollowUp(form: Pick<FormDefinition, 'submit'>): boolean {
  return Boolean(form.submit.confirmationTemplate || form.submit.doubleOptIn || form.submit.notify);
}

export interface SubmitEventInput {
  form: FormDefinition;
  submission: Submission;
  /** Traits set by the form's fields (`trait`). */
  traits: Record<string, unknown>;
  /** The resolved profile and the profiles identify showed to be the same person. */
  profileId: string;
  mergeFrom: string[];
  /** The visitor's anonymous id, when known. */
  anonymousId?: string;
  sourceIp?: string;
  userAgent?: string;
  receivedAt: Date;
}

/** identify, Form Submitted and the form's own event, in that order, enriched as collect enriches. */
export function submitEvents(input: SubmitEventInput): CollectedEvent[] {
  const { form, submission: s } = input;
  const campaign: Campaign & Record<string, string> = {};
  for (const [param, value] of Object.entries(s.utm ?? {})) {
    const key = utmToCampaign[param];
    if (key) campaign[key] = value;
  }
  const page = { ...(s.url ? { url: s.url } : {}), ...(s.referrer ? { referrer: s.referrer } : {}) };
  const context = {
    ...(Object.keys(page).length > 0 ? { page } : {}),
    ...(Object.keys(campaign).length > 0 ? { campaign } : {}),
    ...(input.userAgent ? { userAgent: input.userAgent.slice(0, 1024) } : {}),
    locale: s.locale,
  };
  const common = { ...(input.anonymousId ? { anonymousId: input.anonymousId } : {}), timestamp: s.submittedAt, context };
  const properties = {
    formId: form.id,
    submissionId: s.submissionId,
    fields: s.values,
    consents: s.consents.map((c) => c.consentId),
    ...(s.page ? { page: s.page } : {}),
    locale: s.locale,
    ...(needsFollowUp(form) ? { followUp: true } : {}),
  };
  const messages: SegmentMessage[] = [
    { ...common, type: 'identify', messageId: submitMessageId(form.id, s.submissionId, 'identify'), traits: input.traits },
    { ...common, type: 'track', messageId: submitMessageId(form.id, s.submissionId, 'submitted'), event: formSubmittedEvent, properties },
  ];
  if (form.submit.event) {
    messages.push({
      ...common,
      type: 'track',
      messageId: submitMessageId(form.id, s.submissionId, 'event'),
      event: form.submit.event,
      properties: { formId: form.id, submissionId: s.submissionId, fields: s.values, ...(s.page ? { page: s.page } : {}) },
    });
  }
  const meta = {
    receivedAt: input.receivedAt,
    writeKey: formsEventSource,
    ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}),
  };
  return messages.map((m) => {
    const event = enrich(m, meta);
    // Resolved here, synchronously, as collect resolves identify: every event names the profile.
    event.nurture.profileId = input.profileId;
    if (m.type === 'identify' && input.mergeFrom.length > 0) event.nurture.mergeFrom = input.mergeFrom;
    return event;
  });
}
