/**
 * The condition language's schema pieces, shared by scenario documents (schema.ts) and segment definitions
 * (segments/domain/schema.ts): filter tests, behaviour windows, and the all/any/not nesting around a set of
 * leaf shapes. Full zod, like the documents that use it (never bundled into a Lambda that only evaluates).
 */
import { z } from 'zod';
import type { FilterOps } from './conditions.js';
import { parseDuration } from './duration.js';
import { scenarioLimits } from './limits.js';
import { declareAlternatives } from '../../shared/validation.js';

/** A duration string between `min` and `max` seconds. */
export const duration = (max = scenarioLimits.maxWaitSeconds, min = 1) =>
  z.string().superRefine((text, ctx) => {
    const s = parseDuration(text);
    if (s === undefined) ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 30m, 4h, 3d, 2w or 1d12h` });
    else if (s < min) ctx.addIssue({ code: 'custom', message: `at least ${min} seconds` });
    else if (s > max) ctx.addIssue({ code: 'custom', message: `at most ${Math.floor(max / 86_400)} days` });
  });

export const scalar = z.union([z.string(), z.number(), z.boolean()]);
export const opsShape = {
  equals: scalar.optional(),
  notEquals: scalar.optional(),
  in: z.array(scalar).min(1).optional(),
  notIn: z.array(scalar).min(1).optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
  lt: z.number().optional(),
  lte: z.number().optional(),
  exists: z.boolean().optional(),
  prefix: z.string().min(1).optional(),
};
/** An EventBridge pattern ORs the tests of one field; one kind of test per filter keeps meaning exact. */
export function oneTest(o: FilterOps, ctx: z.RefinementCtx) {
  const kinds = ['equals', 'notEquals', 'in', 'notIn', 'exists', 'prefix'].filter((k) => o[k as keyof FilterOps] !== undefined);
  const numeric = ['gt', 'gte', 'lt', 'lte'].some((k) => o[k as keyof FilterOps] !== undefined);
  const count = kinds.length + (numeric ? 1 : 0);
  if (count === 0) ctx.addIssue({ code: 'custom', message: 'needs one test: equals, notEquals, in, notIn, gt/gte/lt/lte, exists or prefix' });
  if (count > 1) ctx.addIssue({ code: 'custom', message: `one kind of test per field, got ${[...kinds, ...(numeric ? ['a numeric range'] : [])].join(' and ')}` });
}
export const ops = z.strictObject(opsShape).superRefine(oneTest);

/** A test on a profile field; `fields` is the pattern of names it may read, `hint` says them in words. */
export const fieldConditionOf = (fields: RegExp, hint: string) =>
  z.strictObject({ field: z.string().regex(fields, hint), ...opsShape }).superRefine(oneTest);

export const behaviourCondition = z.strictObject({
  did: z.string().min(1),
  path: z.string().startsWith('/').optional(),
  within: duration(scenarioLimits.maxWithinSeconds),
  atLeast: z.number().int().min(0).optional(),
  atMost: z.number().int().min(0).optional(),
});

/**
 * A recursive condition schema: the given leaf shapes, each by the key that distinguishes it, nested in
 * `all`, `any` and `not`. The shape is picked by its key so that an error points into the right shape.
 * `unlisted` shapes are picked the same way but not offered in messages (a key refused with a reason).
 */
export function conditionLanguage<C>(leaves: Array<[string, z.ZodType]>, unlisted: Array<[string, z.ZodType]> = []): z.ZodType<C> {
  const keys = [...leaves.map(([k]) => k), 'all', 'any', 'not'];
  const oneOf = `${keys.slice(0, -1).join(', ')} or ${keys.at(-1)}`;
  let shapes: Array<[string, z.ZodType]> | undefined;
  const all = () =>
    (shapes ??= [
      ...leaves,
      ['all', z.strictObject({ all: z.array(self).min(1) })],
      ['any', z.strictObject({ any: z.array(self).min(1) })],
      ['not', z.strictObject({ not: self })],
      ...unlisted,
    ]);
  const shapeOf = (value: unknown) => (value && typeof value === 'object' ? all().find(([key]) => key in value)?.[1] : undefined);
  const self: z.ZodType<C> = declareAlternatives(
    z.lazy(() =>
      z.unknown().transform((value, ctx): C => {
        const shape = shapeOf(value);
        if (!shape) {
          ctx.addIssue({ code: 'custom', message: `a condition has one of ${oneOf}` });
          return z.NEVER;
        }
        const parsed = shape.safeParse(value);
        if (!parsed.success) {
          // Keep each issue's own code (an unknown key stays one, so the validator can suggest the key meant).
          for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: issue.path } as Parameters<typeof ctx.addIssue>[0]);
          return z.NEVER;
        }
        return parsed.data as C;
      }),
    ),
    (value) => {
      const shape = shapeOf(value);
      return shape ? [shape] : all().map(([, s]) => s);
    },
  ) as unknown as z.ZodType<C>;
  return self;
}
