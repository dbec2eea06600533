/**
 * Compilers of the steps that take more than one state or a direct service integration: send (with its
 * deferral loop), branch (a DynamoDB read or a facts call, then a Choice) and update (profile write and/or
 * points). Each returns the states it adds; compile.ts assembles them into the state machine.
 */
import {
  type AtomicCondition,
  atomsOf,
  type Condition,
  describeCondition,
  type FieldCondition,
  isField,
} from './conditions.js';
import { type AslState, type Json, ph } from './asl.js';
import { placeholders } from './contract.js';
import { dynamoRetry, lambdaRetry, sendRetry } from './retry-policy.js';
import type { Scenario, StepOf } from './schema.js';

/** The `Comment` of a state, prefixed with the step's name. */
export type CommentOf = (text: string) => { Comment: string };

export const profileKey: Json = { pk: { 'S.$': "States.Format('p#{}', $.profileId)" }, sk: { S: 'profile' } };

export function sendStates(scenario: Scenario, step: StepOf<'send'>, comment: CommentOf, next: string): Record<string, AslState> {
  return {
    [step.id]: {
      Type: 'Task',
      ...comment(`send "${step.template}" (${step.category}, cap policy ${step.capPolicy})`),
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: ph(placeholders.sendFunction),
        Payload: {
          'profileId.$': '$.profileId',
          templateId: step.template,
          // Execution + step: a retried or re-driven task never sends twice (the send function dedups).
          'idempotencyKey.$': `States.Format('{}#${step.id}', $$.Execution.Name)`,
          category: step.category,
          capPolicy: step.capPolicy,
          scenarioId: scenario.id,
          context: { 'trigger.$': '$.trigger.detail', stepId: step.id },
        },
      },
      ResultSelector: { 'status.$': '$.Payload.status', 'detail.$': '$.Payload', 'at.$': '$$.State.EnteredTime' },
      ResultPath: '$.lastSend',
      Retry: sendRetry,
      Next: `${step.id}.status`,
    },
    [`${step.id}.status`]: {
      Type: 'Choice',
      Comment: 'a deferred send (cap window or quiet hours) waits, then tries again',
      Choices: [{ Variable: '$.lastSend.status', StringEquals: 'deferred', Next: `${step.id}.deferred` }],
      Default: next,
    },
    [`${step.id}.deferred`]: { Type: 'Wait', Comment: 'until the send function allows it', TimestampPath: '$.lastSend.detail.until', Next: step.id },
  };
}

/** Top-level profile attributes a direct GetItem must project for these conditions. */
function attributeOf(field: string): string {
  return field.split('.')[0]!;
}

/**
 * Conditions that a Choice state can test on the raw DynamoDB item (string/boolean equality, membership,
 * prefix, presence on stage, known, email, timezone and traits). Numbers arrive from DynamoDB as strings,
 * and behaviour needs the activity history: those branches ask the scenario-steps function instead.
 */
export function isDirect(atom: AtomicCondition): atom is FieldCondition {
  if (!isField(atom)) return false;
  if (atom.field === 'score' || atom.field.startsWith('categories.')) return false;
  if (atom.exists !== undefined || atom.prefix !== undefined) return true;
  if (atom.equals !== undefined) return typeof atom.equals === 'string' || typeof atom.equals === 'boolean';
  if (atom.in !== undefined) return atom.in.every((v) => typeof v === 'string');
  return false;
}

function dynamoPath(field: string, type?: 'S' | 'BOOL'): string {
  // Map attributes (traits, touches) nest their fields under `M` in DynamoDB's item JSON.
  const [top, sub] = field.split('.') as [string, string | undefined];
  const base = sub === undefined ? `$.check.Item.${field}` : `$.check.Item.${top}.M.${sub}`;
  return type ? `${base}.${type}` : base;
}

function escapeMatch(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\*/g, '\\*');
}

function directRule(atom: FieldCondition): Json {
  if (atom.exists !== undefined) {
    const present = { Variable: dynamoPath(atom.field), IsPresent: true };
    return atom.exists ? present : { Not: present };
  }
  const guarded = (type: 'S' | 'BOOL', test: Record<string, Json>): Json => ({
    And: [{ Variable: dynamoPath(atom.field, type), IsPresent: true }, test],
  });
  if (atom.prefix !== undefined) {
    return guarded('S', { Variable: dynamoPath(atom.field, 'S'), StringMatches: `${escapeMatch(atom.prefix)}*` });
  }
  if (atom.in !== undefined) {
    const path = dynamoPath(atom.field, 'S');
    return guarded('S', { Or: atom.in.map((v) => ({ Variable: path, StringEquals: String(v) })) });
  }
  if (typeof atom.equals === 'boolean') return guarded('BOOL', { Variable: dynamoPath(atom.field, 'BOOL'), BooleanEquals: atom.equals });
  return guarded('S', { Variable: dynamoPath(atom.field, 'S'), StringEquals: String(atom.equals) });
}

