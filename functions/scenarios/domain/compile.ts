/**
 * The scenario compiler: a pure function from a validated scenario to an Amazon States Language
 * definition (JSONPath, so the local runner executes the same definition). Placeholders `${...}` for
 * ARNs and names are filled by CDK's definitionSubstitutions on AWS and by local mode here.
 *
 * Cost shape (Standard workflows bill per state transition): every step compiles to at most two states
 * on its normal path (wait 1, wait-until 2, branch 2, waitFor 1, send 2, update 1-2, notify 1, exit 1).
 *
 * Layout: asl.ts (ASL types, placeholders), retry-policy.ts (Retry per integration), compile-steps.ts
 * (send, branch and update steps), this file (the other steps and the state machine).
 */
import { type AslDefinition, type AslState, type Json, ph } from './asl.js';
import { describeWhere } from './conditions.js';
import { handoffDetailType, handoffSource, placeholders } from './contract.js';
import { branchStates, sendStates, updateStates } from './compile-steps.js';
import { durationSeconds } from './duration.js';
import { eventsRetry, lambdaRetry } from './retry-policy.js';
import type { Scenario, Step } from './schema.js';
import { edgesOf } from './validate.js';

export { type AslDefinition, type AslState, type Json, substitute } from './asl.js';
export { isDirect } from './compile-steps.js';

/** Name of the shared terminal state that Choice and Catch targets use for "the journey ends". */
export const doneState = 'Done';

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
