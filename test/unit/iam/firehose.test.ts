import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../local/iam/evaluate.js';
import { type ExtractedPolicies, resolvePolicies } from '../../../local/iam/policies.js';
import { requiredAccess, type RawRequest } from '../../../local/iam/requests.js';
import { accessDenied } from '../../../local/iam/responses.js';

const firehoseCall = (op: string, body: unknown): RawRequest => ({
  method: 'POST',
  url: '/',
  headers: { 'x-amz-target': `Firehose_20150804.${op}` },
  body: Buffer.from(JSON.stringify(body)),
});
const events = 'arn:aws:firehose:us-east-1:000000000000:deliverystream/nurture-lake-events';

describe('IAM of Firehose calls', () => {
  it('needs the operation’s action on the delivery stream named in the body', () => {
    expect(requiredAccess('firehose', firehoseCall('PutRecordBatch', { DeliveryStreamName: 'nurture-lake-events', Records: [] }))).toEqual({
      operation: 'firehose:PutRecordBatch',
      checks: [{ action: 'firehose:PutRecordBatch', resource: events }],
    });
    expect(requiredAccess('firehose', firehoseCall('ListDeliveryStreams', {}))?.checks).toEqual([{ action: 'firehose:ListDeliveryStreams', resource: '*' }]);
  });

  it('answers a denial in JSON 1.1 with AccessDeniedException', () => {
    const denied = accessDenied('firehose', 'not allowed');
    expect(denied.status).toBe(400);
    expect(JSON.parse(denied.body)).toMatchObject({ __type: 'AccessDeniedException' });
  });

  it('names a delivery stream locally by the environment variable that hands it to the function', () => {
    // What CDK's grantPutRecords and `LAKE_EVENTS_STREAM: stream.deliveryStreamName` synthesize.
    const extracted: ExtractedPolicies = {
      resources: { LakeEventsStreamA1: { type: 'AWS::KinesisFirehose::DeliveryStream', parentId: 'EventsStream', envVar: 'LAKE_EVENTS_STREAM' } },
      principals: {
        process: {
          role: 'ProcessRole',
          statements: [{ Effect: 'Allow', Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Resource: { 'Fn::GetAtt': ['LakeEventsStreamA1', 'Arn'] } }],
        },
      },
    };
    const names = { tables: {}, streams: {}, buckets: {}, bus: { id: 'b', name: 'b' }, stateMachinePrefix: 'p-', configurationSet: '', senderAddress: 'a@b.c' };
    const set = resolvePolicies(extracted, { ...names, env: { LAKE_EVENTS_STREAM: 'nurture-lake-events' } });
    expect(evaluate(set.principals.process!.statements, { action: 'firehose:PutRecordBatch', resource: events }).allowed).toBe(true);
    expect(evaluate(set.principals.process!.statements, { action: 'firehose:PutRecordBatch', resource: `${events}-other` }).allowed).toBe(false);
  });
});
