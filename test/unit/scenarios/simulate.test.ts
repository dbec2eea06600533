import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../functions/scenarios/adapters/scenario-files.js';
import { simulate } from '../../../functions/scenarios/domain/simulate.js';
import { repoRoot } from '../../helpers/repo.js';

const example = (id: string) => loadScenarioFile(join(repoRoot, 'statemachines', `${id}.yaml`));
const start = new Date('2026-03-10T09:00:00Z');
const texts = (r: ReturnType<typeof simulate>) => r.lines.map((l) => `${l.stepId ?? ''} ${l.text}`);

describe('scenario dry run', () => {
  it('walks the cart reminder to the last call when nobody clicks, on the simulated clock', () => {
    const r = simulate({ scenario: example('cart-reminder'), profile: { stage: 'known' }, start });
    expect(r.outcome).toBe('exited');
    expect(r.sends).toEqual(['cart-reminder', 'cart-last-call']);
    expect(r.lines.at(-1)?.at.toISOString()).toBe('2026-03-12T13:00:00.000Z');
    expect(texts(r)).toContain('wait-for-click no "Email Link Clicked" within 2d → else');
  });

  it('takes the then path when the awaited event comes in time', () => {
    const r = simulate({ scenario: example('cart-reminder'), profile: {}, start, events: [{ after: '1d', event: 'Email Link Clicked' }] });
    expect(r.sends).toEqual(['cart-reminder']);
    expect(texts(r)).toContain('clicked update +5 points (scoring adds them)');
  });

  it('stops at the goal', () => {
    const r = simulate({ scenario: example('cart-reminder'), profile: {}, start, events: [{ after: '1h', event: 'Order Completed' }] });
    expect(r.outcome).toBe('goal');
    expect(r.sends).toEqual([]);
  });

  it('explains branch decisions from the profile and its activity', () => {
    const visit = (at: string) => ({ event: 'Page Viewed', path: '/pricing', occurredAt: at });
    const r = simulate({
      scenario: example('pricing-no-inquiry'),
      profile: { known: true },
      activity: [visit('2026-03-09T10:00:00Z'), visit('2026-03-10T08:00:00Z')],
      start,
    });
    expect(texts(r)).toContain('still-no-inquiry → repeated pricing visits, no inquiry: notify-sales');
    const anonymous = simulate({ scenario: example('pricing-no-inquiry'), profile: { known: false }, start });
    expect(anonymous.outcome).toBe('not-enrolled');
  });
});
