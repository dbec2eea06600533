import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeWaits, waitSk } from '../../../functions/scenarios/adapters/task-tokens.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import type { Statement } from '../../../local/iam/evaluate.js';
import { runAs } from '../../../local/iam/index.js';
import type { PolicySet } from '../../../local/iam/policies.js';
import { LocalStepFunctions } from '../../../local/emulators/step-functions/server.js';
import { startTestAws, type TestAws } from '../../helpers/local-aws.js';

/**
 * The IAM check end to end: handlers' SDK clients (endpoints from the environment, as in Lambda) calling
 * the emulators through the checking proxies, as a named function.
 */

let aws: TestAws;
let bus: LocalEventBus;
let sfn: LocalStepFunctions;
const sender = 'hello@acme-analytics.example';

const clients = () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return {
    doc,
    s3: new S3Client({ forcePathStyle: true }),
    ses: new SESv2Client({}),
    kinesis: new KinesisClient({ requestHandler: new NodeHttpHandler() }),
    events: new EventBridgeClient({}),
    sfn: new SFNClient({}),
  };
};
let c: ReturnType<typeof clients>;

async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to be denied, it succeeded');
}

beforeAll(async () => {
  bus = new LocalEventBus();
  sfn = new LocalStepFunctions({ tasks: () => undefined });
  aws = await startTestAws({
    AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0),
    AWS_ENDPOINT_URL_SFN: await sfn.listen(0),
    EVENT_BUS_NAME: 'nurture-local',
    SENDER_ADDRESS: sender,
    SES_CONFIGURATION_SET: 'nurture-local',
  });
  c = clients();
});

afterAll(async () => {
  for (const client of Object.values(c)) client.destroy();
  await aws?.stop();
  await bus?.close();
  await sfn?.close();
});

describe('IAM-faithful local mode', () => {
  it('answers a call outside the role with the service’s own AccessDenied error', async () => {
    const table = aws.env.TABLE_NAME!;
    // collect writes identity links (Get/Put/Update) but may not delete or query.
    await runAs('collect', () => c.doc.send(new PutCommand({ TableName: table, Item: { pk: 'id#x', sk: 'link' } })));
    const ddb = await rejection(runAs('collect', () => c.doc.send(new DeleteCommand({ TableName: table, Key: { pk: 'id#x', sk: 'link' } }))));
    expect(ddb.name).toBe('AccessDeniedException');
    expect(ddb.$metadata?.httpStatusCode).toBe(400);
    expect(ddb.message).toContain('is not authorized to perform: dynamodb:DeleteItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/');
    // The item is still there: the emulator never saw the call.
    expect((await aws.doc.send(new GetCommand({ TableName: table, Key: { pk: 'id#x', sk: 'link' } }))).Item).toBeDefined();

    // The processor reads rules/ only; a template is outside its prefix.
    const s3 = await rejection(runAs('process', () => c.s3.send(new GetObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: 'templates/welcome.liquid' }))));
    expect(s3.name).toBe('AccessDenied');
    expect(s3.$metadata?.httpStatusCode).toBe(403);

    // adminProfiles only reads: no Kinesis at all.
    const kin = await rejection(
      runAs('adminProfiles', () =>
        c.kinesis.send(new PutRecordsCommand({ StreamName: aws.env.EVENTS_STREAM_NAME, Records: [{ PartitionKey: 'a', Data: Buffer.from('{}') }] })),
      ),
    );
    expect(kin.name).toBe('AccessDeniedException');

    // collect may not publish domain events.
    const ev = await rejection(
      runAs('collect', () => c.events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'nurture-local', Source: 's', DetailType: 'd', Detail: '{}' }] }))),
    );
    expect(ev.name).toBe('AccessDeniedException');
  });

  it('lets send mail only from the configured sender address', async () => {
    const mail = (from: string) =>
      new SendEmailCommand({
        FromEmailAddress: from,
        ConfigurationSetName: 'nurture-local',
        Destination: { ToAddresses: ['lead@example.com'] },
        Content: { Simple: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'hi' } } } },
      });
    await runAs('send', () => c.ses.send(mail(`Acme <${sender}>`)));
    const denied = await rejection(runAs('send', () => c.ses.send(mail('other@acme-analytics.example'))));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect(denied.message).toContain('ses:SendEmail');
    // Another function has no SES grant at all.
    expect((await rejection(runAs('mailLinks', () => c.ses.send(mail(sender))))).name).toBe('AccessDeniedException');
  });

  it('passes calls that name no principal (test set-up, the operator’s own tools) unchecked', async () => {
    await c.s3.send(new PutObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: 'templates/x.liquid', Body: 'x' }));
    await c.doc.send(new DeleteCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: 'id#x', sk: 'link' } }));
  });

  it('checks a scenario machine\'s direct integrations against its own role, read from its nested stack', async () => {
    const event = new PutEventsCommand({ Entries: [{ EventBusName: 'nurture-local', Source: 'nurture.scenarios', DetailType: 'd', Detail: '{}' }] });
    // pricing-no-inquiry has a notify step (events:PutEvents on the Nurture bus) and updates the profile.
    await runAs('scenario:pricing-no-inquiry', () => c.events.send(event));
    await runAs('scenario:pricing-no-inquiry', () =>
      c.doc.send(new UpdateCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: 'p#scenario-iam', sk: 'profile' }, UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': 1 } })),
    );
    const del = await rejection(runAs('scenario:pricing-no-inquiry', () => c.doc.send(new DeleteCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: 'p#scenario-iam', sk: 'profile' } }))));
    expect(del.name).toBe('AccessDeniedException');
    // first-purchase-coupon notifies no one: no PutEvents in its role.
    const ev = await rejection(runAs('scenario:first-purchase-coupon', () => c.events.send(event)));
    expect(ev.name).toBe('AccessDeniedException');
    expect(ev.message).toContain('events:PutEvents');
  });

  it('denies a role local mode has no policy for', async () => {
    const err = await rejection(runAs('nobody', () => c.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: 'a', sk: 'b' } }))));
    expect(err.message).toContain("knows no role for 'nobody'");
  });
});

