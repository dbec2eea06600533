import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Architecture, CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { BucketDef, BusDef, StreamDef, TableDef } from '../functions/shared/resources.js';
import { functionEntries, type FunctionName } from '../functions/shared/functions.js';

/** Repository root, from this file's location, so synth works from any working directory. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A table together with its shared definition (which names the env var functions read). */
export interface DefinedTable {
  readonly table: ITable;
  readonly def: TableDef;
}

/** A Kinesis stream together with its shared definition. */
export interface DefinedStream {
  readonly stream: IStream;
  readonly def: StreamDef;
}

/** A bucket together with its shared definition. */
export interface DefinedBucket {
  readonly bucket: IBucket;
  readonly def: BucketDef;
}

/** An EventBridge bus together with its shared definition. */
export interface DefinedBus {
  readonly bus: IEventBus;
  readonly def: BusDef;
}

/**
 * - `read`: point reads and queries on the table and its declared indexes.
 * - `write`: single-item read-modify-write (Get/BatchGet/Put/Update): no Query, Scan or Delete.
 * - `readWrite`: both, plus BatchWriteItem and DeleteItem.
 */
export type TableAccess = 'read' | 'write' | 'readWrite';
export type BucketAccess = 'read' | 'write' | 'readWrite';

const tableReadActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const tableWriteActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const tableExtraReadWriteActions = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'];

/**
 * X-Ray's statement, an inline policy of each function's role. Inline in the role rather than a policy
 * resource of its own (AWS::IAM::Policy) per function: that resource was one of the stack's 500 per
 * function (16 in all), which scenarios need (README "Scenarios"); the role resource holds it for free.
 */
function tracingPolicy(): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] })],
  });
}

export interface NurtureFunctionProps
  extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'bundling' | 'logGroup' | 'tracing' | 'role'> {
  /** Which function of functions/shared/functions.ts `functionEntries` this is. */
  readonly name: FunctionName;
  readonly logRetention: RetentionDays;
  /** Repository files shipped beside the bundle (`to` is relative to the function's root, /var/task). */
  readonly files?: readonly { from: string; to: string }[];
  /**
   * Packages left out of the bundle because a dependency only `require`s them lazily on a path Lambda
   * never takes (e.g. cosmiconfig loading `typescript` for .ts config files, via MJML's htmlnano).
   */
  readonly lazyModules?: readonly string[];
}

/**
 * The one Lambda function shape Nurture deploys: Node 22 on arm64, an ESM bundle built by the local
 * esbuild (minified, with source maps), its own log group with a retention, X-Ray active, and a role that
 * starts empty and receives only what the `bind*` helpers grant.
 */
export class NurtureFunction extends NodejsFunction {
  private readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: NurtureFunctionProps) {
    const { name, logRetention, environment, files = [], lazyModules, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: logRetention });
    // An own role instead of AWSLambdaBasicExecutionRole: logs permissions scoped to this log group.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the Nurture ${name} function`,
      inlinePolicies: { tracing: tracingPolicy() },
    });
    // X-Ray's `Resource: *` lives in the role resource itself (above), apart from the grants the bind*
    // helpers add to its default policy: this acknowledgement covers that one resource, not the grants.
    Validations.of(role.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      memorySize: 256,
      timeout: Duration.seconds(10),
      ...rest,
      entry: join(repoRoot, functionEntries[name]),
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      logGroup,
      role,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...environment },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The Node 22 runtime ships AWS SDK v3: leaving @aws-sdk/* out keeps collect at ~80 KB instead
        // of ~440 KB (less to load at cold start). The price: Lambda runs the runtime's SDK version, not
        // the one package-lock.json pins; the handlers use only long-stable SDK APIs. Everything else
        // (@smithy/node-http-handler, zod/mini, isbot, ua-parser-js, middy) is bundled.
        bundleAwsSDK: false,
        ...(lazyModules?.length ? { externalModules: ['@aws-sdk/*', ...lazyModules] } : {}),
        ...(files.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  files.map((f) => `cp "${join(inputDir, f.from)}" "${join(outputDir, f.to)}"`),
              },
            }
          : {}),
        // CommonJS dependencies inside an ESM bundle call require(); ESM has none, so provide one.
        banner:
          "import { createRequire as __nurtureCreateRequire } from 'node:module'; const require = __nurtureCreateRequire(import.meta.url);",
      },
    });

    this.executionRole = role;
    // Active X-Ray tracing (the L2 `tracing` prop would put X-Ray's statement into the default policy).
    // Lambda checks at creation that the role may put traces: the role, with its inline policy, is
    // created before the function, which refers to it.
    (this.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is pinned on purpose: the handlers are developed and tested on Node 20/22 locally; a runtime upgrade is a deliberate, tested change.',
    });
  }

  /** Grants `access` to the table (and its declared indexes) and sets the table's env var. */
  bindTable(target: DefinedTable, access: TableAccess): this {
    const { table, def } = target;
    const indexArns = def.indexes.map((index) => `${table.tableArn}/index/${index.name}`);
    const statements: iam.PolicyStatement[] = [];
    if (access === 'read' || access === 'readWrite') {
      statements.push(
        new iam.PolicyStatement({ actions: tableReadActions, resources: [table.tableArn, ...indexArns] }),
      );
    }
    if (access === 'write' || access === 'readWrite') {
      const actions = access === 'readWrite' ? [...tableWriteActions, ...tableExtraReadWriteActions] : tableWriteActions;
      statements.push(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
    }
    for (const statement of statements) this.addToRolePolicy(statement);
    if (access === 'read') table.encryptionKey?.grantDecrypt(this);
    else table.encryptionKey?.grantEncryptDecrypt(this);
    this.addEnvironment(def.envVar, table.tableName);
    return this;
  }

  /** Grants putting records on the stream and sets the stream's env var. */
  bindStream(target: DefinedStream): this {
    target.stream.grantWrite(this);
    this.addEnvironment(target.def.envVar, target.stream.streamName);
    return this;
  }

  /** Grants PutEvents on the bus (that bus only) and sets the bus's env var. */
  bindBus(target: DefinedBus): this {
    target.bus.grantPutEventsTo(this);
    this.addEnvironment(target.def.envVar, target.bus.eventBusName);
    return this;
  }

  /**
   * Grants object access to the bucket (optionally under one key prefix) and sets the bucket's env var.
   * Object ARNs need a wildcard, so that one cdk-nag IAM5 finding is acknowledged here, by its exact id.
   */
  bindBucket(target: DefinedBucket, access: BucketAccess, options: { prefix?: string } = {}): this {
    const { bucket, def } = target;
    const prefix = options.prefix ?? '';
    const objects = bucket.arnForObjects(`${prefix}*`);
    if (access !== 'write') {
      this.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          ...(prefix ? { conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
        }),
      );
      bucket.encryptionKey?.grantDecrypt(this);
    }
    if (access !== 'read') {
      this.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
      bucket.encryptionKey?.grantEncryptDecrypt(this);
    }
    const bucketLogicalId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
    Validations.of(this.executionRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${prefix}*]`,
      reason: `Object-level access to the ${def.id} bucket${prefix ? ` under ${prefix}` : ''}: S3 object ARNs are only expressible with a wildcard.`,
    });
    this.addEnvironment(def.envVar, bucket.bucketName);
    return this;
  }
}
