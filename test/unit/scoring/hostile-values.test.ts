import { describe, expect, it } from 'vitest';
import { emptyState, storedValueBounds } from '../../../functions/profiles/domain/profile.js';
import { storableValue } from '../../../functions/profiles/domain/storable.js';
import { testFields } from '../../../functions/scoring/domain/match.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { applyEvents } from '../../../functions/scoring/domain/score.js';
import { collected, day, track } from '../../helpers/events.js';

/** Objects as JSON.parse makes them from a client's body: `__proto__` is then an own key like any other. */
const fromJson = <T>(text: string) => JSON.parse(text) as T;

describe('no key name or number is special', () => {
  it('tests fields named constructor, toString or valueOf as the event\'s own, never Object\'s, and never throws', () => {
    const props = fromJson<Record<string, unknown>>('{"plan":{"toString":"pro","valueOf":1},"total":{"valueOf":500},"constructor":"Ferrari"}');
    expect(() => testFields({ plan: { contains: 'pro' } }, props)).not.toThrow();
    expect(testFields({ plan: { contains: 'pro' } }, props)).toBe(false);
    expect(testFields({ total: { gte: 100 } }, props)).toBe(false);
    expect(testFields({ constructor: 'ferrari' }, props)).toBe(true);
    // Absent fields are absent, whatever Object.prototype holds under that name.
    expect(testFields({ toString: { exists: false }, 'plan.hasOwnProperty': { exists: false } }, { plan: {} })).toBe(true);
    expect(testFields({ constructor: { exists: true } }, {})).toBe(false);
  });

  it('knows what DynamoDB cannot store: numbers beyond its range, deep nesting, empty or __proto__ keys', () => {
    expect(storableValue(fromJson('{"n":123456789012345678901234,"m":-9007199254740993,"z":-0,"s":"","a":[1e125,1e-130]}'))).toBe(true);
    for (const bad of ['{"n":1e126}', '{"n":-1e300}', '{"n":1e-131}', '{"n":5e-324}', '{"":1}', '{"a":[{"__proto__":{}}]}']) {
      expect(storableValue(fromJson(bad)), bad).toBe(false);
    }
    let deep: unknown = 'x';
    for (let i = 0; i < storedValueBounds.maxNesting; i++) deep = { k: deep };
    expect(storableValue(deep)).toBe(true);
    expect(storableValue({ k: deep })).toBe(false);
  });

  it('applies an event whatever its properties and traits hold, keeping out of the profile only what DynamoDB cannot store', () => {
    const rules = parseRules(`
version: 1
stages: { mql: 40, sql: 80 }
rules:
  - { id: order, match: { event: Order Completed, properties: { plan: { contains: pro } } }, points: 10 }
  - { id: acme, kind: fit, traits: { company: { contains: acme } }, points: 7 }
`);
    const hostileProps = fromJson<Record<string, unknown>>('{"plan":{"toString":"x"},"__proto__":{"polluted":1},"price":1e300}');
    const identify = collected({
      type: 'identify',
      at: day(0),
      traits: fromJson('{"company":"Acme","constructor":"Ferrari","engine":1e200,"__proto__":{"polluted":1},"car":{"__proto__":"x"}}'),
    });
    const { state, applied } = applyEvents(emptyState('p1'), [track('Order Completed', hostileProps, day(0)), identify], rules, day(0));

    expect(applied).toBe(2);
    expect(state.traits).toEqual({ company: 'Acme', constructor: 'Ferrari' });
    expect(state.score.fit).toBe(7);
    // The order's properties (a number beyond DynamoDB's range) stay off the activity entry; the entry is there.
    expect(state.recent.map((a) => [a.name ?? a.type, a.data])).toEqual([
      ['Order Completed', undefined],
      ['identify', undefined],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
