import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsStream, mainTable } from '../../functions/shared/resources.js';
import { routes } from '../../functions/api/routes.js';
import { routeKeysOf } from '../../infra/routes.js';
import type { NurtureStack } from '../../infra/stack.js';
import { deployedKeyFor } from '../helpers/route-match.js';
import { actionsOf, baseContext, bundledSynthTimeoutMs, getAtt, logicalIdOf, ref, removeOutdirs, resourcesOf, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

let template: Template;
let stack: NurtureStack;
let outdir: string;
let assembly: CloudAssembly;

beforeAll(() => {
  // The one synth with esbuild bundling of the test suite, shared by every assertion below (those that
  // read bundles included: the collect bundle, the rules shipped beside their readers).
  ({ template, stack, outdir, assembly } = synthStack({}, { bundle: true }));
}, bundledSynthTimeoutMs);

afterAll(removeOutdirs);

function resourcesOfType(t: Template, type: string): Record<string, Resource> {
  return t.findResources(type) as Record<string, Resource>;
}

function onlyResource(t: Template, type: string): [string, Resource] {
  const entries = Object.entries(resourcesOfType(t, type));
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

/** Every statement of every IAM policy attached to the collect function's role. */
const collectStatements = () => roleStatements(template, stack.ingest.collect);

describe('profiles table', () => {
  it('is on-demand, point-in-time recoverable, AWS-managed encrypted and retained on stack deletion', () => {
    const [, table] = onlyResource(template, 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('takes its keys, byScore index and TTL attribute from the shared definition', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: mainTable.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: mainTable.sortKey!.name, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byScore',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          // A small projection: every re-ranking writes the index entry, and its cost grows with its size.
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...mainTable.indexes[0]!.include] },
        },
        {
          // Sparse: only customers whose lifecycle changes by time alone have lifecycleDue.
          IndexName: 'byLifecycleDue',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'lifecycleDue', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['profileId'] },
        },
        {
          // Sparse: only people whose segment membership changes by time alone have segmentsDue.
          IndexName: 'bySegmentsDue',
          KeySchema: [
            { AttributeName: 'gsi3pk', KeyType: 'HASH' },
            { AttributeName: 'segmentsDue', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['profileId'] },
        },
        {
          // Sparse: only member items carry segRank; a segment shard's members by score.
          IndexName: 'bySegmentRank',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'segRank', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['profileId', 'enteredAt'] },
        },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'gsi1sk', AttributeType: 'N' },
        { AttributeName: 'lifecycleDue', AttributeType: 'S' },
        { AttributeName: 'segmentsDue', AttributeType: 'S' },
        { AttributeName: 'segRank', AttributeType: 'N' },
      ]),
      TimeToLiveSpecification: { AttributeName: mainTable.ttlAttribute, Enabled: true },
    });
  });
});

