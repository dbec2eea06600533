import { describe, expect, it } from 'vitest';
import {
  campaignOf,
  correctTimestamp,
  deriveMessageId,
  enrich,
  truncateIp,
} from '../../../functions/ingest/domain/enrich.js';
import { clickIdOf } from '../../../functions/ingest/domain/click-id.js';
import { limits } from '../../../functions/ingest/domain/limits.js';
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

describe('ad click ids', () => {
  const meta = { receivedAt, writeKey: 'key_12345678' };
  const landing = (query: string) => ({ page: { url: `https://www.example.com/lp?${query}#top` } });

  it('reads a click id from the page URL or its search string', () => {
    expect(clickIdOf(landing('utm_source=x&gclid=Cj0KCQjw-ab_cd'))).toEqual({ type: 'gclid', value: 'Cj0KCQjw-ab_cd' });
    expect(clickIdOf({ page: { search: '?yclid=YSS.1001234567.EAIaIQ' } })).toEqual({ type: 'yclid', value: 'YSS.1001234567.EAIaIQ' });
    expect(clickIdOf({ page: { url: 'https://www.example.com/lp?li_fat_id=5f1d2c3a-0b1e-4a5b-9c8d-7e6f5a4b3c2d' } })).toEqual({ type: 'li_fat_id', value: '5f1d2c3a-0b1e-4a5b-9c8d-7e6f5a4b3c2d' });
    expect(clickIdOf(landing('utm_source=google'))).toBeUndefined();
    expect(clickIdOf({ page: { url: 'https://www.example.com/lp#gclid=abc' } })).toBeUndefined();
    expect(clickIdOf(undefined)).toBeUndefined();
  });

  it('takes the first type in clickIdTypes order, whatever the order in the URL', () => {
    expect(clickIdOf(landing('fbclid=IwAR1&gclid=G1'))).toEqual({ type: 'gclid', value: 'G1' });
    expect(clickIdOf(landing('ttclid=T1&msclkid=M1'))).toEqual({ type: 'msclkid', value: 'M1' });
  });

  it('ignores a value that is too long or not a URL-safe token, and tries the next type', () => {
    expect(clickIdOf(landing(`gclid=${'a'.repeat(limits.clickIdChars)}`))?.value).toHaveLength(limits.clickIdChars);
    expect(clickIdOf(landing(`gclid=${'a'.repeat(limits.clickIdChars + 1)}`))).toBeUndefined();
    expect(clickIdOf(landing('gclid=%3Cscript%3E'))).toBeUndefined();
    expect(clickIdOf(landing('gclid=a+b'))).toBeUndefined();
    expect(clickIdOf(landing('gclid=&fbclid=IwAR1'))).toEqual({ type: 'fbclid', value: 'IwAR1' });
    expect(clickIdOf(landing('gclid=bad%20id&msclkid=abc123'))).toEqual({ type: 'msclkid', value: 'abc123' });
  });

  it('puts the click id of a page view or a track event from a page on nurture.clickId', () => {
    const context = landing('gclid=Cj0KCQjw&utm_campaign=spring');
    const pageView = enrich(messageSchema.parse({ type: 'page', anonymousId: 'a', context }), meta);
    const ping = enrich(messageSchema.parse({ type: 'track', event: 'Page Ping', anonymousId: 'a', context }), meta);
    const identify = enrich(messageSchema.parse({ type: 'identify', anonymousId: 'a', context }), meta);
    expect(pageView.nurture.clickId).toEqual({ type: 'gclid', value: 'Cj0KCQjw' });
    expect(pageView.context.campaign).toEqual({ name: 'spring' });
    expect(ping.nurture.clickId).toEqual({ type: 'gclid', value: 'Cj0KCQjw' });
    expect(identify.nurture.clickId).toBeUndefined();
  });

  it('drops a nurture field the client sent', () => {
    const message = messageSchema.parse({
      type: 'page',
      anonymousId: 'a',
      context: { userAgent: browserUserAgent },
      nurture: { v: 9, bot: false, profileId: 'someone-else', clickId: { type: 'gclid', value: 'forged' }, mergeFrom: ['victim'] },
    });
    const event = enrich(message, meta);
    expect(event.nurture).toEqual({ v: 1, bot: false, ua: { browser: 'Chrome', os: 'Mac OS', device: 'desktop' } });
  });
});