export function branchStates(
  step: StepOf<'branch'>,
  comment: CommentOf,
  nameOf: (target: string | undefined) => string,
  elseTarget: string | undefined,
): Record<string, AslState> {
  const allConditions = step.paths.flatMap((p) => p.when);
  const atoms = atomsOf(allConditions);
  const direct = atoms.every(isDirect);
  let cursor = 0;
  const ruleOf = (c: Condition): Json => {
    if ('all' in c) return c.all.length === 1 ? ruleOf(c.all[0]!) : { And: c.all.map(ruleOf) };
    if ('any' in c) return c.any.length === 1 ? ruleOf(c.any[0]!) : { Or: c.any.map(ruleOf) };
    if ('not' in c) return { Not: ruleOf(c.not) };
    const i = cursor++;
    return direct ? directRule(c as FieldCondition) : { Variable: `$.check.c.c${i}`, BooleanEquals: true };
  };
  const choices = step.paths.map((p) => {
    const rule = ruleOf(p.when.length === 1 ? p.when[0]! : { all: p.when });
    return { ...(rule as Record<string, Json>), Next: nameOf(p.next) };
  });

  const fields = direct ? [...new Set(atoms.map((a) => attributeOf((a as FieldCondition).field)))] : [];
  const check: AslState = direct
    ? {
        Type: 'Task',
        ...comment('read the profile'),
        Resource: 'arn:aws:states:::dynamodb:getItem',
        Parameters: {
          TableName: ph(placeholders.table),
          Key: profileKey,
          ConsistentRead: true,
          ProjectionExpression: fields.map((_, i) => `#a${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(fields.map((f, i) => [`#a${i}`, f])),
        },
        ResultPath: '$.check',
        Retry: dynamoRetry,
        Next: step.id,
      }
    : {
        Type: 'Task',
        ...comment('evaluate conditions on the profile and its activity'),
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: {
          FunctionName: ph(placeholders.stepsFunction),
          Payload: { action: 'facts', 'profileId.$': '$.profileId', atoms: atoms as unknown as Json, 'lastSend.$': '$.lastSend' },
        },
        ResultSelector: { 'c.$': '$.Payload' },
        ResultPath: '$.check',
        Retry: lambdaRetry,
        Next: step.id,
      };
  const described = step.paths.map((p, i) => `${p.name ?? `path ${i + 1}`}: ${p.when.map(describeCondition).join(' and ')}`);
  return {
    [`${step.id}.check`]: check,
    [step.id]: {
      Type: 'Choice',
      ...comment(described.join('; ')),
      Choices: choices,
      Default: nameOf(elseTarget),
    },
  };
}

export function updateStates(
  scenario: Scenario,
  step: StepOf<'update'>,
  comment: CommentOf,
  next: { Next: string } | { End: true },
  nextName: () => string,
): Record<string, AslState> {
  const out: Record<string, AslState> = {};
  const hasProfile = Boolean(step.traits || step.stage);
  const pointsState: AslState | undefined =
    step.points === undefined
      ? undefined
      : {
          Type: 'Task',
          ...comment(`add ${step.points} points (through the events stream, so scoring stays the only writer of scores)`),
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: {
            FunctionName: ph(placeholders.stepsFunction),
            Payload: {
              action: 'points',
              'profileId.$': '$.profileId',
              points: step.points,
              scenarioId: scenario.id,
              stepId: step.id,
              'executionName.$': '$$.Execution.Name',
            },
          },
          ResultPath: null,
          Retry: lambdaRetry,
          ...next,
        };
  if (hasProfile) {
    const names: Record<string, string> = {};
    const values: Record<string, Json> = {};
    const sets: string[] = [];
    Object.entries(step.traits ?? {}).forEach(([trait, value], i) => {
      names['#traits'] = 'traits';
      names[`#t${i}`] = trait;
      values[`:t${i}`] = typeof value === 'string' ? { S: value } : typeof value === 'number' ? { N: String(value) } : { BOOL: value };
      sets.push(`#traits.#t${i} = :t${i}`);
    });
    if (step.stage) {
      // The ranking index (gsi1pk) follows at the lead's next scored event: the processor owns it.
      names['#stage'] = 'stage';
      values[':stage'] = { S: step.stage };
      sets.push('#stage = :stage');
    }
    // The stream processor saves the profile with a version check on `v`: bumping it makes a concurrent
    // save re-read the item instead of writing back traits without this change.
    names['#v'] = 'v';
    values[':one'] = { N: '1' };
    const what = [...Object.entries(step.traits ?? {}).map(([k, v]) => `${k} = ${JSON.stringify(v)}`), ...(step.stage ? [`stage = ${step.stage}`] : [])];
    out[pointsState ? `${step.id}.profile` : step.id] = {
      Type: 'Task',
      ...comment(`set ${what.join(', ')}`),
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: ph(placeholders.table),
        Key: profileKey,
        UpdateExpression: `SET ${sets.join(', ')} ADD #v :one`,
        // Never create a half profile (a deleted person stays deleted), and never write into the tombstone
        // of a profile merged into another since enrollment: the update is skipped then.
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(mergedInto)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      ResultPath: null,
      Retry: dynamoRetry,
      Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: null, Next: pointsState ? step.id : nextName() }],
      ...(pointsState ? { Next: step.id } : next),
    };
  }
  if (pointsState) out[step.id] = pointsState;
  return out;
}
