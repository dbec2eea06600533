/**
 * Marketing touches on the profile: where a person came from the first time (first touch) and the
 * latest time a campaign or another site brought them (last touch). Pure.
 *
 * - A touch is read from a page view: its UTM values (context.campaign, parsed at ingest), the ad click id
 *   ingest found on the URL (nurture.clickId: its type and value), the referring site's domain and the
 *   landing page.
 * - First touch: the profile's earliest page view, whatever it carried (a first visit typed in by hand
 *   is a direct first touch: no source, no referrer).
 * - Last touch: the latest page view that carried UTM values or an ad click id, or came from another site. Moving between
 *   the site's own pages is not a touch, so last touch is "last non-direct touch" (as most MA tools do).
 * - On a merge, the earlier first touch and the later last touch win.
 */
import type { CollectedEvent } from '../../ingest/domain/enrich.js';

export interface Touch {
  source?: string;
  medium?: string;
  campaign?: string;
  term?: string;
  content?: string;
  /** The ad click id's type (`gclid`, `fbclid`, …: channels/domain/registry.ts clickIdTypes). */
  clickIdType?: string;
  /** The ad click id's value, clipped to touchValueChars (the lake keeps it whole). */
  clickId?: string;
  /** Host of the referring page, lower case, without `www.`. */
  referrerDomain?: string;
  /** Path of the page the touch landed on. */
  landingPage?: string;
  /** Event time (ISO). */
  at: string;
}

/** The fields of a touch a scenario condition can test (`firstTouch.<field>`, `lastTouch.<field>`). */
export const touchFields = ['source', 'medium', 'campaign', 'term', 'content', 'clickIdType', 'referrerDomain', 'landingPage'] as const;

/** Longest value kept per touch field: enough for any real UTM value, and the profile item stays small. */
export const touchValueChars = 100;

/** Host of a URL, lower case, without a leading `www.`; undefined when it is not a URL. */
export function hostOf(url: unknown): string | undefined {
  if (typeof url !== 'string' || url === '') return undefined;
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host.startsWith('www.') ? host.slice(4) : host || undefined;
  } catch {
    return undefined;
  }
}

/** The referring site of a page view; undefined without a referrer or when it is the site's own page. */
export function referrerDomain(page: { referrer?: unknown; url?: unknown } | undefined): string | undefined {
  const from = hostOf(page?.referrer);
  if (!from) return undefined;
  return from === hostOf(page?.url) ? undefined : from;
}

const clip = (v: unknown) => (typeof v === 'string' && v !== '' ? v.slice(0, touchValueChars) : undefined);

/** The touch a page view makes; undefined for other events. */
export function touchOf(
  event: Pick<CollectedEvent, 'type' | 'context' | 'timestamp'> & { nurture?: Pick<CollectedEvent['nurture'], 'clickId'> },
  path: string | undefined,
): Touch | undefined {
  if (event.type !== 'page') return undefined;
  const page = event.context.page as { referrer?: unknown; url?: unknown } | undefined;
  const c = event.context.campaign;
  const click = event.nurture?.clickId;
  const fields = {
    source: clip(c?.source),
    medium: clip(c?.medium),
    campaign: clip(c?.name),
    term: clip(c?.term),
    content: clip(c?.content),
    clickIdType: clip(click?.type),
    clickId: clip(click?.value),
    referrerDomain: clip(referrerDomain(page)),
    landingPage: clip(path),
  };
  const touch: Touch = { at: event.timestamp };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) touch[k as keyof typeof fields] = v;
  return touch;
}

/** True when the touch came from a campaign, an ad click or another site (not the site's own navigation). */
export function isMarketingTouch(t: Touch): boolean {
  return Boolean(t.source || t.medium || t.campaign || t.clickIdType || t.referrerDomain);
}

/** The profile's touches after one more page view (or merge partner's touches). Pure. */
export function withTouch<S extends { firstTouch?: Touch; lastTouch?: Touch }>(state: S, touch: Touch | undefined): void {
  if (!touch) return;
  if (!state.firstTouch || touch.at < state.firstTouch.at) state.firstTouch = touch;
  if (isMarketingTouch(touch) && (!state.lastTouch || touch.at >= state.lastTouch.at)) state.lastTouch = touch;
}

/** The value of `firstTouch.<field>` / `lastTouch.<field>` on a profile-like object. */
export function touchField(profile: { firstTouch?: Touch; lastTouch?: Touch }, field: string): string | undefined {
  const [which, name] = field.split('.') as ['firstTouch' | 'lastTouch', keyof Touch];
  return profile[which]?.[name];
}
