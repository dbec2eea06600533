/**
 * Recommendations in mail, measured like on the site: a person's first open of a mail with products is one
 * "Recommendation Viewed", a person's click on a product link one "Recommendation Clicked", with the
 * recommendation's id, strategy and variant (the results report, functions/analytics/reports/recommendations.ts).
 * Machines' opens and clicks (domain/machine.ts) make none.
 */
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { recParams as params } from '../../recommendations/mail.js';
import type { LinkClaims } from './tokens.js';

/** The recommendation a product link's target names, if it names one. */
export function recOfUrl(url: string): NonNullable<LinkClaims['r']> | undefined {
  try {
    const q = new URL(url).searchParams;
    const i = q.get(params.recId);
    const s = q.get(params.strategy);
    const v = q.get(params.variant);
    return i && s && v ? { i, s, v } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The recommendation event that goes with a person's "Email Opened" (the pixel token's `r` claim) or
 * "Email Link Clicked" (a product link): the email event with its name, properties and id changed. An
 * open's id is the send's, so every later open of the mail is the same impression.
 */
export function recommendationEvent(emailEvent: CollectedEvent, claims: LinkClaims, url?: string): CollectedEvent | undefined {
  const rec = url ? recOfUrl(url) : claims.r;
  if (!rec) return undefined;
  const viewed = url === undefined;
  return {
    ...emailEvent,
    event: viewed ? 'Recommendation Viewed' : 'Recommendation Clicked',
    messageId: viewed ? `email-rec-view-${claims.s}` : `rec-${emailEvent.messageId}`,
    properties: {
      recId: rec.i,
      strategy: rec.s,
      variant: rec.v,
      channel: 'email',
      sendId: claims.s,
      templateId: claims.t,
      ...(url ? { url } : {}),
    },
  };
}
