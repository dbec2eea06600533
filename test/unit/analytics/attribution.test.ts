import nodeSqlParser from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { stageRow } from '../../../functions/analytics/domain/lake-rows.js';
import type { EventRow } from '../../../functions/analytics/domain/lake.js';
import { merge, page, track } from './fixture-lake.js';
import { type Answer, analyticsHarness, renderedSql } from './harness.js';

const h = analyticsHarness();
const window = { from: '2024-03-01', to: '2024-03-10' };

type Row = Record<string, unknown>;
/** Rows as `model|channel|medium|campaign` → the fields asked for. */
const credits = (answer: Answer, fields: string[] = ['conversions', 'revenue']) =>
  Object.fromEntries(
    (answer.rows as Row[]).map((r) => [[r.model, r.channel, r.medium, r.campaign ?? ''].join('|'), Object.fromEntries(fields.map((f) => [f, r[f]]))]),
  );
const order = (person: string, time: string, revenue: number, extra: Partial<EventRow> = {}) => track(person, time, 'Order Completed', { revenue, ...extra });
const google = { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'Spring' };
const newsletter = { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'march' };

/** p1: paid search, then Facebook, then the newsletter, and an order 10 minutes into the last visit. */
const threeTouches = () => [
  page('p1', '2024-03-01 10:00', '/', google),
  page('p1', '2024-03-03 10:00', '/blog', { referrer_domain: 'facebook.com' }),
  page('p1', '2024-03-05 10:00', '/news', newsletter),
  order('p1', '2024-03-05 10:10', 100),
];

