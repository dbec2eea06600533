import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { InvalidRulesError } from '../../../functions/scoring/errors.js';

function problems(source: string) {
  try {
    parseRules(source);
  } catch (err) {
    if (err instanceof InvalidRulesError) return err.problems;
    throw err;
  }
  throw new Error('expected the document to be refused');
}

describe('scoring rules document', () => {
  it('accepts the default rules shipped in templates/rules/scoring.yaml', () => {
    const doc = parseRules(readFileSync('templates/rules/scoring.yaml', 'utf8'));
    expect(doc.rules.length).toBeGreaterThan(10);
    expect(doc.stages.customerEvents).toEqual(['Order Completed']);
  });

  it('names the field and the YAML line of a bad value', () => {
    const found = problems(['version: 1', 'stages: { mql: 10, sql: 20 }', 'rules:', '  - id: pricing', '    match: { path: /pricing }', '    points: lots'].join('\n'));
    expect(found).toEqual([{ field: 'rules[0].points', line: 6, column: 5, message: expect.stringContaining('expected number') }]);
  });

  it('refuses unknown fields, duplicate ids and inverted thresholds', () => {
    expect(problems('version: 1\nstages: { mql: 10, sql: 20 }\nrules:\n  - id: a\n    match: { evnt: X }\n    points: 1\n')[0]).toMatchObject({
      field: 'rules[0].match.evnt',
      line: 5,
      suggestion: 'event',
    });
    expect(problems('version: 1\nstages: { mql: 10, sql: 20 }\nrules:\n  - { id: a, match: {}, points: 1 }\n  - { id: a, match: {}, points: 2 }\n')[0]?.message).toContain('unique');
    expect(problems('version: 1\nstages: { mql: 30, sql: 20 }\nrules: []\n')[0]?.field).toBe('stages.sql');
  });

  it('refuses repeat windows that would make every lead keep more than 500 event times', () => {
    const repeats = (n: number) =>
      `version: 1\nstages: { mql: 10, sql: 20 }\nrules:\n${Array.from({ length: n }, (_, i) => `  - { id: r${i}, match: {}, points: 1, repeat: { atLeast: 50, withinDays: 7 } }`).join('\n')}\n`;
    expect(parseRules(repeats(10)).rules).toHaveLength(10);
    expect(problems(repeats(11))[0]).toMatchObject({ field: 'rules', message: expect.stringContaining('500') });
  });

  it('fills the lifecycle thresholds in when the block or a field is absent', () => {
    const base = 'version: 1\nstages: { mql: 10, sql: 20 }\nrules: []\n';
    expect(parseRules(base).lifecycle).toEqual({ newWithinDays: 30, loyalOrders: 3, atRiskFactor: 2, atRiskMinDays: 30, atRiskMaxDays: 120, churnedAfterDays: 180 });
    expect(parseRules(`${base}lifecycle: { loyalOrders: 5, customerEvents: [Subscription Renewed] }\n`).lifecycle).toMatchObject({
      loyalOrders: 5,
      churnedAfterDays: 180,
      customerEvents: ['Subscription Renewed'],
    });
    expect(parseRules(readFileSync('templates/rules/scoring.yaml', 'utf8')).lifecycle).toMatchObject({ newWithinDays: 30, churnedAfterDays: 180 });
  });

  it('names the lifecycle field that is wrong, and refuses thresholds that leave no room for a state', () => {
    const doc = (block: string) => `version: 1\nstages: { mql: 10, sql: 20 }\nrules: []\nlifecycle:\n${block}`;
    expect(problems(doc('  loyalOrders: 1\n'))).toEqual([{ field: 'lifecycle.loyalOrders', line: 5, column: 3, message: expect.stringContaining('2') }]);
    expect(problems(doc('  churnedAfterDays: soon\n'))[0]).toMatchObject({ field: 'lifecycle.churnedAfterDays', line: 5 });
    expect(problems(doc('  atRiskMinDays: 60\n  atRiskMaxDays: 40\n'))).toEqual([
      { field: 'lifecycle.atRiskMaxDays', line: 6, column: 3, message: expect.stringContaining('atRiskMinDays (60)') },
    ]);
    expect(problems(doc('  churnedAfterDays: 90\n'))).toEqual([
      { field: 'lifecycle.churnedAfterDays', line: 5, column: 3, message: expect.stringContaining('atRiskMaxDays (120)') },
    ]);
    expect(problems(doc('  churnedAfterDay: 90\n'))[0]).toMatchObject({ field: 'lifecycle.churnedAfterDay', suggestion: 'churnedAfterDays' });
  });

  it('reports YAML syntax errors with their line', () => {
    const [p] = problems('version: 1\nstages: { mql: 10\nrules: []\n');
    expect(p?.field).toBe('(yaml)');
    expect(p?.line).toBeGreaterThan(0);
  });

  it('reports every mistake of a document in one run, each at its line, with the key or value meant', () => {
    const source = [
      'version: 1', //                               1
      'stages:', //                                  2
      '  mql: 30', //                                3
      '  sql: 60', //                                4
      '  salesReady: 70', //                         5  unknown stage
      'rules:', //                                   6
      '  - id: pricing', //                          7
      '    match: { type: page, path: /pricing }', // 8
      '    pionts: 5', //                            9  misspelt key
      '  - id: demo', //                             10
      '    match: { event: Demo Requested }', //     11
      '    points: lots', //                         12 wrong type
      '  - id: email', //                            13
      '    match: { type: trak }', //                14 unknown message type
      '    points: 2', //                            15
    ].join('\n');
    expect(problems(source)).toEqual([
      { field: 'stages.salesReady', line: 5, column: 3, message: expect.stringMatching(/^unknown key "salesReady" \(allowed: mql, sql, /) },
      { field: 'rules[0].pionts', line: 9, column: 5, message: 'unknown key "pionts"', suggestion: 'points' },
      { field: 'rules[1].points', line: 12, column: 5, message: expect.stringContaining('expected number') },
      { field: 'rules[2].match.type', line: 14, column: 14, message: expect.stringContaining('"trak" is not one of track, page'), suggestion: 'track' },
    ]);
  });

  it('reports every duplicate rule id at its own line, alongside the other problems', () => {
    const found = problems('version: 1\nstages: { mql: 10, sql: 20 }\nrules:\n  - { id: a, match: {}, points: x }\n  - { id: a, match: {}, points: 2 }\n');
    expect(found.map((p) => `${p.line} ${p.field}`)).toEqual(['4 rules[0].points', '5 rules[1].id']);
  });

  it('says line, field and suggestion in the error message', () => {
    expect(() => parseRules('version: 1\nstages: { mql: 10, sql: 20 }\nrules:\n  - { id: a, match: {}, pionts: 1 }\n')).toThrow(
      'line 4: rules[0].pionts: unknown key "pionts" (did you mean "points"?)',
    );
  });
});
