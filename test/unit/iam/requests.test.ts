import { describe, expect, it } from 'vitest';
import { placeholderIdentity, placeholderSender, resolvePolicies, type ExtractedPolicies } from '../../../local/iam/policies.js';
import { evaluate } from '../../../local/iam/evaluate.js';
import { requiredAccess, type RawRequest } from '../../../local/iam/requests.js';

const json = (target: string, body: unknown): RawRequest => ({
  method: 'POST',
  url: '/',
  headers: { 'x-amz-target': target },
  body: Buffer.from(JSON.stringify(body)),
});
const rest = (method: string, url: string, headers: Record<string, string> = {}, body = ''): RawRequest => ({ method, url, headers, body: Buffer.from(body) });
const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/nurture-main';

describe('what a request needs from IAM', () => {
  it('DynamoDB: the table, the index for an index query, every table of a batch', () => {
    expect(requiredAccess('dynamodb', json('DynamoDB_20120810.Query', { TableName: 'nurture-main' }))?.checks).toEqual([{ action: 'dynamodb:Query', resource: table }]);
    expect(requiredAccess('dynamodb', json('DynamoDB_20120810.Query', { TableName: 'nurture-main', IndexName: 'byScore' }))?.checks).toEqual([
      { action: 'dynamodb:Query', resource: `${table}/index/byScore` },
    ]);
    expect(requiredAccess('dynamodb', json('DynamoDB_20120810.BatchGetItem', { RequestItems: { 'nurture-main': {}, other: {} } }))?.checks.map((c) => c.resource)).toEqual([
      table,
      'arn:aws:dynamodb:us-east-1:000000000000:table/other',
    ]);
    expect(
      requiredAccess('dynamodb', json('DynamoDB_20120810.TransactWriteItems', { TransactItems: [{ Put: { TableName: 'nurture-main' } }, { ConditionCheck: { TableName: 'nurture-main' } }] }))?.checks.map((c) => c.action),
    ).toEqual(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem']);
  });

  it('DynamoDB: the partition key values an item request touches, as dynamodb:LeadingKeys', () => {
    const keys = (target: string, body: unknown) => requiredAccess('dynamodb', json(`DynamoDB_20120810.${target}`, body))?.checks.map((c) => c.context?.['dynamodb:LeadingKeys']);
    expect(keys('PutItem', { TableName: 'nurture-main', Item: { pk: { S: 'erasure#r1' }, sk: { S: 'request' } } })).toEqual([['erasure#r1']]);
    expect(keys('UpdateItem', { TableName: 'nurture-main', Key: { pk: { S: 'p#a' }, sk: { S: 'profile' } } })).toEqual([['p#a']]);
    expect(keys('Query', { TableName: 'nurture-main', KeyConditionExpression: '#p = :v AND begins_with(sk, :s)', ExpressionAttributeNames: { '#p': 'pk' }, ExpressionAttributeValues: { ':v': { S: 'cost#2026-11' }, ':s': { S: 'x' } } })).toEqual([['cost#2026-11']]);
    expect(keys('BatchWriteItem', { RequestItems: { 'nurture-main': [{ PutRequest: { Item: { pk: { S: 'a' } } } }, { DeleteRequest: { Key: { pk: { S: 'b' } } } }] } })).toEqual([['a', 'b']]);
    expect(keys('TransactWriteItems', { TransactItems: [{ Put: { TableName: 'nurture-main', Item: { pk: { S: 'cost#2026-11' } } } }, { Update: { TableName: 'nurture-main', Key: { pk: { S: 'cost#2026-12' } } } }] })).toEqual([['cost#2026-11'], ['cost#2026-12']]);
    // An index query, or a table whose key is not known here, names no leading key (the condition key is absent).
    expect(keys('Query', { TableName: 'nurture-main', IndexName: 'byScore', KeyConditionExpression: 'gsi1pk = :v', ExpressionAttributeValues: { ':v': { S: 'rank#mql' } } })).toEqual([undefined]);
    expect(keys('PutItem', { TableName: 'other', Item: { pk: { S: 'x' } } })).toEqual([undefined]);
  });

  it('DynamoDB: a grant limited by dynamodb:LeadingKeys allows its own items and refuses the rest, as on AWS', () => {
    const grant = [{ Effect: 'Allow' as const, Action: 'dynamodb:PutItem', Resource: table, Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['erasure#*'] } } }];
    const put = (pk: string) => requiredAccess('dynamodb', json('DynamoDB_20120810.PutItem', { TableName: 'nurture-main', Item: { pk: { S: pk } } }))!.checks[0]!;
    expect(evaluate(grant, put('erasure#r1')).allowed).toBe(true);
    expect(evaluate(grant, put('p#someone')).allowed).toBe(false);
  });

  it('Kinesis, EventBridge and Step Functions by target and body', () => {
    expect(requiredAccess('kinesis', json('Kinesis_20131202.PutRecords', { StreamName: 'nurture-events' }))?.checks).toEqual([
      { action: 'kinesis:PutRecords', resource: 'arn:aws:kinesis:us-east-1:000000000000:stream/nurture-events' },
    ]);
    const put = requiredAccess('eventbridge', json('AWSEvents.PutEvents', { Entries: [{ EventBusName: 'nurture-local', Source: 'nurture.lead', DetailType: 'lead.qualified' }, { Source: 'x' }] }));
    expect(put?.checks).toEqual([
      { action: 'events:PutEvents', resource: 'arn:aws:events:us-east-1:000000000000:event-bus/nurture-local', context: { 'events:source': 'nurture.lead', 'events:detail-type': 'lead.qualified' } },
      { action: 'events:PutEvents', resource: 'arn:aws:events:us-east-1:000000000000:event-bus/default', context: { 'events:source': 'x' } },
    ]);
    const exec = 'arn:aws:states:us-east-1:000000000000:execution:nurture-scenario-a:p1';
    expect(requiredAccess('sfn', json('AWSStepFunctions.StopExecution', { executionArn: exec }))?.checks).toEqual([{ action: 'states:StopExecution', resource: exec }]);
    const owner = 'arn:aws:states:us-east-1:000000000000:stateMachine:nurture-scenario-a';
    expect(requiredAccess('sfn', json('AWSStepFunctions.SendTaskSuccess', { taskToken: 't1' }), (t) => (t === 't1' ? owner : undefined))?.checks).toEqual([
      { action: 'states:SendTaskSuccess', resource: owner },
    ]);
    expect(requiredAccess('sfn', json('AWSStepFunctions.SendTaskSuccess', { taskToken: 'unknown' }))).toBeUndefined();
  });

  it('S3 in path style: objects, listings with their prefix, copies need both ends', () => {
    expect(requiredAccess('s3', rest('GET', '/nurture-content/rules/active/scoring.yaml?x-id=GetObject'))?.checks).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::nurture-content/rules/active/scoring.yaml' },
    ]);
    expect(requiredAccess('s3', rest('HEAD', '/nurture-content/templates/a%20b.liquid'))?.checks[0]).toEqual({ action: 's3:GetObject', resource: 'arn:aws:s3:::nurture-content/templates/a b.liquid' });
    expect(requiredAccess('s3', rest('GET', '/nurture-content?list-type=2&prefix=templates%2F'))?.checks).toEqual([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::nurture-content', context: { 's3:prefix': 'templates/' } },
    ]);
    expect(requiredAccess('s3', rest('PUT', '/nurture-content/rules/active/scoring.yaml', { 'x-amz-copy-source': '/nurture-content/rules/scoring.yaml' }))?.checks).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::nurture-content/rules/scoring.yaml' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::nurture-content/rules/active/scoring.yaml' },
    ]);
    expect(requiredAccess('s3', rest('DELETE', '/nurture-content/templates/x.liquid'))?.checks[0]?.action).toBe('s3:DeleteObject');
    expect(requiredAccess('s3', rest('POST', '/nurture-content?delete', {}, '<Delete><Object><Key>a&amp;b</Key></Object></Delete>'))?.checks).toEqual([
      { action: 's3:DeleteObject', resource: 'arn:aws:s3:::nurture-content/a&b' },
    ]);
  });

  it('SES v2 SendEmail: the From identity and the configuration set, with ses:FromAddress', () => {
    const access = requiredAccess(
      'sesv2',
      rest('POST', '/v2/email/outbound-emails', {}, JSON.stringify({ FromEmailAddress: 'Acme <hello@acme.example>', ConfigurationSetName: 'nurture-local', Destination: { ToAddresses: ['Kim <kim@x.example>'] } })),
    );
    expect(access?.checks.map((c) => c.resource)).toEqual([
      'arn:aws:ses:us-east-1:000000000000:identity/acme.example',
      'arn:aws:ses:us-east-1:000000000000:configuration-set/nurture-local',
    ]);
    expect(access?.checks[0]?.context).toMatchObject({ 'ses:FromAddress': 'hello@acme.example', 'ses:FromDisplayName': 'Acme', 'ses:Recipients': ['kim@x.example'] });
  });
});

