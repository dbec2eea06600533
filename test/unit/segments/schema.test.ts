import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SegmentError } from '../../../functions/segments/errors.js';
import { segmentLimits } from '../../../functions/segments/domain/definition.js';
import { parseSegment, validateSegment } from '../../../functions/segments/domain/validate.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const base = { id: 'demo', name: 'Demo' };

function issuesOf(doc: unknown): { path: string; message: string; suggestion?: string }[] {
  try {
    validateSegment(doc);
  } catch (err) {
    if (err instanceof SegmentError) return err.issues.map(({ path, message, suggestion }) => ({ path, message, ...(suggestion ? { suggestion } : {}) }));
    throw err;
  }
  return [];
}

describe('segment definition', () => {
  it.each(readdirSync(fixtures).filter((f) => f.endsWith('.yaml')))('accepts the fixture %s', (file) => {
    const segment = parseSegment(readFileSync(join(fixtures, file), 'utf8'), file);
    expect(`${segment.id}.yaml`).toBe(file);
  });

  it('names the bad field by its path inside nested conditions', () => {
    const issues = issuesOf({ ...base, conditions: [{ any: [{ field: 'stage', equals: 'mql' }, { field: 'score', gte: 'high' }] }] });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('conditions[0].any[1].gte');
  });

  it('accepts lifecycle and consent fields and catches a misspelt state with a suggestion', () => {
    expect(issuesOf({ ...base, conditions: [{ field: 'lifecycle', equals: 'loyal' }, { field: 'consent', equals: 'granted' }] })).toEqual([]);
    expect(issuesOf({ ...base, conditions: [{ field: 'lifecycle', in: ['new', 'at-risk'] }] })).toEqual([
      { path: 'conditions[0].in[1]', message: '"at-risk" is not one of prospect, new, active, loyal, at_risk, churned', suggestion: 'at_risk' },
    ]);
    expect(issuesOf({ ...base, conditions: [{ field: 'stage', equals: 'lead' }] })[0]!.path).toBe('conditions[0].equals');
  });

  it('rejects an unknown field and an unknown condition kind, naming what is allowed', () => {
    expect(issuesOf({ ...base, conditions: [{ field: 'traits', equals: 1 }] })[0]).toMatchObject({ path: 'conditions[0].field', message: expect.stringContaining('lifecycle, consent') });
    expect(issuesOf({ ...base, conditions: [{ feild: 'score', gte: 1 }] })).toEqual([
      { path: 'conditions[0]', message: 'a condition has one of field, did, segment, all, any or not' },
    ]);
  });

  it('refuses lastEmail with the reason: a segment has no journey', () => {
    expect(issuesOf({ ...base, conditions: [{ lastEmail: 'opened' }] })).toEqual([
      { path: 'conditions[0].lastEmail', message: expect.stringContaining('a segment has no journey') },
    ]);
  });

  it('checks the id, the segment reference and the behaviour window', () => {
    expect(issuesOf({ id: 'Bad Id', name: 'x', conditions: [{ segment: 'Other' }, { did: 'Page Viewed', within: '2 days' }] }).map((i) => i.path)).toEqual([
      'id',
      'conditions[0].segment',
      'conditions[1].within',
    ]);
  });

  it('holds its named limits: conditions, nesting, and no reference to itself', () => {
    const many = Array.from({ length: segmentLimits.maxConditions + 1 }, () => ({ field: 'known', equals: true }));
    expect(issuesOf({ ...base, conditions: many })).toEqual([{ path: 'conditions', message: expect.stringContaining(`at most ${segmentLimits.maxConditions} conditions`) }]);
    let deep: unknown = { field: 'known', equals: true };
    for (let i = 0; i <= segmentLimits.maxNesting; i++) deep = { not: deep };
    expect(issuesOf({ ...base, conditions: [deep] })).toEqual([{ path: 'conditions[0].not.not.not.not.not', message: expect.stringContaining('nest at most') }]);
    expect(issuesOf({ ...base, conditions: [{ all: [{ segment: 'demo' }] }] })).toEqual([{ path: 'conditions[0].all[0].segment', message: 'a segment cannot contain itself ("demo")' }]);
  });

  it('gives the line of the mistake in a YAML file', () => {
    const text = 'id: demo\nname: Demo\nconditions:\n  - field: score\n    gte: 30\n  - did: Page Viewed\n    withn: 7d\n';
    expect(() => parseSegment(text, 'demo.yaml')).toThrow(/demo\.yaml: line 7: conditions\[1\]\.withn: unknown key "withn" \(did you mean "within"\?\)/);
  });
});
