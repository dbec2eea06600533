/**
 * The segment definition document (admin API body, or a YAML file deployed like a scenario). It reuses the
 * scenario condition language (scenarios/domain/condition-schema.ts): profile fields, behaviour counts in a
 * window and all/any/not, plus lifecycle and consent fields and `segment` membership. Full zod like the
 * scenario schema; the processor evaluates the plain types of definition.ts and never loads this module.
 */
import { z } from 'zod';
import { behaviourCondition, conditionLanguage, fieldConditionOf } from '../../scenarios/domain/condition-schema.js';
import type { FieldCondition } from '../../scenarios/domain/conditions.js';
import { touchFields } from '../../profiles/domain/touch.js';
import { fieldValues, type SegmentCondition, segmentFieldRe, segmentIdRe, segmentLimits } from './definition.js';

const id = (what: string) =>
  z
    .string()
    .max(segmentLimits.maxIdChars, `${what} is at most ${segmentLimits.maxIdChars} characters`)
    .regex(segmentIdRe, `${what} uses lower-case letters, digits and dashes, starting with a letter or digit`);

const fieldHint = `one of score, stage, lifecycle, consent, known, email, timezone, traits.<name>, categories.<name>, firstTouch.<field>, lastTouch.<field> (${touchFields.join(', ')})`;

/** A field with a fixed list of values (lifecycle, consent, stage) only compares to values on that list. */
function knownValues(c: FieldCondition, ctx: z.RefinementCtx) {
  const allowed = fieldValues[c.field];
  if (!allowed) return;
  const tested: [PropertyKey[], unknown][] = [
    [['equals'], c.equals],
    [['notEquals'], c.notEquals],
    ...(c.in ?? []).map((v, i): [PropertyKey[], unknown] => [['in', i], v]),
    ...(c.notIn ?? []).map((v, i): [PropertyKey[], unknown] => [['notIn', i], v]),
  ];
  for (const [path, value] of tested) {
    if (value !== undefined && !allowed.includes(value as string)) {
      ctx.addIssue({ code: 'invalid_value', values: [...allowed], input: value, path, message: `${JSON.stringify(value)} is not one of ${allowed.join(', ')}` });
    }
  }
}

const fieldCondition = fieldConditionOf(segmentFieldRe, fieldHint).superRefine((c, ctx) => knownValues(c as FieldCondition, ctx));
const segmentRef = z.strictObject({ segment: id('a segment id') });
/** Named so that a scenario author's habit gets a reason, not "unknown condition". */
const lastEmail = z.unknown().superRefine((_, ctx) =>
  ctx.addIssue({ code: 'custom', path: ['lastEmail'], message: "lastEmail tests a journey's last email; a segment has no journey (use did: Email Opened within a window)" }),
);

/** A segment condition: field, did, segment, or all/any/not of them. */
export const segmentCondition: z.ZodType<SegmentCondition> = conditionLanguage<SegmentCondition>([
  ['field', fieldCondition],
  ['did', behaviourCondition],
  ['segment', segmentRef],
], [['lastEmail', lastEmail]]);

export const segmentSchema = z.strictObject({
  id: id('the segment id'),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  conditions: z.array(segmentCondition).min(1),
  /** Pages may learn that their visitor is a member (GET /v1/personalize); default false. */
  public: z.boolean().optional(),
});

export type SegmentInput = z.input<typeof segmentSchema>;