describe('events stream', () => {
  it('is on-demand by default, KMS-encrypted, with the shared retention', () => {
    const [, stream] = onlyResource(template, 'AWS::Kinesis::Stream');
    expect(stream.Properties.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
    expect(stream.Properties.ShardCount).toBeUndefined();
    expect(stream.Properties.StreamEncryption).toEqual({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    expect(stream.Properties.RetentionPeriodHours).toBe(eventsStream.retentionHours);
  });

  it('is provisioned with the configured shard count when streamMode is provisioned', () => {
    const provisioned = synthStack({ 'nurture:streamMode': 'provisioned', 'nurture:shardCount': 3 });
    const [, stream] = onlyResource(provisioned.template, 'AWS::Kinesis::Stream');
    expect(stream.Properties.StreamModeDetails).toEqual({ StreamMode: 'PROVISIONED' });
    expect(stream.Properties.ShardCount).toBe(3);
  }, synthTimeoutMs);
});

describe('collect function', () => {
  it('runs Node 22 on arm64 with tracing, its own log group, and the env it parses at cold start', () => {
    const fnId = logicalIdOf(stack.ingest.collect);
    const fn = resourcesOfType(template, 'AWS::Lambda::Function')[fnId]!;
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
    });
    expect(fn.Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      TABLE_NAME: ref(stack.profiles.main.table),
      EVENTS_STREAM_NAME: ref(stack.ingest.events.stream),
      WRITE_KEYS: baseContext['nurture:writeKeys'].join(','),
      ALLOWED_ORIGINS: baseContext['nurture:allowedOrigins'].join(','),
    });
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
    expect(resourcesOfType(template, 'AWS::Logs::LogGroup')[logGroupId]?.Properties.RetentionInDays).toBe(30);
  });

  it('is bundled by esbuild as minified ESM with a require shim and a source map', () => {
    const fnId = logicalIdOf(stack.ingest.collect);
    const fn = resourcesOfType(template, 'AWS::Lambda::Function')[fnId]!;
    const assetDir = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(bundle.startsWith("import { createRequire as __nurtureCreateRequire } from 'node:module';")).toBe(true);
    expect(bundle).toMatch(/export\s*\{[^}]*\bas handler\b/);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    // Minified: far fewer lines than bytes would suggest for unminified output.
    expect(bundle.split('\n').length).toBeLessThan(bundle.length / 500);
  });

  it('may only put records on the events stream', () => {
    const streamArn = getAtt(stack.ingest.events.stream);
    const kinesis = collectStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('kinesis:')));
    expect(kinesis.flatMap(actionsOf)).toContain('kinesis:PutRecords');
    for (const statement of kinesis) {
      expect(statement.Effect).toBe('Allow');
      expect(resourcesOf(statement)).toEqual([streamArn]);
      expect(actionsOf(statement).every((a) => ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:ListShards'].includes(a))).toBe(true);
    }
  });

  it('may only get, put and update single items of the table: no scan, query, delete or table-level action', () => {
    const tableArn = getAtt(stack.profiles.main.table);
    const dynamo = collectStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap(actionsOf).sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].sort(),
    );
    for (const statement of dynamo) expect(resourcesOf(statement)).toEqual([tableArn]);
  });

  it('has no wildcard in any action or resource except X-Ray, which supports no resource scoping', () => {
    const statements = collectStatements();
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(actionsOf(statement).every((a) => !a.includes('*'))).toBe(true);
      const wildcard = resourcesOf(statement).some((r) => JSON.stringify(r).includes('*'));
      if (wildcard) expect(actionsOf(statement).every((a) => a.startsWith('xray:'))).toBe(true);
    }
  });

  it('has no managed policies (not even AWSLambdaBasicExecutionRole)', () => {
    const roleId = logicalIdOf(stack.ingest.collect.role!);
    expect(resourcesOfType(template, 'AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('HTTP API', () => {
  const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
  const deployed = () => routes.filter((r) => stack.functions.get(r.fn));

  /** Route key → the route resource and the integration it targets. */
  function routesByKey() {
    const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration');
    return new Map(
      Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((r) => {
        const target = JSON.stringify(r.Properties.Target);
        const integrationId = Object.keys(integrations).find((id) => target.includes(`"${id}"`))!;
        return [r.Properties.RouteKey as string, { route: r, integration: integrations[integrationId]! }];
      }),
    );
  }

  it('serves each route of functions/shared/routes.ts through the function it names', () => {
    const apiId = logicalIdOf(stack.ingest.api);
    const byKey = routesByKey();

    // Public routes and shared admin areas one per path and method, single-function admin areas greedy.
    expect([...byKey.keys()].sort()).toEqual(routeKeysOf(deployed()).map(routeKey).sort());
    expect(byKey.size).toBeLessThan(deployed().length);
    expect(deployed().filter((r) => r.fn === 'collect').map(routeKey)).toEqual(
      expect.arrayContaining(['POST /v1/batch', 'POST /v1/track', 'GET /v1/pixel.gif']),
    );
    expect(deployed().filter((r) => r.fn === 'adminProfiles').map(routeKey).sort()).toEqual(
      ['GET /v1/admin/leads', 'GET /v1/admin/profiles/{id}', 'GET /v1/admin/profiles/{id}/touches'],
    );
    for (const r of deployed()) {
      const { route, integration } = byKey.get(deployedKeyFor(r, byKey.keys())!)!;
      expect(route.Properties.ApiId).toEqual({ Ref: apiId });
      const fnArn = getAtt(stack.functions.get(r.fn)!);
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn });
    }
  });

  it('requires SigV4 (AWS_IAM) on admin routes and no authorizer on the public ones', () => {
    const byKey = routesByKey();
    const admin = deployed().filter((r) => r.auth === 'admin');
    const open = deployed().filter((r) => !r.auth);
    expect(admin.length).toBeGreaterThan(0);
    expect(open.map(routeKey)).toContain('POST /v1/track');

    for (const r of admin) expect(byKey.get(deployedKeyFor(r, byKey.keys())!)!.route.Properties.AuthorizationType).toBe('AWS_IAM');
    for (const r of open) expect(byKey.get(routeKey(r))!.route.Properties.AuthorizationType).toBe('NONE');
  });

  it('warns at synth about each route whose function no construct deploys yet', () => {
    const missing = routes.filter((r) => !stack.functions.get(r.fn));
    const warnings = assembly
      .getStackArtifact(stack.artifactId)
      .messages.filter((m) => m.level === 'warning')
      .map((m) => String(m.entry.data));

    for (const r of missing) expect(warnings.some((w) => w.includes(`route ${routeKey(r)} is not deployed`))).toBe(true);
    expect(warnings.filter((w) => w.includes('is not deployed'))).toHaveLength(missing.length);
  });

  it('answers CORS preflight for the configured origins only, without credentials', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: baseContext['nurture:allowedOrigins'],
        AllowMethods: Match.arrayEquals(['GET', 'POST', 'OPTIONS']),
        AllowHeaders: Match.arrayEquals(['content-type', 'authorization']),
        AllowCredentials: false,
      },
    });
  });

  it('throttles and access-logs the default stage, without client IP addresses', () => {
    const [, stage] = onlyResource(template, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
    });
    const format = stage.Properties.AccessLogSettings.Format as string;
    expect(format).toContain('$context.requestId');
    expect(format).not.toContain('sourceIp');
  });
});

