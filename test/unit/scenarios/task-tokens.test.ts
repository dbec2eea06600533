import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { resumeWaits, waitSk } from '../../../functions/scenarios/adapters/task-tokens.js';

describe('resumeWaits when Step Functions fails', () => {
  const sfn = mockClient(SFNClient);
  const doc = mockClient(DynamoDBDocumentClient);
  afterEach(() => {
    sfn.reset();
    doc.reset();
  });

  it('rethrows an unexpected error and keeps the token, so the processor retry resumes it', async () => {
    doc.on(QueryCommand).resolves({ Items: [{ pk: 'p#p1', sk: waitSk('Plan Changed', 'e1'), token: 't1', expiresAt: Math.floor(Date.now() / 1000) + 60 }] });
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(
      resumeWaits({ doc: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), sfn: new SFNClient({ region: 'us-east-1' }), tableName: 't' }, 'p1', 'Plan Changed', {}),
    ).rejects.toThrow('Rate exceeded');
    expect(doc.commandCalls(DeleteCommand)).toHaveLength(0);
  });
});
