import { describe, expect, it } from 'vitest';
import {
  campaignOf,
  correctTimestamp,
  deriveMessageId,
  enrich,
  truncateIp,
} from '../../../functions/ingest/domain/enrich.js';
import { messageSchema } from '../../../functions/ingest/domain/schema.js';
import { browserUserAgent } from '../../helpers/api-event.js';

const receivedAt = new Date('2026-05-01T12:00:00.000Z');

describe('clock skew correction', () => {
  it('moves the event by the client clock error measured with sentAt', () => {
    // Client clock runs 10 minutes fast: it stamped the event 5 s before sending.
    const corrected = correctTimestamp('2026-05-01T12:09:55.000Z', '2026-05-01T12:10:00.000Z', receivedAt);
    expect(corrected.toISOString()).toBe('2026-05-01T11:59:55.000Z');
  });

  it('keeps the client timestamp when no sentAt is given', () => {
    expect(correctTimestamp('2026-05-01T11:00:00.000Z', undefined, receivedAt).toISOString()).toBe(
      '2026-05-01T11:00:00.000Z',
    );
  });

  it('never puts an event in the future or more than 30 days back', () => {
    expect(correctTimestamp('2026-05-02T12:00:00.000Z', undefined, receivedAt)).toEqual(receivedAt);
    expect(correctTimestamp('2025-01-01T00:00:00.000Z', undefined, receivedAt)).toEqual(receivedAt);
  });
});

describe('IP truncation', () => {
  it('keeps only the /24 network of an IPv4 address', () => {
    expect(truncateIp('203.0.113.77')).toBe('203.0.113.0/24');
    expect(truncateIp('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
  });

  it('keeps only the /48 prefix of an IPv6 address', () => {
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::/48');
    expect(truncateIp('2001:db8::1')).toBe('2001:db8:0::/48');
  });

  it('drops what is not an address', () => {
    expect(truncateIp('not-an-ip')).toBeUndefined();
    expect(truncateIp(undefined)).toBeUndefined();
  });
});

describe('UTM capture', () => {
  it('prefers context.campaign', () => {
    expect(campaignOf({ campaign: { source: 'news' }, page: { url: 'https://x/?utm_source=ads' } })).toEqual({
      source: 'news',
    });
  });

  it('parses utm_* from the page URL when the client sent none', () => {
    expect(
      campaignOf({ page: { url: 'https://x/p?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=crm#top' } }),
    ).toEqual({ source: 'google', medium: 'cpc', name: 'spring', term: 'crm' });
  });

  it('reads page.search as well', () => {
    expect(campaignOf({ page: { search: '?utm_content=banner' } })).toEqual({ content: 'banner' });
  });
});

describe('message ids', () => {
  it('derives the same id for the same content whatever the sentAt', () => {
    const a = deriveMessageId({ type: 'track', event: 'X', anonymousId: 'a', sentAt: '2026-01-01T00:00:00Z' });
    const b = deriveMessageId({ sentAt: '2026-02-01T00:00:00Z', anonymousId: 'a', event: 'X', type: 'track' });
    const c = deriveMessageId({ type: 'track', event: 'Y', anonymousId: 'a' });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe('enrichment', () => {
  const meta = { receivedAt, writeKey: 'key_12345678', sourceIp: '203.0.113.77' };

  it('stores no raw IP and no write key on the event', () => {
    const message = messageSchema.parse({
      type: 'page',
      anonymousId: 'a1',
      writeKey: 'key_12345678',
      context: { ip: '198.51.100.23', userAgent: browserUserAgent },
    });
    const event = enrich(message, meta);
    const text = JSON.stringify(event);
    expect(text).not.toContain('198.51.100.23');
    expect(text).not.toContain('203.0.113.77');
    expect(event.nurture.ipPrefix).toBe('198.51.100.0/24');
    expect('writeKey' in event).toBe(false);
  });

  it('flags crawlers as bots and parses browsers', () => {
    const bot = enrich(
      messageSchema.parse({ type: 'page', anonymousId: 'a', context: { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1)' } }),
      meta,
    );
    const human = enrich(messageSchema.parse({ type: 'page', anonymousId: 'a', context: { userAgent: browserUserAgent } }), meta);
    expect(bot.nurture.bot).toBe(true);
    expect(human.nurture.bot).toBe(false);
    expect(human.nurture.ua).toEqual({ browser: 'Chrome', os: 'Mac OS', device: 'desktop' });
  });

  it('keeps the message id a client sent and stamps receivedAt', () => {
    const event = enrich(messageSchema.parse({ type: 'track', event: 'Signed Up', userId: 'u1', messageId: 'm-1' }), meta);
    expect(event.messageId).toBe('m-1');
    expect(event.receivedAt).toBe(receivedAt.toISOString());
    expect(event.timestamp).toBe(receivedAt.toISOString());
    expect(event.source).toBe('key_12345678');
  });
});