describe('attribution report', () => {
  it('credits a conversion with three touches under each model', async () => {
    const lake = await h.lake({ events: threeTouches() });

    const answer = await lake.run('attribution', window);

    // time_decay, half-life 7 days: ages 4 d 10 min, 2 d 10 min, 10 min; weights 2^(-age/7) normalized.
    expect(credits(answer)).toEqual({
      'first|paid_search|google-ads|spring': { conversions: 1, revenue: 100 },
      'first|organic_social|facebook|': { conversions: 0, revenue: 0 },
      'first|email|newsletter|march': { conversions: 0, revenue: 0 },
      'last|email|newsletter|march': { conversions: 1, revenue: 100 },
      'last|organic_social|facebook|': { conversions: 0, revenue: 0 },
      'last|paid_search|google-ads|spring': { conversions: 0, revenue: 0 },
      'linear|email|newsletter|march': { conversions: 0.3333, revenue: 33.33 },
      'linear|organic_social|facebook|': { conversions: 0.3333, revenue: 33.33 },
      'linear|paid_search|google-ads|spring': { conversions: 0.3333, revenue: 33.33 },
      'position|email|newsletter|march': { conversions: 0.4, revenue: 40 },
      'position|paid_search|google-ads|spring': { conversions: 0.4, revenue: 40 },
      'position|organic_social|facebook|': { conversions: 0.2, revenue: 20 },
      'time_decay|email|newsletter|march': { conversions: 0.4011, revenue: 40.11 },
      'time_decay|organic_social|facebook|': { conversions: 0.329, revenue: 32.9 },
      'time_decay|paid_search|google-ads|spring': { conversions: 0.2699, revenue: 26.99 },
    });
    expect(answer.rows.filter((r) => r.model === 'linear').map((r) => r.touches)).toEqual([1, 1, 1]);
    expect((answer as unknown as { totals: Record<string, Row> }).totals.position).toMatchObject({ touches: 3, conversions: 1, revenue: 100, cost: null });
    expect(answer.parameters).toMatchObject({ model: 'all', conversion: 'order', lookback: 30, halfLife: 7, previousFrom: '2024-02-20', previousTo: '2024-02-29' });
  });

  it('credits position 50/50 to two touches and 100% to one, and one model alone when asked', async () => {
    const lake = await h.lake({
      events: [
        page('p1', '2024-03-01 10:00', '/', google),
        page('p1', '2024-03-03 10:00', '/news', newsletter),
        order('p1', '2024-03-03 10:10', 80),
        page('p2', '2024-03-04 10:00', '/', newsletter),
        order('p2', '2024-03-04 10:05', 20),
      ],
    });

    const answer = await lake.run('attribution', { ...window, model: 'position' });

    expect(credits(answer)).toEqual({
      'position|email|newsletter|march': { conversions: 1.5, revenue: 60 },
      'position|paid_search|google-ads|spring': { conversions: 0.5, revenue: 40 },
    });
  });

  it('credits a conversion without a touch in its lookback to (unattributed), and the touch once the lookback reaches it', async () => {
    const lake = await h.lake({
      events: [
        // A server-sent order, no visit at all.
        order('p2', '2024-03-02 09:00', 30),
        // A visit 36 days before the order (outside 30 days), and a visit after the order (never credited).
        page('p3', '2024-02-01 10:00', '/', google),
        order('p3', '2024-03-08 12:00', 50),
        page('p3', '2024-03-08 12:30', '/', newsletter),
      ],
    });

    const within30 = await lake.run('attribution', { ...window, model: 'last' });
    const within40 = await lake.run('attribution', { ...window, model: 'last', lookback: '40' });

    expect(credits(within30, ['conversions', 'revenue', 'touches'])).toEqual({
      'last|(unattributed)|(unattributed)|': { conversions: 2, revenue: 80, touches: 0 },
      'last|email|newsletter|march': { conversions: 0, revenue: 0, touches: 1 },
    });
    expect(credits(within40)).toEqual({
      'last|(unattributed)|(unattributed)|': { conversions: 1, revenue: 30 },
      'last|paid_search|google-ads|spring': { conversions: 1, revenue: 50 },
      'last|email|newsletter|march': { conversions: 0, revenue: 0 },
    });
  });

  it('credits each of one person’s conversions to the touches before it', async () => {
    const lake = await h.lake({
      events: [
        page('p4', '2024-03-01 10:00', '/', google),
        order('p4', '2024-03-02 10:00', 10),
        page('p4', '2024-03-04 10:00', '/', { referrer_domain: 'facebook.com' }),
        order('p4', '2024-03-04 10:05', 30),
      ],
    });

    const answer = await lake.run('attribution', { ...window, model: 'all' });
    const rows = credits(answer);

    expect(rows['first|paid_search|google-ads|spring']).toEqual({ conversions: 2, revenue: 40 });
    expect(rows['last|paid_search|google-ads|spring']).toEqual({ conversions: 1, revenue: 10 });
    expect(rows['last|organic_social|facebook|']).toEqual({ conversions: 1, revenue: 30 });
    expect(rows['linear|paid_search|google-ads|spring']).toEqual({ conversions: 1.5, revenue: 25 });
    expect(rows['linear|organic_social|facebook|']).toEqual({ conversions: 0.5, revenue: 15 });
  });

  it('counts merged anonymous history, and credits a direct visit only when no other touch is in the lookback', async () => {
    const lake = await h.lake({
      events: [
        // Anonymous a1 comes from paid search, becomes k1, comes back direct and buys: last non-direct is paid search.
        page('a1', '2024-03-01 10:00', '/', google),
        page('k1', '2024-03-03 10:00', '/pricing'),
        order('k1', '2024-03-03 10:05', 70),
        // p5 only ever comes direct.
        page('p5', '2024-03-02 10:00', '/'),
        order('p5', '2024-03-02 10:01', 5),
      ],
      identity: [merge('a1', 'k1', '2024-03-02 08:00')],
    });

    const answer = await lake.run('attribution', { ...window, model: 'last' });

    expect(credits(answer, ['conversions', 'revenue', 'touches'])).toEqual({
      'last|paid_search|google-ads|spring': { conversions: 1, revenue: 70, touches: 1 },
      'last|direct|direct|': { conversions: 1, revenue: 5, touches: 2 },
    });
  });

  it('credits stage conversions to offline touches, a replayed stage row once', async () => {
    const mql = stageRow({ profileId: 'p6', messageId: 'm-demo:mql', occurredAt: '2024-03-03T09:00:00.000Z', from: 'known', to: 'mql' });
    const known = stageRow({ profileId: 'p6', messageId: 'm-form:known', occurredAt: '2024-03-02T12:00:00.000Z', from: 'anonymous', to: 'known' });
    const lake = await h.lake({
      events: [
        track('p6', '2024-03-02 11:00', 'Offline Touch', { utm_source: 'exhibition', utm_medium: 'offline', utm_campaign: 'Expo 2024' }),
        known,
        mql,
        { ...mql, received: mql.received + 5 },
      ],
    });

    const mqls = await lake.run('attribution', { ...window, model: 'first', conversion: 'mql' });
    const leads = await lake.run('attribution', { ...window, model: 'first', conversion: 'lead' });
    const customers = await lake.run('attribution', { ...window, model: 'first', conversion: 'customer' });
    const touches = await lake.run('attribution', { ...window, model: 'first', conversion: 'event:Offline Touch' });

    expect(credits(mqls, ['conversions', 'touches'])).toEqual({ 'first|offline|event|expo 2024': { conversions: 1, touches: 1 } });
    expect(credits(leads)).toEqual({ 'first|offline|event|expo 2024': { conversions: 1, revenue: 0 } });
    expect(credits(customers)).toEqual({ 'first|offline|event|expo 2024': { conversions: 0, revenue: 0 } });
    // A touch at the conversion's own time counts (at or before it).
    expect(credits(touches)).toEqual({ 'first|offline|event|expo 2024': { conversions: 1, revenue: 0 } });
  });

  it('leaves stage rows out of the other reports: no visitor made them', async () => {
    const stage = stageRow({ profileId: 'p6', messageId: 'm-x:mql', occurredAt: '2024-03-03T09:00:00.000Z', from: 'known', to: 'mql' });
    const lake = await h.lake({ events: [page('p5', '2024-03-02 10:00', '/'), stage] });

    const traffic = await lake.run('traffic', window);

    expect((traffic as unknown as { totals: Row }).totals).toMatchObject({ visitors: 1 });
  });

  it('compares with the previous period of equal length', async () => {
    const lake = await h.lake({
      events: [
        page('p7', '2024-02-25 10:00', '/', google),
        order('p7', '2024-02-25 10:05', 100),
        page('p7', '2024-03-05 10:00', '/', google),
        order('p7', '2024-03-05 10:05', 150),
        page('p8', '2024-03-06 10:00', '/', google),
        // Before the previous period: neither counted nor read for conversions.
        order('p9', '2024-02-10 10:00', 999),
      ],
    });

    const answer = await lake.run('attribution', { ...window, model: 'last' });

    expect(answer.rows).toEqual([
      expect.objectContaining({
        medium: 'google-ads',
        campaign: 'spring',
        touches: 2,
        conversions: 1,
        revenue: 150,
        prev_touches: 1,
        prev_conversions: 1,
        prev_revenue: 100,
        touches_change: 1,
        conversions_change: 0,
        revenue_change: 0.5,
        cost: null,
        cost_change: null,
      }),
    ]);
  });

  it('renders SQL that parses as Trino for every conversion kind', () => {
    const parser = new nodeSqlParser.Parser();
    for (const conversion of ['order', 'mql', "event:It's Done"]) {
      const sql = renderedSql('attribution', { ...window, conversion, model: 'time_decay', halfLife: '3', lookback: '90', limit: '10' });
      expect(() => parser.astify(sql, { database: 'trino' })).not.toThrow();
    }
    expect(renderedSql('attribution', window)).toContain("dt BETWEEN '2024-01-21' AND '2024-03-10'");
  });

  it('refuses bad parameters naming the field', async () => {
    const lake = await h.lake({ events: [] });
    for (const [field, value] of [
      ['conversion', 'signup'],
      ['conversion', 'event:'],
      ['model', 'u-shaped'],
      ['lookback', '91'],
      ['halfLife', '0'],
    ]) {
      await expect(lake.run('attribution', { ...window, [field!]: value! })).rejects.toMatchObject({ statusCode: 400, details: { field: expect.stringContaining(field!) } });
    }
  });
});