describe('the stream processor resuming waits (resumeWaits: Query and DeleteItem on the table)', () => {
  const profileId = 'p-waits';
  const putToken = async () =>
    aws.doc.send(
      new PutCommand({
        TableName: aws.env.TABLE_NAME,
        Item: { pk: `p#${profileId}`, sk: waitSk('Demo Requested', 'exec-1'), token: 'tok-unknown', event: 'Demo Requested', expiresAt: Math.floor(Date.now() / 1000) + 3600 },
      }),
    );
  const resume = () => runAs('process', () => resumeWaits({ doc: c.doc, sfn: c.sfn, tableName: aws.env.TABLE_NAME! }, profileId, 'Demo Requested', {}));
  const tokens = async () =>
    (await aws.doc.send(new QueryCommand({ TableName: aws.env.TABLE_NAME, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `p#${profileId}` } }))).Items ?? [];

  it('is allowed by the synthesized policy: the used token is deleted', async () => {
    await putToken();
    await resume();
    expect(await tokens()).toEqual([]);
  });

  it('fails with AccessDenied under the processor policy as it was before the fix (no Query, no DeleteItem)', async () => {
    const without = (s: Statement): Statement => {
      const actions = ([] as string[]).concat(s.Action ?? []);
      return actions.some((a) => a.startsWith('dynamodb:')) ? { ...s, Action: actions.filter((a) => a !== 'dynamodb:Query' && a !== 'dynamodb:DeleteItem') } : s;
    };
    const current = aws.iam.policies!;
    const processor = current.principals.process!;
    const before: PolicySet = { principals: { ...current.principals, process: { ...processor, statements: processor.statements.map(without) } } };
    const old = await startTestAws({ SENDER_ADDRESS: sender }, { policies: before });
    try {
      await old.doc.send(new PutCommand({ TableName: old.env.TABLE_NAME, Item: { pk: `p#${profileId}`, sk: 'profile' } }));
      const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: old.env.AWS_ENDPOINT_URL_DYNAMODB }));
      const err = await rejection(runAs('process', () => resumeWaits({ doc, sfn: c.sfn, tableName: old.env.TABLE_NAME! }, profileId, 'Demo Requested', {})));
      doc.destroy();
      expect(err.name).toBe('AccessDeniedException');
      expect(err.message).toContain('dynamodb:Query');
      expect(old.iam.denials.map((d) => `${d.principal} ${d.action}`)).toContain('process dynamodb:Query');
    } finally {
      await old.stop();
      // The second set of emulators pointed process.env at itself: point it back.
      Object.assign(process.env, aws.env);
    }
  });
});
