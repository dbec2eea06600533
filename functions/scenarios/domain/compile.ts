/**
 * The scenario compiler: a pure function from a validated scenario to an Amazon States Language
 * definition (JSONPath, so the local runner executes the same definition). Placeholders `${...}` for
 * ARNs and names are filled by CDK's definitionSubstitutions on AWS and by local mode here.
 *
 * Cost shape (Standard workflows bill per state transition): every step compiles to at most two states
 * on its normal path (wait 1, wait-until 2, branch 2, waitFor 1, send 2, update 1-2, notify 1, exit 1).
 */
import {
  type AtomicCondition,
  atomsOf,
  type Condition,
  describeCondition,
  describeWhere,
  type FieldCondition,
  isField,
} from './conditions.js';
import { handoffDetailType, handoffSource, placeholders } from './contract.js';
import { durationSeconds } from './duration.js';
import type { Scenario, Step, StepOf } from './schema.js';
import { edgesOf } from './validate.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type AslState = { Type: string; [key: string]: Json };
export interface AslDefinition {
  Comment: string;
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: Json;
}

const ph = (name: string) => `\${${name}}`;

/** Name of the shared terminal state that Choice and Catch targets use for "the journey ends". */
export const doneState = 'Done';

/** Transient Lambda errors worth retrying (AWS's recommended set for lambda:invoke). */
const lambdaRetry: Json = [
  {
    ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];
const dynamoRetry: Json = [
  {
    ErrorEquals: ['DynamoDB.ProvisionedThroughputExceededException', 'DynamoDB.ThrottlingException', 'DynamoDB.InternalServerErrorException', 'DynamoDB.RequestLimitExceeded'],
    IntervalSeconds: 1,
    MaxAttempts: 5,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];
/** A duplicate hand-off is harmless (consumers dedup by messageId); a lost one is not. */
const eventsRetry: Json = [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }];

const profileKey: Json = { pk: { 'S.$': "States.Format('p#{}', $.profileId)" }, sk: { S: 'profile' } };

/** The state a step starts at (a branch starts by reading facts, a wait-until by computing its time). */
export function entryState(step: Step): string {
  if (step.type === 'branch') return `${step.id}.check`;
  if (step.type === 'wait' && step.until) return `${step.id}.at`;
  if (step.type === 'update' && step.points !== undefined && (step.traits || step.stage)) return `${step.id}.profile`;
  return step.id;
}

export function compile(scenario: Scenario): AslDefinition {
  const byId = new Map(scenario.steps.map((s) => [s.id, s]));
  const states: Record<string, AslState> = {};
  let needsDone = false;

  /** `Next` (or `End`) of a state that continues to `target`. */
  const goTo = (target: string | undefined): { Next: string } | { End: true } =>
    target === undefined ? { End: true } : { Next: entryState(byId.get(target)!) };
  /** A state name for Choice/Catch targets, which cannot End. */
  const nameOf = (target: string | undefined): string => {
    if (target !== undefined) return entryState(byId.get(target)!);
    needsDone = true;
    return doneState;
  };

  scenario.steps.forEach((step, index) => {
    const edges = edgesOf(scenario.steps, index);
    const comment = (text: string) => ({ Comment: step.name ? `${step.name}: ${text}` : text });
    switch (step.type) {
      case 'wait': {
        const next = goTo(edges[0]!.target);
        if (step.for) {
          states[step.id] = { Type: 'Wait', ...comment(`wait ${step.for}`), Seconds: durationSeconds(step.for), ...next };
        } else {
          const until = step.until!;
          const when = `${until.time}${until.days ? ` on ${until.days.join(', ')}` : ''} (recipient's time zone)`;
          states[`${step.id}.at`] = {
            Type: 'Task',
            ...comment(`next ${when}`),
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: {
              FunctionName: ph(placeholders.stepsFunction),
              Payload: { action: 'until', 'profileId.$': '$.profileId', time: until.time, ...(until.days ? { days: until.days } : {}) },
            },
            ResultSelector: { 'until.$': '$.Payload.until' },
            ResultPath: '$.wait',
            Retry: lambdaRetry,
            Next: step.id,
          };
          states[step.id] = { Type: 'Wait', ...comment(`wait until ${when}`), TimestampPath: '$.wait.until', ...next };
        }
        break;
      }
      case 'send':
        Object.assign(states, sendStates(scenario, step, comment, nameOf(edges[0]!.target)));
        break;
      case 'branch':
        Object.assign(states, branchStates(step, comment, (t) => nameOf(t), edges.at(-1)!.target));
        break;
      case 'waitFor': {
        const [then, otherwise] = edges;
        const timeoutSeconds = durationSeconds(step.timeout);
        states[step.id] = {
          Type: 'Task',
          ...comment(`wait up to ${step.timeout} for "${step.event}"${step.where ? ` where ${describeWhere(step.where)}` : ''}`),
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: {
            FunctionName: ph(placeholders.stepsFunction),
            Payload: {
              action: 'waitFor',
              'profileId.$': '$.profileId',
              event: step.event,
              ...(step.where ? { where: step.where as Json } : {}),
              'token.$': '$$.Task.Token',
              'executionName.$': '$$.Execution.Name',
              scenarioId: scenario.id,
              stepId: step.id,
              timeoutSeconds,
            },
          },
          TimeoutSeconds: timeoutSeconds,
          // The resuming event becomes $.received; a timeout takes the else path.
          ResultPath: '$.received',
          Retry: lambdaRetry,
          Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: nameOf(otherwise!.target) }],
          ...goTo(then!.target),
        };
        break;
      }
      case 'update':
        Object.assign(states, updateStates(scenario, step, comment, goTo(edges[0]!.target), () => nameOf(edges[0]!.target)));
        break;
      case 'notify':
        states[step.id] = {
          Type: 'Task',
          ...comment(`notify sales: ${step.reason}`),
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: {
            Entries: [
              {
                EventBusName: ph(placeholders.bus),
                Source: handoffSource,
                DetailType: handoffDetailType,
                Detail: {
                  'profileId.$': '$.profileId',
                  // Idempotency key of the publication: a retried task publishes the same messageId.
                  'messageId.$': `States.Format('{}#${step.id}', $$.Execution.Name)`,
                  'occurredAt.$': '$$.State.EnteredTime',
                  scenarioId: scenario.id,
                  stepId: step.id,
                  'executionName.$': '$$.Execution.Name',
                  reason: step.reason,
                },
              },
            ],
          },
          ResultPath: null,
          Retry: eventsRetry,
          ...goTo(edges[0]!.target),
        };
        break;
      case 'exit':
        states[step.id] = { Type: 'Succeed', ...comment('exit the journey') };
        break;
      default: {
        const never: never = step;
        throw new Error(`unknown step type ${(never as Step).type}`);
      }
    }
  });

  if (needsDone) states[doneState] = { Type: 'Succeed', Comment: 'journey complete' };
  return { Comment: `${scenario.name} (scenario ${scenario.id})`, StartAt: entryState(scenario.steps[0]!), States: states };
}

type CommentOf = (text: string) => { Comment: string };

function sendStates(scenario: Scenario, step: StepOf<'send'>, comment: CommentOf, next: string): Record<string, AslState> {
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
      Retry: lambdaRetry,
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
  return field.startsWith('traits.') ? 'traits' : field;
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
  const base = field.startsWith('traits.') ? `$.check.Item.traits.M.${field.slice(7)}` : `$.check.Item.${field}`;
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

function branchStates(
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

function updateStates(
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

/** Fills `${Placeholder}`s (what CDK's definitionSubstitutions does on AWS). */
export function substitute(definition: AslDefinition, values: Record<string, string>): AslDefinition {
  const text = JSON.stringify(definition).replace(/\$\{(\w+)\}/g, (m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for placeholder ${m}`);
    return value;
  });
  return JSON.parse(text) as AslDefinition;
}