describe('content bucket', () => {
  it('blocks public access, requires TLS, is versioned, encrypted, retained and access-logged', () => {
    const bucketId = logicalIdOf(stack.content.content.bucket);
    const bucket = resourcesOfType(template, 'AWS::S3::Bucket')[bucketId]!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.any(String) } },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('stack outputs', () => {
  it('print the API URL and a tracker snippet with that URL and the first write key', () => {
    const apiEndpoint = getAtt(stack.ingest.api, 'ApiEndpoint');
    template.hasOutput('ApiUrl', { Value: apiEndpoint });
    const snippet = JSON.stringify(template.findOutputs('TrackerSnippet'));
    expect(snippet).toContain(JSON.stringify(apiEndpoint));
    expect(snippet).toContain(baseContext['nurture:writeKeys'][0]);
    expect(snippet).not.toContain(baseContext['nurture:writeKeys'][1]);
    expect(snippet).toContain('/nurture.min.js');
  });
});

describe('teardown', () => {
  it('removes the events stream with the stack: it only holds a day of events in transit', () => {
    const streams = template.findResources('AWS::Kinesis::Stream');
    expect(Object.values(streams).map((s) => (s as { DeletionPolicy?: string }).DeletionPolicy)).toEqual(['Delete']);
  });
});

describe('default scoring rules on a fresh deployment', () => {
  it('ship beside every function that reads rules, so scoring works before the first upload', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const readers = Object.values(functions).filter(
      (f) => (f as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables?.DEFAULT_RULES_FILE,
    ) as { Properties: { Code: { S3Key: string }; Environment: { Variables: Record<string, unknown> } } }[];
    expect(readers.length).toBe(4);
    for (const f of readers) {
      const assetDir = join(outdir, `asset.${f.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      const shipped = readFileSync(join(assetDir, String(f.Properties.Environment.Variables.DEFAULT_RULES_FILE)), 'utf8');
      expect(shipped).toBe(readFileSync('templates/rules/scoring.yaml', 'utf8'));
    }
  });
});

describe('function bundles', () => {
  it('load without the native DuckDB package, which Lambda does not have: it is imported only where local mode runs it', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { Code: { S3Key?: string } } }[];
    const bundles = functions
      .filter((f) => f.Properties.Code.S3Key)
      .map((f) => join(outdir, `asset.${String(f.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.mjs'))
      .filter((file) => existsSync(file));
    expect(bundles.length).toBeGreaterThanOrEqual(10);
    const readsLake = bundles.filter((file) => readFileSync(file, 'utf8').includes('@duckdb/node-api'));
    // The profile API, scenario steps, reports and erasure can reach the DuckDB engine; none imports it at load.
    expect(readsLake.length).toBeGreaterThanOrEqual(4);
    // A static import (`…from"@duckdb/node-api"`) runs at load; `import("@duckdb/node-api")` only when called.
    for (const file of readsLake) expect(readFileSync(file, 'utf8')).not.toMatch(/from\s*["']@duckdb\/node-api["']/);
  });
});

