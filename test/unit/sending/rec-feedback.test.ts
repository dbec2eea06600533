import { describe, expect, it } from 'vitest';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { withRecParams } from '../../../functions/recommendations/mail.js';
import { type MailLinkPorts, recordClick, recordOpen } from '../../../functions/sending/domain/mail-links.js';
import { linkUrls } from '../../../functions/sending/domain/send.js';
import type { LinkClaims } from '../../../functions/sending/domain/tokens.js';

const secret = 'test-link-secret-0123456789abcdef0123456789';
const base = 'https://api.test';
const claims: LinkClaims = { p: 'p1', s: 's1', t: 'recommended-for-you', c: 'marketing', k: 'recommendations' };
const rec = { recId: 'r_abc', strategy: 'for-you', variant: 'model' };
const person = { userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15' };

function ports() {
  const fed: CollectedEvent[] = [];
  const p: MailLinkPorts = {
    secret,
    base,
    store: {
      resolveProfile: async () => undefined,
      setConsent: async () => true,
      setTopic: async () => undefined,
      getRecord: async () => undefined,
      // Sent an hour ago: a click now is a person's.
      sendTimes: async () => ({ sentAt: new Date(Date.now() - 3_600_000).toISOString() }),
      markHoneypot: async () => undefined,
    },
    templates: { load: async () => Promise.reject(new Error('unused')) },
    feed: async (events) => void fed.push(...events),
    inboxOrigins: [],
    now: () => new Date(),
  };
  return { p, fed };
}
const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

describe('recommendation events from mail', () => {
  it('a person’s click on a product link feeds Recommendation Clicked with the recommendation', async () => {
    const { p, fed } = ports();
    const target = withRecParams('https://shop.example/p/tea-1', rec);

    await recordClick(tokenOf(linkUrls(base, secret, claims).click(target)), person, p);

    expect(fed.map((e) => e.event)).toEqual(['Email Link Clicked', 'Recommendation Clicked']);
    expect(fed[1]!.properties).toMatchObject({ recId: 'r_abc', strategy: 'for-you', variant: 'model', channel: 'email', url: target });
    expect(fed[1]!.messageId).toBe(`rec-${fed[0]!.messageId}`);
  });

  it('other links and scanners feed no recommendation event', async () => {
    const { p, fed } = ports();

    await recordClick(tokenOf(linkUrls(base, secret, claims).click('https://shop.example/sale')), person, p);
    await recordClick(tokenOf(linkUrls(base, secret, claims).click(withRecParams('https://shop.example/p/a', rec))), { userAgent: 'Barracuda Sentinel (EE)' }, p);

    expect(fed.map((e) => e.event)).toEqual(['Email Link Clicked', 'Email Link Clicked']);
  });

  it('opens of a mail with products are one impression, whatever the number of opens', async () => {
    const { p, fed } = ports();
    const pixel = tokenOf(linkUrls(base, secret, claims, { i: 'r_abc', s: 'for-you', v: 'control' }).pixel);

    await recordOpen(pixel, person, p);
    await recordOpen(pixel, person, p);

    const views = fed.filter((e) => e.event === 'Recommendation Viewed');
    expect(views).toHaveLength(2);
    expect(new Set(views.map((e) => e.messageId))).toEqual(new Set(['email-rec-view-s1']));
    expect(views[0]!.properties).toMatchObject({ recId: 'r_abc', strategy: 'for-you', variant: 'control', channel: 'email' });
  });

  it('a mail without products feeds only Email Opened', async () => {
    const { p, fed } = ports();

    await recordOpen(tokenOf(linkUrls(base, secret, claims).pixel), person, p);

    expect(fed.map((e) => e.event)).toEqual(['Email Opened']);
  });
});
