/**
 * Retry policies of compiled Task states: which errors Step Functions retries, how often and how far
 * apart. Error names are matched exactly (`ErrorEquals`): a Lambda task's error is its function's
 * `errorType`, the thrown error's `name`; an optimized DynamoDB task's is `DynamoDB.` + the API's exception.
 */
import type { Json } from './asl.js';

/** Transient Lambda errors worth retrying (AWS's recommended set for lambda:invoke). */
export const lambdaRetry: Json = [
  {
    ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];

export const dynamoRetry: Json = [
  {
    ErrorEquals: ['DynamoDB.ProvisionedThroughputExceededException', 'DynamoDB.ThrottlingException', 'DynamoDB.InternalServerErrorException', 'DynamoDB.RequestLimitExceeded'],
    IntervalSeconds: 1,
    MaxAttempts: 5,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];

/** A duplicate hand-off is harmless (consumers dedup by messageId); a lost one is not. */
export const eventsRetry: Json = [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }];
