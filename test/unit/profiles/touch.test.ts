import { describe, expect, it } from 'vitest';
import { emptyState } from '../../../functions/profiles/domain/profile.js';
import { mergeProfiles } from '../../../functions/profiles/domain/merge.js';
import { referrerDomain, touchValueChars } from '../../../functions/profiles/domain/touch.js';
import { evaluateAtoms, profileFieldRe } from '../../../functions/scenarios/domain/conditions.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { applyEvents, foldScores } from '../../../functions/scoring/domain/score.js';
import { collected, day } from '../../helpers/events.js';

const rules = parseRules(`
version: 1
stages: { mql: 30, sql: 60, customerEvents: [Order Completed], dormantAfterDays: 30 }
rules:
  - { id: any-page, match: { type: page }, points: 1 }
`);

/** A page view landing from `referrer`, with UTM values as ingest stores them (context.campaign). */
const visit = (path: string, at: string, opts: { referrer?: string; campaign?: Record<string, string>; clickId?: { type: string; value: string } } = {}) =>
  collected({
    type: 'page',
    at,
    context: { page: { path, url: `https://www.example.com${path}`, ...(opts.referrer ? { referrer: opts.referrer } : {}) }, ...(opts.campaign ? { campaign: opts.campaign } : {}) },
    ...(opts.clickId ? { nurture: { v: 1, bot: false, clickId: opts.clickId } } : {}),
  });

describe('first and last touch on the profile', () => {
  it('keeps where a person first came from and the latest campaign that brought them back', () => {
    const { state } = applyEvents(
      emptyState('p1'),
      [
        visit('/blog/post', day(0), { referrer: 'https://www.google.com/search?q=ma', campaign: { source: 'google', medium: 'cpc', name: 'spring', term: 'ma tool' } }),
        // Moving between the site's own pages is not a touch.
        visit('/pricing', day(0, 1), { referrer: 'https://www.example.com/blog/post' }),
        visit('/products', day(3), { campaign: { source: 'newsletter', medium: 'email', name: 'june-digest', content: 'hero' } }),
        visit('/faq', day(4)),
      ],
      rules,
      day(4),
    );
    expect(state.firstTouch).toEqual({ source: 'google', medium: 'cpc', campaign: 'spring', term: 'ma tool', referrerDomain: 'google.com', landingPage: '/blog/post', at: day(0) });
    expect(state.lastTouch).toEqual({ source: 'newsletter', medium: 'email', campaign: 'june-digest', content: 'hero', landingPage: '/products', at: day(3) });
  });

  it('records a direct first visit as the first touch, without making it a last touch', () => {
    const { state } = applyEvents(emptyState('p1'), [visit('/', day(0))], rules, day(0));
    expect(state.firstTouch).toEqual({ landingPage: '/', at: day(0) });
    expect(state.lastTouch).toBeUndefined();
  });

  it('takes the earlier first touch and the later last touch on a merge', () => {
    const anonymous = applyEvents(emptyState('anon'), [visit('/lp', day(0), { campaign: { source: 'facebook', medium: 'social', name: 'launch' } })], rules, day(0)).state;
    const known = applyEvents(emptyState('known'), [visit('/', day(2), { referrer: 'https://news.ycombinator.com/' })], rules, day(2)).state;
    const merged = mergeProfiles(known, anonymous, foldScores(rules));
    expect(merged.firstTouch?.source).toBe('facebook');
    expect(merged.lastTouch?.referrerDomain).toBe('news.ycombinator.com');
  });

  it('bounds what a touch keeps', () => {
    const long = 'x'.repeat(5000);
    const { state } = applyEvents(emptyState('p1'), [visit('/', day(0), { campaign: { source: long } })], rules, day(0));
    expect(state.firstTouch?.source).toHaveLength(touchValueChars);
  });

  it('does not count a referrer that is not a URL or is the site itself', () => {
    expect(referrerDomain({ referrer: 'not a url', url: 'https://example.com/' })).toBeUndefined();
    expect(referrerDomain({ referrer: 'https://example.com/a', url: 'https://www.example.com/b' })).toBeUndefined();
    expect(referrerDomain({ referrer: 'https://t.co/abc', url: 'https://www.example.com/b' })).toBe('t.co');
    // The Gmail app on Android refers as an app: the registry knows that host as webmail.
    expect(referrerDomain({ referrer: 'android-app://com.google.android.gm/', url: 'https://www.example.com/b' })).toBe('com.google.android.gm');
  });

  it('lets a branch condition test the touches', () => {
    const { state } = applyEvents(emptyState('p1'), [visit('/lp', day(0), { campaign: { source: 'google', medium: 'cpc', name: 'spring' } })], rules, day(0));
    const atoms = [
      { field: 'firstTouch.medium', equals: 'cpc' },
      { field: 'lastTouch.campaign', in: ['autumn', 'spring'] },
      { field: 'lastTouch.referrerDomain', exists: true },
    ];
    expect(evaluateAtoms(atoms, { profile: state, behaviourCounts: new Map() })).toEqual([true, true, false]);
  });

  it('keeps the ad click id ingest found, and counts an ad click without UTM values as a last touch', () => {
    const gclid = 'Cj0KCQjw' + 'a'.repeat(150);
    const { state } = applyEvents(
      emptyState('p1'),
      [visit('/', day(0)), visit('/lp', day(1), { clickId: { type: 'gclid', value: gclid } }), visit('/pricing', day(1, 1))],
      rules,
      day(1),
    );
    expect(state.firstTouch).toEqual({ landingPage: '/', at: day(0) });
    expect(state.lastTouch).toEqual({ clickIdType: 'gclid', clickId: gclid.slice(0, touchValueChars), landingPage: '/lp', at: day(1) });
  });

  it('lets a branch condition test the click id type of a touch', () => {
    const { state } = applyEvents(emptyState('p1'), [visit('/lp', day(0), { clickId: { type: 'yclid', value: 'YSS.1001.abc' } })], rules, day(0));
    const atoms = [
      { field: 'firstTouch.clickIdType', equals: 'yclid' },
      { field: 'lastTouch.clickIdType', in: ['gclid', 'yclid'] },
      { field: 'lastTouch.source', exists: true },
    ];
    expect(evaluateAtoms(atoms, { profile: state, behaviourCounts: new Map() })).toEqual([true, true, false]);
    expect(profileFieldRe.test('lastTouch.clickIdType')).toBe(true);
    expect(profileFieldRe.test('lastTouch.clickId')).toBe(false);
  });
});
