import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput, GetExecutionHistoryCommand, type HistoryEvent, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { activitySource, leadSource } from '../../functions/shared/domain-events.js';
import { localStateMachinePrefix, scenariosDirEnv } from '../../local/runtime/plugins/scenarios.js';
import type { LocalPorts } from '../../local/runtime/ports.js';
import { type LocalNurture, startLocal } from '../../local/runtime/runtime.js';

export interface ScenarioLocal {
  local: LocalNurture;
  doc: DynamoDBDocumentClient;
  sfn: SFNClient;
  events: EventBridgeClient;
  kinesis: KinesisClient;
  table: string;
  stop(): Promise<void>;
}

/**
 * Local mode on ephemeral ports with scenarios from `dir` (default: statemachines/), waits scaled by
 * `timeScale`, and quiet hours off so a test's outcome does not depend on the hour it runs at.
 */
export async function startScenarioLocal(opts: {
  timeScale: number;
  dir?: string;
  env?: Record<string, string>;
  dataDir?: string;
  ports?: LocalPorts;
}): Promise<ScenarioLocal> {
  if (opts.dir) process.env[scenariosDirEnv] = opts.dir;
  Object.assign(process.env, { NURTURE_QUIET_HOURS: 'off', ...opts.env });
  const local = await startLocal({
    timeScale: opts.timeScale,
    pollIdleMs: 50,
    ports: opts.ports ?? { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 },
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
  });
  const aws = { region: local.emulators.region, credentials: local.emulators.credentials };
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...aws, endpoint: local.emulators.endpoints.dynamodb }));
  const sfn = new SFNClient({ ...aws, endpoint: local.env.AWS_ENDPOINT_URL_SFN });
  const events = new EventBridgeClient({ ...aws, endpoint: local.env.AWS_ENDPOINT_URL_EVENTBRIDGE });
  const kinesis = new KinesisClient({ ...aws, endpoint: local.emulators.endpoints.kinesis, requestHandler: new NodeHttpHandler() });
  return {
    local,
    doc,
    sfn,
    events,
    kinesis,
    table: local.env.TABLE_NAME!,
    async stop() {
      doc.destroy();
      sfn.destroy();
      events.destroy();
      kinesis.destroy();
      await local.stop();
    },
  };
}

export const stateMachineArn = (scenarioId: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${localStateMachinePrefix}${scenarioId}`;

/** Publishes a business event (as the stream processor does) through the real EventBridge client. */
export async function publishActivity(s: ScenarioLocal, profileId: string, event: string, messageId: string, properties: Record<string, unknown> = {}) {
  await s.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: s.local.env.EVENT_BUS_NAME,
          Source: activitySource,
          DetailType: event,
          Detail: JSON.stringify({ profileId, messageId, occurredAt: new Date().toISOString(), type: 'track', event, properties, score: 0, stage: 'known' }),
        },
      ],
    }),
  );
}

export async function publishStageChange(s: ScenarioLocal, profileId: string, from: string, to: string, messageId: string) {
  await s.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: s.local.env.EVENT_BUS_NAME,
          Source: leadSource,
          DetailType: 'lead.stage_changed',
          Detail: JSON.stringify({ profileId, messageId, occurredAt: new Date().toISOString(), from, to, score: 0 }),
        },
      ],
    }),
  );
}

/** Executions of a scenario (newest first), once the bus has delivered what was published. */
export async function executionsOf(s: ScenarioLocal, scenarioId: string) {
  await s.local.bus.drain();
  return (await s.sfn.send(new ListExecutionsCommand({ stateMachineArn: stateMachineArn(scenarioId) }))).executions ?? [];
}

/** Polls until the scenario has an execution for the profile, and returns its ARN. */
export async function executionFor(s: ScenarioLocal, scenarioId: string, profileId: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await executionsOf(s, scenarioId)).find((e) => e.name?.startsWith(`${profileId}-`));
    if (found) return found.executionArn!;
    if (Date.now() > deadline) throw new Error(`no ${scenarioId} execution for ${profileId}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls DescribeExecution until the execution has closed. */
export async function closed(s: ScenarioLocal, executionArn: string, timeoutMs = 20_000): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await s.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') {
      await s.local.bus.drain();
      return d;
    }
    if (Date.now() > deadline) throw new Error(`${executionArn} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls until `ok` holds (for effects that arrive asynchronously, like a wait being registered). */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Names of the states the execution entered, in order. */
export async function statesEntered(s: ScenarioLocal, executionArn: string): Promise<string[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await s.sfn.send(new GetExecutionHistoryCommand({ executionArn, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails!.name!);
}

export async function itemOf(s: ScenarioLocal, pk: string, sk: string) {
  return (await s.doc.send(new GetCommand({ TableName: s.table, Key: { pk, sk }, ConsistentRead: true }))).Item;
}
