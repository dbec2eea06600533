/**
 * Task resources of compiled scenarios, served in-process for the local Step Functions: Lambda functions
 * by ARN, and the optimized DynamoDB and EventBridge integrations through the real SDK clients (so the
 * emulators see exactly the calls Step Functions would make). Errors carry Step Functions' names
 * (`DynamoDB.ConditionalCheckFailedException`, the function's errorType), which Retry/Catch match.
 */
import { DynamoDBClient, GetItemCommand, type GetItemCommandInput, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { lambdaContext } from '../api-gateway.js';
import { TaskError, type TaskResourceHandler } from './types.js';

type Json = Parameters<TaskResourceHandler>[0];
/** A Lambda handler as local mode calls it. */
export type LocalLambda = (event: never, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

function strip<T extends { $metadata?: unknown }>(out: T): Json {
  const { $metadata: _m, ...rest } = out;
  return JSON.parse(JSON.stringify(rest)) as Json;
}

/** `tasks` option of LocalStepFunctions for the resources scenarios compile to. */
export function scenarioTaskResources(opts: {
  functions: (arn: string) => LocalLambda | undefined;
  dynamodb: DynamoDBClient;
  eventbridge: EventBridgeClient;
}): (resource: string) => TaskResourceHandler | undefined {
  const lambda: TaskResourceHandler = async (input) => {
    const { FunctionName, Payload } = input as { FunctionName: string; Payload: unknown };
    const fn = opts.functions(FunctionName);
    if (!fn) throw new TaskError('Lambda.ResourceNotFoundException', `Function not found: ${FunctionName}`);
    try {
      const result = await fn(JSON.parse(JSON.stringify(Payload ?? null)) as never, lambdaContext(FunctionName.split(':').pop() ?? 'fn'));
      return { ExecutedVersion: '$LATEST', Payload: JSON.parse(JSON.stringify(result ?? null)) as Json, StatusCode: 200 };
    } catch (err) {
      const e = err as Error;
      throw new TaskError(e.name || 'Error', JSON.stringify({ errorType: e.name, errorMessage: e.message }));
    }
  };
  const dynamo = (call: (params: never) => Promise<{ $metadata?: unknown }>): TaskResourceHandler => async (input) => {
    try {
      return strip(await call(input as never));
    } catch (err) {
      throw new TaskError(`DynamoDB.${(err as Error).name}`, (err as Error).message);
    }
  };
  const handlers: Record<string, TaskResourceHandler> = {
    'arn:aws:states:::lambda:invoke': lambda,
    'arn:aws:states:::dynamodb:getItem': dynamo((p) => opts.dynamodb.send(new GetItemCommand(p as GetItemCommandInput))),
    'arn:aws:states:::dynamodb:updateItem': dynamo((p) => opts.dynamodb.send(new UpdateItemCommand(p as UpdateItemCommandInput))),
    'arn:aws:states:::events:putEvents': async (input) => {
      const entries = ((input as { Entries: Array<Record<string, unknown>> }).Entries ?? []).map(
        (e): PutEventsRequestEntry => ({ ...e, Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail ?? {}) }),
      );
      const out = await opts.eventbridge.send(new PutEventsCommand({ Entries: entries }));
      if (out.FailedEntryCount) throw new TaskError('EventBridge.FailedEntry', JSON.stringify(out.Entries));
      return strip(out);
    },
  };
  return (resource) => handlers[resource];
}
