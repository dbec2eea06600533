/**
 * Retry policies of compiled Task states: which errors Step Functions retries, how often and how far
 * apart. Error names are matched exactly (`ErrorEquals`): a Lambda task's error is its function's
 * `errorType`, the thrown error's `name`; an optimized DynamoDB task's is `DynamoDB.` + the API's exception.
 */
import type { Json } from './asl.js';
import { sendErrorNames } from './contract.js';

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

/** Transient errors of the optimized DynamoDB integration (the DynamoDB API's exception names). */
export const dynamoRetry: Json = [
  {
    ErrorEquals: ['DynamoDB.ProvisionedThroughputExceededException', 'DynamoDB.ThrottlingException', 'DynamoDB.InternalServerError', 'DynamoDB.RequestLimitExceeded'],
    IntervalSeconds: 1,
    MaxAttempts: 5,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];

/** A duplicate hand-off is harmless (consumers dedup by messageId); a lost one is not. */
export const eventsRetry: Json = [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }];

/**
 * SES refused for now (SendRetryableError): its sending rate is exceeded (1 message/s in the sandbox, the
 * account's maximum send rate after) or sending is paused. Full jitter spreads the retries of executions
 * throttled together instead of sending them back in step; 10 attempts, delays capped at 60 s, ride out
 * a throttle of a few minutes (up to ~5 min of waiting in all, ~2.5 min on average).
 */
export const sendThrottleRetrier = {
  ErrorEquals: [sendErrorNames.retryable],
  IntervalSeconds: 1,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  MaxAttempts: 10,
  JitterStrategy: 'FULL',
} as const;

/**
 * Another call holds this send's claim (SendInProgressError): a concurrent call finishing, or one that
 * died holding it. Its retries must outlast the send function's claim lease (120 s, claimLeaseMs in
 * functions/sending/domain/send.ts), after which a retry takes the claim over or answers: 5, 10, 20, 40,
 * 60 and 60 s = 195 s of waiting, plus the up to 5 s each attempt waits for the holder. No jitter: full
 * jitter could shrink the whole window to nothing, and these retries contend for one key, not for a
 * shared rate.
 */
export const sendInProgressRetrier = {
  ErrorEquals: [sendErrorNames.inProgress],
  IntervalSeconds: 5,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  MaxAttempts: 6,
} as const;

/** The send step: transient Lambda errors, then the send function's own retryable errors. */
export const sendRetry: Json = [...(lambdaRetry as Json[]), { ...sendThrottleRetrier, ErrorEquals: [...sendThrottleRetrier.ErrorEquals] }, { ...sendInProgressRetrier, ErrorEquals: [...sendInProgressRetrier.ErrorEquals] }];
