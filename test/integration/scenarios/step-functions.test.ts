import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStepFunctions, type TaskMeta } from '../../../local/emulators/step-functions/server.js';

const tokens: string[] = [];
const fn = 'arn:aws:lambda:us-east-1:000000000000:function:t';
const local = new LocalStepFunctions({
  timeScale: 86_400,
  tasks: (resource) =>
    resource === 'arn:aws:states:::lambda:invoke'
      ? async (input, meta: TaskMeta) => {
          tokens.push(meta.token);
          return { Payload: input, StatusCode: 200 };
        }
      : undefined,
});
let sfn: SFNClient;
let machine: string;

beforeAll(async () => {
  const url = await local.listen(0);
  sfn = new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  machine = local.register('t', {
    StartAt: 'a-day',
    States: {
      'a-day': { Type: 'Wait', Seconds: 86_400, Next: 'wait-for-it' },
      'wait-for-it': {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: fn, Payload: { 'token.$': '$$.Task.Token' } },
        TimeoutSeconds: 172_800,
        ResultPath: '$.got',
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'timed-out' }],
        Next: 'done',
      },
      'timed-out': { Type: 'Pass', Result: 'timeout', ResultPath: '$.got', Next: 'done' },
      done: { Type: 'Succeed' },
    },
  });
});
afterAll(async () => {
  sfn?.destroy();
  await local.close();
});

const describeIt = (executionArn: string) => sfn.send(new DescribeExecutionCommand({ executionArn }));
async function untilStatus(executionArn: string, status: string) {
  for (let i = 0; i < 400 && (await describeIt(executionArn)).status !== status; i++) await new Promise((r) => setTimeout(r, 10));
  return describeIt(executionArn);
}

describe('local Step Functions endpoint (AWS semantics the enroll function relies on)', () => {
  it('treats a repeated StartExecution with the same name and input as the same execution, and refuses other input', async () => {
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'same', input: '{"n":1}' }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'same', input: '{"n":1}' }));
    expect(again.executionArn).toBe(first.executionArn);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'same', input: '{"n":2}' }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn, error: 'GoalReached' }));
    expect(await describeIt(first.executionArn!)).toMatchObject({ status: 'ABORTED', error: 'GoalReached' });
    // A closed execution's name stays taken, even with the same input.
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'same', input: '{"n":1}' }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('resumes a task token with its output once; a used or unknown token is refused by name', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'resumed', input: '{}' }));
    for (let i = 0; i < 400 && tokens.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const token = tokens.shift()!;
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"clicked":true}' }));
    const done = await untilStatus(executionArn!, 'SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ got: { clicked: true } });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'never-issued', output: '{}' }))).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  it('scales waits and task timeouts, takes the Catch on timeout, and records the history', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'silent', input: '{}' }));
    const done = await untilStatus(executionArn!, 'SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ got: 'timeout' });
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events?.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'TaskStateEntered',
      'TaskTimedOut',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });
});
