/**
 * The scenario document (YAML or JSON in statemachines/). Full zod is fine here: only the compiler, CDK
 * and local tools import this module, never a Lambda handler (they use the plain types in conditions.ts).
 */
import { z } from 'zod';
import { behaviourCondition, conditionLanguage, duration, fieldConditionOf, ops, scalar } from './condition-schema.js';
import { type Condition, type Filter, profileFieldRe } from './conditions.js';
import { touchFields } from '../../profiles/domain/touch.js';
import { idRe, scenarioLimits } from './limits.js';
import { lifecycleStates, stages } from '../../profiles/domain/profile.js';

const id = (what: string) =>
  z
    .string()
    .max(scenarioLimits.maxIdChars, `${what} is at most ${scenarioLimits.maxIdChars} characters`)
    .regex(idRe, `${what} uses lower-case letters, digits and dashes, starting with a letter or digit`);

const filter: z.ZodType<Filter> = z.union([scalar, ops]) as z.ZodType<Filter>;
const where = z.record(
  z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a dotted field path like properties.total'),
  filter,
);

const fieldCondition = fieldConditionOf(
  profileFieldRe,
  `one of score, stage, lifecycle, known, email, timezone, traits.<name>, categories.<name>, firstTouch.<field>, lastTouch.<field> (${touchFields.join(', ')})`,
);
const lastEmailCondition = z.strictObject({ lastEmail: z.enum(['opened', 'clicked', 'notOpened', 'notClicked']) });

/** A scenario condition: a profile field, a behaviour count, the journey's last email, or all/any/not of them. */
export const condition: z.ZodType<Condition> = conditionLanguage<Condition>([
  ['field', fieldCondition],
  ['did', behaviourCondition],
  ['lastEmail', lastEmailCondition],
]);

const stage = z.enum(stages);

const trigger = z
  .strictObject({
    /** A business event (detail-type on the bus), e.g. "Order Completed", "Form Submitted", "Page Viewed". */
    event: z.string().min(1).optional(),
    /** lead.stage_changed to this stage. */
    stage: stage.optional(),
    /** lead.lifecycle_changed to this customer lifecycle state (new, active, loyal, at_risk, churned). */
    lifecycle: z.enum(lifecycleStates).exclude(['prospect']).optional(),
    /** lead.identified: an anonymous visitor became known. */
    identified: z.literal(true).optional(),
    /** segment.entered (or with `on: exited`, segment.exited) of this segment id. */
    segment: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a segment id').optional(),
    /** With `segment`: enroll when the person enters it (default) or leaves it. */
    on: z.enum(['entered', 'exited']).optional(),
    /** Any activity while the score is at least this. */
    score: z.strictObject({ atLeast: z.number() }).optional(),
    /** Filters on the event (paths inside its detail: properties.total, from, to, ...). */
    where: where.optional(),
    /** Conditions on the person, checked at enrollment. */
    who: z.array(condition).min(1).optional(),
  })
  .superRefine((t, ctx) => {
    const kinds = (['event', 'stage', 'lifecycle', 'identified', 'segment', 'score'] as const).filter((k) => t[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `exactly one of event, stage, lifecycle, identified, segment or score, got ${kinds.length ? kinds.join(', ') : 'none'}` });
    if (t.on !== undefined && t.segment === undefined) ctx.addIssue({ code: 'custom', path: ['on'], message: 'only with segment' });
  });

const goal = z
  .strictObject({
    event: z.string().min(1).optional(),
    stage: stage.optional(),
    where: where.optional(),
  })
  .superRefine((g, ctx) => {
    if ((g.event === undefined) === (g.stage === undefined)) ctx.addIssue({ code: 'custom', message: 'exactly one of event or stage' });
  });

const reentry = z.union([z.literal('never'), z.literal('always'), z.strictObject({ after: duration(10 * 365 * 86_400) })], {
  error: 'never, always, or { after: <duration> }',
});

const base = { id: id('a step id'), name: z.string().max(200).optional() };
const next = id('next').optional();

const waitStep = z
  .strictObject({
    ...base,
    type: z.literal('wait'),
    for: duration().optional(),
    until: z
      .strictObject({
        time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day like 09:30'),
        days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).min(1).optional(),
      })
      .optional(),
    next,
  })
  .superRefine((s, ctx) => {
    if ((s.for === undefined) === (s.until === undefined)) ctx.addIssue({ code: 'custom', message: 'a wait has either for or until' });
  });

const branchStep = z.strictObject({
  ...base,
  type: z.literal('branch'),
  paths: z
    .array(z.strictObject({ name: z.string().max(80).optional(), when: z.array(condition).min(1), next: id('next') }))
    .min(1)
    .max(scenarioLimits.maxPaths),
  else: next,
});

const waitForStep = z.strictObject({
  ...base,
  type: z.literal('waitFor'),
  event: z.string().min(1),
  where: where.optional(),
  timeout: duration(scenarioLimits.maxWaitSeconds, scenarioLimits.minWaitForSeconds),
  then: next,
  else: next,
});

const sendStep = z.strictObject({
  ...base,
  type: z.literal('send'),
  template: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a template id: its file name in templates/ without the extension (a-z, 0-9, _ and -)'),
  category: z.enum(['marketing', 'transactional']).default('marketing'),
  capPolicy: z.enum(['skip', 'defer']).default('defer'),
  next,
});

const updateStep = z
  .strictObject({
    ...base,
    type: z.literal('update'),
    traits: z.record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'trait names are 1-64 chars of A-Za-z0-9_'), scalar).optional(),
    stage: stage.optional(),
    points: z.number().int().refine((n) => n !== 0, 'points must not be 0').optional(),
    next,
  })
  .superRefine((s, ctx) => {
    if (!s.traits && !s.stage && s.points === undefined) ctx.addIssue({ code: 'custom', message: 'an update sets traits, stage or points' });
  });

const notifyStep = z.strictObject({
  ...base,
  type: z.literal('notify'),
  reason: z.string().min(1).max(500),
  next,
});

const exitStep = z.strictObject({ ...base, type: z.literal('exit') });

export const step = z.discriminatedUnion('type', [waitStep, branchStep, waitForStep, sendStep, updateStep, notifyStep, exitStep], {
  error: 'type is one of wait, branch, waitFor, send, update, notify, exit',
});

export const scenarioSchema = z.strictObject({
  id: id('the scenario id'),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  trigger,
  reentry: reentry.default('never'),
  goal: goal.optional(),
  steps: z.array(step).min(1).max(scenarioLimits.maxSteps, `at most ${scenarioLimits.maxSteps} steps`),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Step = Scenario['steps'][number];
export type StepOf<T extends Step['type']> = Extract<Step, { type: T }>;
export type Trigger = Scenario['trigger'];
export type Goal = NonNullable<Scenario['goal']>;
export type Reentry = Scenario['reentry'];
