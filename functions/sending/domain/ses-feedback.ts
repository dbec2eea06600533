import type { Consent } from '../../profiles/domain/profile.js';
import { normalizeEmail } from '../../identity/domain/keys.js';
import type { Suppression } from './model.js';

/** The part of an SES event (configuration set event publishing) that sending reads. */
export interface SesEventDetail {
  eventType?: string;
  mail?: { messageId?: string; tags?: Record<string, string[]> };
  bounce?: { bounceType?: string; bounceSubType?: string; feedbackId?: string; bouncedRecipients?: { emailAddress?: string; diagnosticCode?: string }[] };
  complaint?: { feedbackId?: string; complaintFeedbackType?: string; complainedRecipients?: { emailAddress?: string }[] };
}

/**
 * What a bounce or complaint means for Nurture. Only permanent bounces suppress: a transient bounce (full
 * mailbox, greylisting) says nothing lasting about the address.
 */
export function sesFeedback(detail: SesEventDetail, at: Date): { suppress: Suppression[]; revokeConsentOf?: { profileId: string; consent: Consent } } {
  const profileId = detail.mail?.tags?.profileId?.[0];
  const base = { at: at.toISOString(), ...(profileId ? { profileId } : {}) };
  if (detail.eventType === 'Bounce' && detail.bounce?.bounceType === 'Permanent') {
    const suppress = (detail.bounce.bouncedRecipients ?? []).flatMap((r): Suppression[] => {
      const email = normalizeEmail(r.emailAddress);
      if (!email) return [];
      return [{ ...base, email, reason: 'bounce', source: `ses:${detail.bounce?.feedbackId ?? detail.mail?.messageId ?? 'bounce'}`, detail: [detail.bounce?.bounceSubType, r.diagnosticCode].filter(Boolean).join(': ').slice(0, 500) }];
    });
    return { suppress };
  }
  if (detail.eventType === 'Complaint') {
    const suppress = (detail.complaint?.complainedRecipients ?? []).flatMap((r): Suppression[] => {
      const email = normalizeEmail(r.emailAddress);
      if (!email) return [];
      return [{ ...base, email, reason: 'complaint', source: `ses:${detail.complaint?.feedbackId ?? detail.mail?.messageId ?? 'complaint'}`, ...(detail.complaint?.complaintFeedbackType ? { detail: detail.complaint.complaintFeedbackType } : {}) }];
    });
    return {
      suppress,
      ...(profileId && suppress.length > 0 ? { revokeConsentOf: { profileId, consent: { status: 'revoked', source: 'ses-complaint', at: at.toISOString() } } } : {}),
    };
  }
  return { suppress: [] };
}

/** What applying SES feedback writes through (adapters/dynamo-sending-store.ts). */
export interface SesFeedbackStore {
  suppress(s: Suppression): Promise<boolean>;
  resolveProfile(profileId: string): Promise<{ profileId: string } | undefined>;
  setConsent(profileId: string, consent: Consent): Promise<boolean>;
  /** Counts a broadcast mail's first bounce for its broadcast (once per send). */
  markBroadcastFeedback?(profileId: string, sendId: string, broadcastId: string, kind: 'bounced', at: Date): Promise<boolean>;
}

/** Applies one SES event: suppresses its addresses and, for a complaint, revokes the profile's consent. */
export async function applySesFeedback(detail: SesEventDetail, at: Date, store: SesFeedbackStore): Promise<{ suppressed: number }> {
  const actions = sesFeedback(detail, at);
  for (const s of actions.suppress) await store.suppress(s);
  // A broadcast's mail (SES tags it): its first bounce, permanent or not, counts as bounced for the broadcast.
  const tag = (name: string) => detail.mail?.tags?.[name]?.[0];
  const [broadcastId, sendId, profileId] = [tag('broadcastId'), tag('sendId'), tag('profileId')];
  if (detail.eventType === 'Bounce' && broadcastId && sendId && profileId && store.markBroadcastFeedback) {
    await store.markBroadcastFeedback(profileId, sendId, broadcastId, 'bounced', at);
  }
  if (actions.revokeConsentOf) {
    const found = await store.resolveProfile(actions.revokeConsentOf.profileId);
    if (found) await store.setConsent(found.profileId, actions.revokeConsentOf.consent);
  }
  return { suppressed: actions.suppress.length };
}