describe('policies of a template, resolved to the local resources', () => {
  const extracted: ExtractedPolicies = {
    resources: {
      Table1: { type: 'AWS::DynamoDB::Table', parentId: 'Main' },
      Bus1: { type: 'AWS::Events::EventBus', parentId: 'DomainEvents' },
      Machine1: { type: 'AWS::StepFunctions::StateMachine', parentId: 'Scenario-a', scenarioId: 'a', deployedName: 'Nurture-scenario-a' },
      Fn1: { type: 'AWS::Lambda::Function', parentId: 'Steps', fn: 'scenarioSteps' },
      Set1: { type: 'AWS::SES::ConfigurationSet', parentId: 'ConfigurationSet' },
    },
    principals: {
      enroll: {
        role: 'EnrollRole',
        statements: [
          { Effect: 'Allow', Action: 'dynamodb:Query', Resource: [{ 'Fn::GetAtt': ['Table1', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table1', 'Arn'] }, '/index/byScore']] }] },
          { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'Machine1' } },
          {
            Effect: 'Allow',
            Action: 'states:StopExecution',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:Nurture-scenario-a:*']] },
          },
        ],
      },
      'scenario:a': {
        role: 'ARole',
        statements: [
          { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['Fn1', 'Arn'] } },
          { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${Bus1}' } },
          {
            Effect: 'Allow',
            Action: 'ses:SendEmail',
            Resource: { 'Fn::Join': ['', ['arn:aws:ses:us-east-1:000000000000:identity/', placeholderIdentity]] },
            Condition: { StringEquals: { 'ses:FromAddress': placeholderSender } },
          },
          { Effect: 'Allow', Action: 'ses:SendEmail', Resource: { 'Fn::Join': ['', ['arn:aws:ses:us-east-1:000000000000:configuration-set/', { Ref: 'Set1' }]] } },
        ],
      },
    },
  };
  const set = resolvePolicies(extracted, {
    tables: { Main: 'nurture-main' },
    streams: {},
    buckets: {},
    bus: { id: 'DomainEvents', name: 'nurture-local' },
    stateMachinePrefix: 'nurture-scenario-',
    configurationSet: 'nurture-local',
    senderAddress: 'hello@acme.example',
  });

  it('turns Ref, GetAtt, Join and Sub into local ARNs, and deployed state machine names into local ones', () => {
    expect(set.principals.enroll!.statements.map((s) => s.Resource)).toEqual([
      [table, `${table}/index/byScore`],
      'arn:aws:states:us-east-1:000000000000:stateMachine:nurture-scenario-a',
      'arn:aws:states:us-east-1:000000000000:execution:nurture-scenario-a:*',
    ]);
    expect(set.principals['scenario:a']!.statements.map((s) => s.Resource)).toEqual([
      'arn:aws:lambda:us-east-1:000000000000:function:nurture-scenario-steps',
      'arn:aws:events:us-east-1:000000000000:event-bus/nurture-local',
      'arn:aws:ses:us-east-1:000000000000:identity/acme.example',
      'arn:aws:ses:us-east-1:000000000000:configuration-set/nurture-local',
    ]);
    expect(set.principals['scenario:a']!.statements[2]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'hello@acme.example' } });
    expect(set.principals.enroll!.arn).toBe('arn:aws:sts::000000000000:assumed-role/Nurture-EnrollRole/nurture-enroll');
  });

  it('refuses a token it cannot resolve, naming it', () => {
    const broken: ExtractedPolicies = { resources: {}, principals: { enroll: { role: 'R', statements: [{ Effect: 'Allow', Action: 'x:Y', Resource: { Ref: 'Missing' } }] } } };
    expect(() => resolvePolicies(broken, { tables: {}, streams: {}, buckets: {}, bus: { id: 'b', name: 'b' }, stateMachinePrefix: 'p-', configurationSet: '', senderAddress: 'a@b.c' })).toThrow(
      'Ref to unknown resource Missing',
    );
  });
});
