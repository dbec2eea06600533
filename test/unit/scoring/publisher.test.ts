import { describe, expect, it } from 'vitest';
import { putEventsCalls } from '../../../functions/scoring/adapters/publisher.js';

const entry = (detailBytes: number) => ({ Source: 'nurture.activity', DetailType: 'Order Completed', Detail: 'x'.repeat(detailBytes) });

describe('domain event publication', () => {
  it('groups entries into PutEvents calls of at most 10 entries and 256 KB, in order', () => {
    expect(putEventsCalls(Array.from({ length: 25 }, () => entry(100))).map((c) => c.length)).toEqual([10, 10, 5]);
    const big = Array.from({ length: 12 }, (_, i) => ({ ...entry(30_000), DetailType: `e${i}` }));
    const calls = putEventsCalls(big);
    const size = (e: { Source?: string; DetailType?: string; Detail?: string }) => 14 + (e.Source?.length ?? 0) + (e.DetailType?.length ?? 0) + (e.Detail?.length ?? 0);
    for (const call of calls) expect(call.reduce((n, e) => n + size(e), 0)).toBeLessThan(256 * 1024);
    expect(calls.flat().map((e) => e.DetailType)).toEqual(big.map((e) => e.DetailType));
    expect(calls.length).toBeGreaterThan(1);
  });
});
