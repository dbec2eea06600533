import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { dtOf, eventColumns, lakeLimits } from '../../../functions/analytics/domain/lake.js';
import { eventRow, mergeRow } from '../../../functions/analytics/domain/lake-rows.js';
import { collected, pageView, track } from '../../helpers/events.js';

const at = '2026-06-01T23:59:59.500Z';

describe('event rows', () => {
  it('keeps a page view flat: path, referrer host without www., campaign, device, times and day', () => {
    const page = pageView('/pricing', at, {
      anonymousId: 'a1',
      userId: 'u1',
      name: 'Pricing',
      receivedAt: '2026-06-02T00:00:01.000Z',
      context: {
        page: { path: '/pricing', url: 'https://www.acme.example/pricing', referrer: 'https://WWW.Google.COM/search?q=acme' },
        campaign: { source: 'newsletter', medium: 'email', name: 'june', term: 'crm', content: 'hero' },
      },
      nurture: { v: 1, bot: false, ua: { browser: 'Firefox', device: 'mobile' }, clickId: { type: 'gclid', value: 'Cj0KCQ' } },
    });
    expect(eventRow(page, 'p-1')).toEqual({
      message_id: page.messageId,
      profile_id: 'p-1',
      anonymous_id: 'a1',
      user_id: 'u1',
      type: 'page',
      event: null,
      name: 'Pricing',
      path: '/pricing',
      referrer_domain: 'google.com',
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'june',
      utm_term: 'crm',
      utm_content: 'hero',
      click_id_type: 'gclid',
      click_id: 'Cj0KCQ',
      seconds: null,
      revenue: null,
      properties: null,
      device: 'mobile',
      ts: Date.parse(at),
      received: Date.parse('2026-06-02T00:00:01.000Z'),
      // The UTC day of the event time, not of its arrival.
      dt: '2026-06-01',
    });
  });

  it('has exactly the contract’s columns plus the partition', () => {
    expect(Object.keys(eventRow(track('X'), 'p')).sort()).toEqual([...eventColumns.map((c) => c.name), 'dt'].sort());
  });

  it('leaves out a referrer from the site itself (an internal link)', () => {
    const internal = pageView('/b', at, { context: { page: { path: '/b', url: 'https://acme.example/b', referrer: 'https://www.acme.example/a' } } });
    expect(eventRow(internal, 'p').referrer_domain).toBeNull();
    const none = pageView('/b', at, { context: { page: { path: '/b', referrer: 'not a url' } } });
    expect(eventRow(none, 'p').referrer_domain).toBeNull();
  });

  it('takes heartbeat seconds, its path, and revenue (total when no revenue) from track properties', () => {
    const ping = track('Page Ping', { seconds: 15, path: '/docs' }, at, { context: { page: { path: '/elsewhere' } } });
    expect(eventRow(ping, 'p')).toMatchObject({ type: 'track', event: 'Page Ping', seconds: 15, path: '/docs', revenue: null });
    expect(eventRow(track('Order Completed', { total: 99.5 }, at), 'p').revenue).toBe(99.5);
    expect(eventRow(track('Order Completed', { revenue: 12, total: 99 }, at), 'p').revenue).toBe(12);
    expect(eventRow(track('Order Completed', { revenue: '12' }, at), 'p').revenue).toBeNull();
    // Seconds count only on heartbeats; a form's `seconds` property is just a property.
    expect(eventRow(track('Form Submitted', { seconds: 4 }, at), 'p').seconds).toBeNull();
    // A track event without properties.path happened on the page in its context.
    expect(eventRow(track('Form Submitted', {}, at, { context: { page: { path: '/contact' } } }), 'p').path).toBe('/contact');
  });

  it('stores track properties as JSON up to maxPropertiesBytes and leaves larger ones out, keeping the row', () => {
    const small = track('Signed Up', { plan: 'pro' }, at);
    expect(JSON.parse(eventRow(small, 'p').properties!)).toEqual({ plan: 'pro' });
    const big = track('Signed Up', { blob: 'x'.repeat(lakeLimits.maxPropertiesBytes) }, at);
    expect(eventRow(big, 'p')).toMatchObject({ properties: null, event: 'Signed Up' });
  });

  it('never stores identify traits', () => {
    const who = collected({ type: 'identify', at, traits: { email: 'ann@firm.example', phone: '+1 555' }, properties: { email: 'x' } });
    const row = eventRow(who, 'p');
    expect(row.properties).toBeNull();
    expect(JSON.stringify(row)).not.toContain('ann@firm.example');
  });

  it('bounds text to maxTextChars and paths to maxPathChars without splitting a character', () => {
    const long = track('E'.repeat(lakeLimits.maxTextChars - 1) + '😀😀', { path: `/${'p'.repeat(5000)}` }, at);
    const row = eventRow(long, 'p');
    expect(row.event!.length).toBe(lakeLimits.maxTextChars - 1);
    expect(row.path!.length).toBe(lakeLimits.maxPathChars);
  });

  it('is total and bounded for any event the stream may carry', () => {
    const anything = fc.anything({ maxDepth: 2 });
    fc.assert(
      fc.property(
        fc.record({
          type: fc.constantFrom('page', 'track', 'identify', 'screen', 'group', 'alias'),
          messageId: fc.string({ maxLength: 256 }),
          event: fc.oneof(fc.string({ maxLength: 400 }), anything),
          name: anything,
          anonymousId: anything,
          properties: fc.oneof(fc.dictionary(fc.string(), anything), anything),
          context: fc.record({ page: anything, campaign: fc.oneof(fc.dictionary(fc.constantFrom('source', 'medium', 'name'), fc.string({ unit: 'grapheme', maxLength: 600 })), anything) }, { requiredKeys: [] }),
          timestamp: fc.oneof(fc.date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
          receivedAt: fc.date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
          nurture: fc.record({ v: fc.constant(1), bot: fc.boolean(), ua: anything }),
        }),
        (e) => {
          const row = eventRow(e as unknown as CollectedEvent, 'p');
          for (const c of eventColumns) {
            const v = row[c.name as keyof typeof row];
            if (v === null) continue;
            expect(typeof v).toBe(c.type === 'string' ? 'string' : 'number');
          }
          for (const k of ['event', 'name', 'utm_source', 'utm_medium', 'utm_campaign', 'referrer_domain', 'device'] as const) {
            expect((row[k] ?? '').length).toBeLessThanOrEqual(lakeLimits.maxTextChars);
          }
          expect(row.dt).toBe(dtOf(row.ts));
          expect(Buffer.byteLength(row.properties ?? '', 'utf8')).toBeLessThanOrEqual(lakeLimits.maxPropertiesBytes);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('identity rows', () => {
  it('says the merged profile’s history moves to the survivor, on the day of the merging message', () => {
    expect(mergeRow('anon-p', 'known-p', 'm-9', at)).toEqual({ kind: 'merge', from_id: 'anon-p', to_id: 'known-p', message_id: 'm-9', ts: Date.parse(at), dt: '2026-06-01' });
  });
});
