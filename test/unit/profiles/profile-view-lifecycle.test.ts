import { describe, expect, it } from 'vitest';
import { emptyState, type ProfileItem } from '../../../functions/profiles/domain/profile.js';
import { profileView } from '../../../functions/profiles/domain/profile-view.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { applyEvents } from '../../../functions/scoring/domain/score.js';
import { day, track } from '../../helpers/events.js';

const rules = parseRules('version: 1\nstages: { mql: 40, sql: 80 }\nrules: []\n');

function view(item: ProfileItem) {
  return profileView({ profileId: item.profileId }, {}, {
    profiles: { resolve: async () => item, activity: async () => [] },
    linkedProfile: async () => undefined,
    rules: async () => rules,
    now: () => new Date(day(10)),
  });
}

describe('profile view: customer lifecycle', () => {
  it('shows the state, since when, and the orders, revenue and last order of a customer', async () => {
    const orders = [track('Order Completed', { order_id: 'A1', total: 19.99 }, day(0)), track('Order Completed', { order_id: 'A2', total: 5 }, day(3))];
    const state = applyEvents(emptyState('p_1'), orders, rules, day(3)).state;
    const v = await view(state as ProfileItem);
    expect(v!.profile).toMatchObject({ lifecycle: 'new', lifecycleSince: day(0), purchases: { orders: 2, revenue: 24.99, firstOrderAt: day(0), lastOrderAt: day(3) } });
  });

  it('shows a person without orders as a prospect, with no purchases', async () => {
    const v = await view(emptyState('p_2') as ProfileItem);
    expect(v!.profile.lifecycle).toBe('prospect');
    expect(v!.profile).not.toHaveProperty('purchases');
    expect(v!.profile).not.toHaveProperty('lifecycleSince');
  });
});
