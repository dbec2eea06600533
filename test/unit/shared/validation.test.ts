import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { closest, editDistance } from '../../../functions/shared/suggest.js';
import { checkSchema, formatProblem, locate, readYaml, validateYaml } from '../../../functions/shared/validation.js';

describe('did you mean', () => {
  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('pionts', 'points')).toBe(1);
    expect(editDistance('wiat', 'wait')).toBe(1);
    expect(editDistance('subjcet', 'subject')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the closest candidate, ignoring case, and nothing for a different word', () => {
    expect(closest('pionts', ['id', 'match', 'points', 'category'])).toBe('points');
    expect(closest('perday', ['perDay', 'ever'])).toBe('perDay');
    expect(closest('id', ['in', 'is'])).toBeUndefined(); // short words stay exact
    expect(closest('salesReady', ['mql', 'sql', 'customerEvents'])).toBeUndefined();
  });
});

const schema = z.strictObject({
  name: z.string(),
  kind: z.optional(z.enum(['lead', 'customer'])),
  items: z.array(z.union([z.strictObject({ type: z.literal('a'), size: z.number() }), z.strictObject({ type: z.literal('b'), colour: z.string() })])),
  limits: z.optional(z.strictObject({ perDay: z.optional(z.int()), ever: z.optional(z.int()) })),
});

describe('document validation', () => {
  it('reports every problem in line order, at the line and column of the mistake', () => {
    const text = ['name: x', 'knd: lead', 'items:', '  - type: b', '    color: red', '  - type: a', '    size: big', 'limits: { perDya: 1 }'].join('\n');
    const { problems } = validateYaml(text, schema);
    expect(problems).toEqual([
      { field: 'knd', line: 2, column: 1, message: 'unknown key "knd"', suggestion: 'kind' },
      { field: 'items[0].color', line: 5, column: 5, message: 'unknown key "color"', suggestion: 'colour' },
      { field: 'items[1].size', line: 7, column: 5, message: 'expected number, received string' },
      { field: 'limits.perDya', line: 8, column: 11, message: 'unknown key "perDya"', suggestion: 'perDay' },
    ]);
    expect(formatProblem('doc.yaml', problems[0]!)).toBe('doc.yaml:2:1  knd  unknown key "knd" (did you mean "kind"?)');
  });

  it('suggests an enum value, and places a missing field at the object that lacks it', () => {
    const { problems } = validateYaml('kind: custmer\nitems: []\n', schema);
    expect(problems).toEqual([
      { field: 'name', line: 1, column: 1, message: expect.stringMatching(/^missing: expected string/) },
      { field: 'kind', line: 1, column: 1, message: '"custmer" is not one of lead, customer', suggestion: 'customer' },
    ]);
  });

  it('reports YAML syntax errors with their lines, and skips the schema then', () => {
    const { problems } = validateYaml('name: x\nitems: [\n  - a\nlimits: {\n', schema);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.field === '(yaml)' && (p.line ?? 0) >= 2)).toBe(true);
  });

  it('offsets lines for YAML that starts inside a file, and works without text', () => {
    const { yaml } = readYaml('a: 1\nb:\n  c: 2\n', 1);
    expect(locate(yaml, 'b.c')).toEqual({ line: 4, column: 3 });
    expect(checkSchema(schema, { name: 'x', items: [], extra: 1 }).problems).toEqual([{ field: 'extra', message: expect.stringContaining('unknown key "extra"') }]);
  });
});
