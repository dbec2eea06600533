import { describe, expect, it } from 'vitest';
import { merge, page, track } from './fixture-lake.js';
import { analyticsHarness } from './harness.js';

const h = analyticsHarness();

/** Steps /pricing → event Form Submitted → /thanks, within 7 days. */
function fixture() {
  const f1Form = track('f1', '2024-03-03 10:00', 'Form Submitted');
  return {
    events: [
      // f1: all three (2 days, then 5 minutes); the form row delivered twice.
      page('f1', '2024-03-01 10:00', '/pricing'),
      f1Form,
      { ...f1Form, received: f1Form.received + 1 },
      page('f1', '2024-03-03 10:05', '/thanks'),
      // f2: the form 8 days after entering: too late.
      page('f2', '2024-03-01 10:00', '/pricing'),
      track('f2', '2024-03-09 10:00', 'Form Submitted'),
      // f3: the form before /pricing does not count (order), so /thanks after it does not either.
      track('f3', '2024-03-01 09:00', 'Form Submitted'),
      page('f3', '2024-03-01 10:00', '/pricing'),
      page('f3', '2024-03-01 11:00', '/thanks'),
      // f4: entered while anonymous (anon-f4, merged into f4): 30 minutes, then 1 minute.
      page('anon-f4', '2024-03-02 10:00', '/pricing'),
      track('f4', '2024-03-02 10:30', 'Form Submitted'),
      page('f4', '2024-03-02 10:31', '/thanks'),
      // f5: two steps (2 hours).
      page('f5', '2024-03-04 10:00', '/pricing'),
      track('f5', '2024-03-04 12:00', 'Form Submitted'),
      // f6: steps in reverse order: entered only.
      page('f6', '2024-03-01 08:00', '/thanks'),
      track('f6', '2024-03-01 08:01', 'Form Submitted'),
      page('f6', '2024-03-01 08:02', '/pricing'),
      // f7: the form exactly 7 days after entering: in time.
      page('f7', '2024-03-10 10:00', '/pricing'),
      track('f7', '2024-03-17 10:00', 'Form Submitted'),
    ],
    identity: [merge('anon-f4', 'f4', '2024-03-02 10:29')],
  };
}

describe('funnel report', () => {
  it('counts people reaching each step in order within the window, with drop-off and median time between steps', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('funnel', { from: '2024-03-01', to: '2024-03-20', steps: '/pricing,event:Form Submitted,/thanks', within: '7d' });

    expect(answer.rows).toEqual([
      { step: 1, kind: 'page', label: '/pricing', people: 7, conversion: 1, from_previous: null, drop_off: null, median_seconds_from_previous: null },
      // gaps 1800, 7200, 172800, 604800 s: median (7200 + 172800) / 2.
      { step: 2, kind: 'event', label: 'event:Form Submitted', people: 4, conversion: 0.5714, from_previous: 0.5714, drop_off: 3, median_seconds_from_previous: 90000 },
      // gaps 300 and 60 s.
      { step: 3, kind: 'page', label: '/thanks', people: 2, conversion: 0.2857, from_previous: 0.5, drop_off: 2, median_seconds_from_previous: 180 },
    ]);
  });

  it('applies a shorter window', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('funnel', { from: '2024-03-01', to: '2024-03-20', steps: '/pricing,event:Form Submitted', within: '1h' });

    // Only f4 (30 minutes) submits within an hour of entering.
    expect(answer.rows.map((r) => r.people)).toEqual([7, 1]);
  });
});
