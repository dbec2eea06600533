import { describe, expect, it } from 'vitest';
import { page, track } from './fixture-lake.js';
import { analyticsHarness } from './harness.js';

const h = analyticsHarness();

/** Five sessions on 03-01; S1, S2 and S4 submit the form (S1's submission delivered twice). */
function fixture() {
  const submitted = track('p1', '2024-03-01 10:03', 'Form Submitted');
  return {
    events: [
      page('p1', '2024-03-01 10:00', '/'),
      page('p1', '2024-03-01 10:01', '/pricing'),
      page('p1', '2024-03-01 10:02', '/contact'),
      submitted,
      { ...submitted, received: submitted.received + 5 },
      page('p2', '2024-03-01 11:00', '/'),
      page('p2', '2024-03-01 11:01', '/pricing'),
      track('p2', '2024-03-01 11:02', 'Form Submitted'),
      page('p2', '2024-03-01 11:03', '/thanks'),
      page('p3', '2024-03-01 12:00', '/'),
      page('p3', '2024-03-01 12:01', '/blog'),
      page('p4', '2024-03-01 13:00', '/pricing'),
      page('p4', '2024-03-01 13:01', '/contact'),
      track('p4', '2024-03-01 13:02', 'Form Submitted'),
      page('p5', '2024-03-01 14:00', '/'),
    ],
  };
}

describe('paths report', () => {
  it('lists the page read after a path, with exits, and the first pages of sessions that reached the goal', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('paths', { from: '2024-03-01', to: '2024-03-01', after: '/', steps: '2' });

    expect(answer.rows).toEqual([
      { kind: 'next', value: '/pricing', sessions: 2, share: 0.5 },
      { kind: 'next', value: '(exit)', sessions: 1, share: 0.25 },
      { kind: 'next', value: '/blog', sessions: 1, share: 0.25 },
      { kind: 'sequence', value: '/ > /pricing', sessions: 2, share: 0.6667 },
      { kind: 'sequence', value: '/pricing > /contact', sessions: 1, share: 0.3333 },
    ]);
  });

  it('stops a sequence at the goal and at `steps` pages', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('paths', { from: '2024-03-01', to: '2024-03-01', steps: '5' });

    // No `after`: no next rows. S2's /thanks comes after the goal and is not part of its sequence.
    expect(answer.rows).toEqual([
      { kind: 'sequence', value: '/ > /pricing', sessions: 1, share: 0.3333 },
      { kind: 'sequence', value: '/ > /pricing > /contact', sessions: 1, share: 0.3333 },
      { kind: 'sequence', value: '/pricing > /contact', sessions: 1, share: 0.3333 },
    ]);
  });
});
