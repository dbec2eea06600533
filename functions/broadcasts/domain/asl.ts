/**
 * The broadcast state machine, JSONPath ASL (local Step Functions ignores JSONata; no Distributed Map):
 *
 *   Scheduled? ─(startAt)─► Wait for start ─┐
 *        └──────────────────────────────────┴► Shards: inline Map over the 16 member shards (MaxConcurrency 16)
 *                                                 Page ─► Next page? ─(waitSeconds > 0)─► Pace (Wait) ─► Page
 *                                                            ├─(waitUntil)─► Wait for due (Wait) ─────► Page
 *                                                            ├─(no wait)──────────────────────────────► Page
 *                                                            └─(end | continue)─► Shard done
 *                                            ─► Finish (done, or continue in a new execution)
 *
 * Both tasks are the broadcastPage function (`action: finish` for the last). CDK fills the placeholder with
 * definitionSubstitutions, local mode with `substitute`. Pure.
 */

export const broadcastPlaceholders = { pageFunction: 'BroadcastPageFunction' } as const;

type Json = Record<string, unknown>;

/** Lambda errors worth retrying soon (what AWS recommends for every lambda:invoke task). */
const lambdaTransient = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
/**
 * Any other failure of a page (SES refusing for now, a send still in progress, DynamoDB throttling) is
 * retried: a retried page re-reads its committed cursor and mails nobody twice.
 */
const retry = [
  { ErrorEquals: lambdaTransient, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 },
  { ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 4, BackoffRate: 2 },
];

const invoke = (payload: Json | string): Json => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: `\${${broadcastPlaceholders.pageFunction}}`, ...(typeof payload === 'string' ? { 'Payload.$': payload } : { Payload: payload }) },
  OutputPath: '$.Payload',
  Retry: retry,
});

/** States per loop of a shard (Page, Next page?, Pace): what the transition counts of the README use. */
export const statesPerLoop = 3;

export function broadcastDefinition(): { Comment: string; StartAt: string; States: Record<string, Json> } {
  return {
    Comment: 'Nurture segment email: a Map over member shards, each paging through its members at a share of the SES rate',
    StartAt: 'Scheduled?',
    States: {
      'Scheduled?': { Type: 'Choice', Choices: [{ Variable: '$.startAt', IsPresent: true, Next: 'Wait for start' }], Default: 'Shards' },
      'Wait for start': { Type: 'Wait', TimestampPath: '$.startAt', Next: 'Shards' },
      Shards: {
        Type: 'Map',
        ItemsPath: '$.shards',
        ItemSelector: { 'broadcastId.$': '$.broadcastId', 'shard.$': '$$.Map.Item.Value', loops: 0 },
        MaxConcurrency: 16,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Page',
          States: {
            Page: { ...invoke('$'), Next: 'Next page?' },
            'Next page?': {
              Type: 'Choice',
              Choices: [
                { Or: [{ Variable: '$.next', StringEquals: 'end' }, { Variable: '$.next', StringEquals: 'continue' }], Next: 'Shard done' },
                { Variable: '$.waitUntil', IsPresent: true, Next: 'Wait for due' },
                { Variable: '$.waitSeconds', NumericGreaterThan: 0, Next: 'Pace' },
              ],
              Default: 'Page',
            },
            Pace: { Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'Page' },
            'Wait for due': { Type: 'Wait', TimestampPath: '$.waitUntil', Next: 'Page' },
            'Shard done': { Type: 'Succeed' },
          },
        },
        ResultPath: null,
        Next: 'Finish',
      },
      Finish: { ...invoke({ action: 'finish', 'broadcastId.$': '$.broadcastId', 'generation.$': '$.generation' }), End: true },
    },
  };
}

/** The definition with the page function's ARN filled in (local mode; CDK uses definitionSubstitutions). */
export function substituteBroadcast(definition: Json, pageFunctionArn: string): Json {
  return JSON.parse(JSON.stringify(definition).replaceAll(`\${${broadcastPlaceholders.pageFunction}}`, pageFunctionArn)) as Json;
}

/** The execution input: which broadcast, which generation, when to start (absent: at once), the shards. */
export function executionInput(broadcastId: string, generation: number, startAt: string | undefined, shards: number): Json {
  return { broadcastId, generation, ...(startAt ? { startAt } : {}), shards: Array.from({ length: shards }, (_, i) => i) };
}

/** Execution name of a broadcast's generation (names are unique per state machine for 90 days). */
export const executionName = (broadcastId: string, generation: number) => `${broadcastId}-${generation}`;
