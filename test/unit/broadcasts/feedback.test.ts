import { describe, expect, it, vi } from 'vitest';
import { type MailLinkPorts, recordClick, recordOpen, unsubscribe } from '../../../functions/sending/domain/mail-links.js';
import { applySesFeedback } from '../../../functions/sending/domain/ses-feedback.js';
import { type LinkClaims, signToken } from '../../../functions/sending/domain/tokens.js';

const secret = 'unit-secret-0123456789abcdef0123456789abcdef';
const claims: LinkClaims = { p: 'p1', s: 's_1', t: 'news', c: 'marketing', k: 'news', b: 'b-1' };
const person = { userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' };

type Mark = NonNullable<MailLinkPorts['store']['markBroadcastFeedback']>;

function ports(mark = vi.fn<Mark>(async () => true)): MailLinkPorts & { mark: typeof mark } {
  return {
    mark,
    secret,
    base: 'https://api.test',
    store: {
      resolveProfile: async () => ({ profileId: 'p1', profile: {} as never }),
      setConsent: async () => true,
      setTopic: async () => undefined,
      getRecord: async () => undefined,
      sendTimes: async () => ({ sentAt: '2026-12-01T00:00:00.000Z' }),
      markHoneypot: async () => undefined,
      markBroadcastFeedback: mark,
    },
    templates: { load: async () => ({}) as never },
    feed: async () => undefined,
    inboxOrigins: ['http://127.0.0.1:4566'],
    now: () => new Date('2026-12-10T00:00:00Z'),
  };
}

describe('broadcast feedback attribution', () => {
  it("counts a person's open, click and unsubscribe of a broadcast mail for its broadcast", async () => {
    const p = ports();
    await recordOpen(signToken(secret, 'open', claims), person, p);
    await recordClick(signToken(secret, 'click', { ...claims, u: 'https://www.example.com/' }), { ...person, fetchDest: 'document', fetchMode: 'navigate', fetchUser: '?1' }, p);
    await unsubscribe(signToken(secret, 'unsubscribe', claims), { scope: 'all', oneClick: true }, p);
    expect(p.mark.mock.calls.map((c) => [c[0], c[1], c[2], c[3]])).toEqual([
      ['p1', 's_1', 'b-1', 'opened'],
      ['p1', 's_1', 'b-1', 'clicked'],
      ['p1', 's_1', 'b-1', 'unsubscribed'],
    ]);
  });

  it("counts nothing for a machine's fetch, a mail of no broadcast, and never fails the request", async () => {
    const p = ports(vi.fn<Mark>(async () => {
      throw new Error('DynamoDB down');
    }));
    await recordOpen(signToken(secret, 'open', claims), { userAgent: 'Mozilla/5.0' }, p); // Apple Mail Privacy Protection's proxy
    await recordOpen(signToken(secret, 'open', claims), { ...person, referer: 'http://127.0.0.1:4566/' }, p); // the local inbox page
    await recordOpen(signToken(secret, 'open', { ...claims, b: undefined }), person, p);
    expect(p.mark).not.toHaveBeenCalled();
    await expect(recordOpen(signToken(secret, 'open', claims), person, p)).resolves.toBeUndefined();
    expect(p.mark).toHaveBeenCalledTimes(1);
  });

  it('counts a bounce of a tagged broadcast mail (first one only, by the store)', async () => {
    const mark = vi.fn(async () => true);
    const store = { suppress: async () => true, resolveProfile: async () => undefined, setConsent: async () => true, markBroadcastFeedback: mark };
    const detail = { eventType: 'Bounce', mail: { tags: { broadcastId: ['b-1'], sendId: ['s_1'], profileId: ['p1'] } }, bounce: { bounceType: 'Transient' } };
    await applySesFeedback(detail, new Date(), store);
    await applySesFeedback({ ...detail, mail: { tags: { sendId: ['s_2'], profileId: ['p1'] } } }, new Date(), store);
    expect(mark.mock.calls.map((c) => c.slice(0, 4))).toEqual([['p1', 's_1', 'b-1', 'bounced']]);
  });
});
