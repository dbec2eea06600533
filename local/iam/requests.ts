/**
 * What one AWS API request needs from IAM: the action, the resource ARNs, and the condition keys, from the
 * request as the SDK sends it (JSON protocols by X-Amz-Target and body, S3 and SES v2 by REST path). Pure.
 */
import type { AuthzRequest } from './evaluate.js';
import { tables } from '../../functions/shared/resources.js';
import { localAccount } from './policies.js';

/** The services local mode emulates, by the name of their endpoint variable (AWS_ENDPOINT_URL_<NAME>). */
export type Service = 'dynamodb' | 'kinesis' | 's3' | 'sesv2' | 'sfn' | 'eventbridge' | 'secretsmanager' | 'firehose';

export interface RawRequest {
  readonly method: string;
  /** Path with query string, as on the request line. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface RequiredAccess {
  /** `service:Operation` of the API call (what the error names). */
  readonly operation: string;
  /** Every action/resource pair IAM checks; all must be allowed. */
  readonly checks: readonly AuthzRequest[];
}

/** Resolves a task token to the ARN of the state machine whose execution handed it out. */
export type TokenOwner = (token: string) => string | undefined;

const { partition, region, accountId } = localAccount;
const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${accountId}:${resource}`;
const header = (r: RawRequest, name: string) => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function jsonBody(r: RawRequest): Record<string, unknown> {
  try {
    const parsed = JSON.parse(r.body.toString('utf8') || '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** `Prefix.Operation` of the X-Amz-Target header. */
function targetOperation(r: RawRequest): string {
  const target = header(r, 'x-amz-target') ?? '';
  return target.slice(target.lastIndexOf('.') + 1);
}

const tableArn = (name: string) => (name.startsWith('arn:') ? name : arn('dynamodb', `table/${name}`));

/** Partition key attribute of each table by its local physical name (`nurture-<id>`), for dynamodb:LeadingKeys. */
const partitionKeyOf = new Map(tables.map((t) => [`nurture-${t.id.toLowerCase()}`, t.partitionKey.name]));

type AttrValue = Record<string, unknown>;
const scalarOf = (v: unknown): string | undefined => {
  const a = v as AttrValue | undefined;
  const s = a?.S ?? a?.N ?? a?.B;
  return typeof s === 'string' ? s : undefined;
};

/** The partition key value of an item or key (undefined when the table's key is not known here). */
function leadingKeyOf(table: unknown, item: unknown): string | undefined {
  const pk = partitionKeyOf.get(String(table).replace(/^arn:.*:table\//, ''));
  return pk && item && typeof item === 'object' ? scalarOf((item as AttrValue)[pk]) : undefined;
}

/** The partition key value a Query names in its key condition (`pk = :v`, or through an attribute name alias). */
function queriedKey(b: Record<string, unknown>): string | undefined {
  const pk = partitionKeyOf.get(String(b.TableName));
  if (!pk || b.IndexName || typeof b.KeyConditionExpression !== 'string') return undefined;
  const names = (b.ExpressionAttributeNames ?? {}) as Record<string, string>;
  for (const m of b.KeyConditionExpression.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const name = m[1]!.startsWith('#') ? names[m[1]!] : m[1];
    if (name === pk) return scalarOf((b.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[m[2]!]);
  }
  return undefined;
}

/** A condition context with dynamodb:LeadingKeys, when the values are known (else none: the key is absent). */
const leading = (values: readonly (string | undefined)[]) =>
  values.length > 0 && values.every((v) => v !== undefined) ? { context: { 'dynamodb:LeadingKeys': values as string[] } } : {};

function dynamodb(r: RawRequest): RequiredAccess {
  const op = targetOperation(r);
  const b = jsonBody(r);
  const action = `dynamodb:${op}`;
  const onTable = (name: unknown, index?: unknown) =>
    ({ action, resource: `${tableArn(String(name))}${index ? `/index/${String(index)}` : ''}` }) as AuthzRequest;
  switch (op) {
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const items = (b.RequestItems ?? {}) as Record<string, unknown>;
      return {
        operation: action,
        checks: Object.entries(items).map(([t, req]) => {
          const keys =
            op === 'BatchGetItem'
              ? (((req as { Keys?: unknown[] }).Keys ?? []) as unknown[])
              : ((req as { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }[]) ?? []).map((w) => w.PutRequest?.Item ?? w.DeleteRequest?.Key);
          return { ...onTable(t), ...leading(keys.map((k) => leadingKeyOf(t, k))) };
        }),
      };
    }
    case 'TransactGetItems':
    case 'TransactWriteItems': {
      const kinds: Record<string, string> = { Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };
      const items = (b.TransactItems ?? []) as Record<string, { TableName?: string; Key?: unknown; Item?: unknown }>[];
      const checks = items.flatMap((item) =>
        Object.entries(item).map(([kind, v]) => ({
          action: `dynamodb:${kinds[kind] ?? kind}`,
          resource: tableArn(String(v.TableName)),
          ...leading([leadingKeyOf(v.TableName, v.Key ?? v.Item)]),
        })),
      );
      return { operation: action, checks };
    }
    case 'ListTables':
      return { operation: action, checks: [{ action, resource: '*' }] };
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return { operation: action, checks: [{ ...onTable(b.TableName), ...leading([leadingKeyOf(b.TableName, b.Key ?? b.Item)]) }] };
    case 'Query':
      return { operation: action, checks: [{ ...onTable(b.TableName, b.IndexName), ...leading([queriedKey(b)]) }] };
    default:
      return { operation: action, checks: [onTable(b.TableName ?? b.ResourceArn, op === 'Scan' ? b.IndexName : undefined)] };
  }
}

function kinesis(r: RawRequest): RequiredAccess {
  const op = targetOperation(r);
  const b = jsonBody(r);
  const action = `kinesis:${op}`;
  const stream = typeof b.StreamARN === 'string' ? b.StreamARN : typeof b.StreamName === 'string' ? arn('kinesis', `stream/${b.StreamName}`) : '*';
  return { operation: action, checks: [{ action, resource: stream }] };
}

/** Firehose (JSON 1.1, `Firehose_20150804.<Operation>`): actions on the delivery stream named in the body. */
function firehose(r: RawRequest): RequiredAccess {
  const op = targetOperation(r);
  const name = jsonBody(r).DeliveryStreamName;
  const action = `firehose:${op}`;
  return { operation: action, checks: [{ action, resource: typeof name === 'string' ? arn('firehose', `deliverystream/${name}`) : '*' }] };
}

function sfn(r: RawRequest, tokenOwner: TokenOwner): RequiredAccess | undefined {
  const op = targetOperation(r);
  const b = jsonBody(r);
  const action = `states:${op}`;
  if (op.startsWith('SendTask')) {
    // Task responses are authorized on the state machine that handed out the token (CDK grantTaskResponse).
    // A token the local runner never issued goes through unchecked: Step Functions answers it anyway.
    const owner = tokenOwner(String(b.taskToken ?? ''));
    return owner ? { operation: action, checks: [{ action, resource: owner }] } : undefined;
  }
  const resource = String(b.executionArn ?? b.stateMachineArn ?? b.mapRunArn ?? b.activityArn ?? '*');
  return { operation: action, checks: [{ action, resource }] };
}

function eventbridge(r: RawRequest): RequiredAccess {
  const op = targetOperation(r);
  const b = jsonBody(r);
  const action = `events:${op}`;
  if (op !== 'PutEvents') {
    const name = b.EventBusName ?? b.Name;
    return { operation: action, checks: [{ action, resource: typeof name === 'string' ? busArn(name) : '*' }] };
  }
  const entries = (b.Entries ?? []) as { EventBusName?: string; Source?: string; DetailType?: string }[];
  const checks = entries.map((e) => ({
    action,
    resource: busArn(e.EventBusName ?? 'default'),
    context: {
      ...(e.Source ? { 'events:source': e.Source } : {}),
      ...(e.DetailType ? { 'events:detail-type': e.DetailType } : {}),
    },
  }));
  return { operation: action, checks };
}

const busArn = (name: string) => (name.startsWith('arn:') ? name : arn('events', `event-bus/${name}`));

function secretsmanager(r: RawRequest): RequiredAccess {
  const op = targetOperation(r);
  const id = String(jsonBody(r).SecretId ?? '*');
  const action = `secretsmanager:${op}`;
  return { operation: action, checks: [{ action, resource: id.startsWith('arn:') || id === '*' ? id : arn('secretsmanager', `secret:${id}-??????`) }] };
}

/** The bare address of `Name <addr@host>` or `addr@host`. */
export function bareAddress(from: string): string {
  const m = /<([^>]+)>\s*$/.exec(from);
  return (m ? m[1]! : from).trim();
}

function sesv2(r: RawRequest, path: string): RequiredAccess {
  if (r.method === 'POST' && path === '/v2/email/outbound-emails') {
    const b = jsonBody(r) as {
      FromEmailAddress?: string;
      FromEmailAddressIdentityArn?: string;
      ConfigurationSetName?: string;
      Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
    };
    const from = bareAddress(b.FromEmailAddress ?? '');
    const domain = from.slice(from.indexOf('@') + 1);
    const display = /^(.*)<[^>]+>\s*$/.exec(b.FromEmailAddress ?? '')?.[1]?.trim().replace(/^"|"$/g, '');
    const d = b.Destination ?? {};
    const context = {
      'ses:FromAddress': from,
      ...(display ? { 'ses:FromDisplayName': display } : {}),
      'ses:Recipients': [...(d.ToAddresses ?? []), ...(d.CcAddresses ?? []), ...(d.BccAddresses ?? [])].map(bareAddress),
      'ses:ApiVersion': '2',
    };
    const action = 'ses:SendEmail';
    const resources = [
      b.FromEmailAddressIdentityArn ?? arn('ses', `identity/${domain}`),
      ...(b.ConfigurationSetName ? [arn('ses', `configuration-set/${b.ConfigurationSetName}`)] : []),
    ];
    return { operation: action, checks: resources.map((resource) => ({ action, resource, context })) };
  }
  if (r.method === 'GET' && path === '/v2/email/account') return { operation: 'ses:GetAccount', checks: [{ action: 'ses:GetAccount', resource: '*' }] };
  const action = `ses:${r.method}${path.replace(/^\/v2\/email/, '')}`;
  return { operation: action, checks: [{ action, resource: '*' }] };
}

const s3Object = (bucket: string, key: string) => `arn:${partition}:s3:::${bucket}/${key}`;

/** S3 in path style (AWS_S3_FORCE_PATH_STYLE, as local mode runs it): `/<bucket>/<key>?<sub-resource>`. */
function s3(r: RawRequest, path: string, query: URLSearchParams): RequiredAccess {
  const [, rawBucket = '', ...rest] = path.split('/');
  const bucket = decodeURIComponent(rawBucket);
  const key = rest.map(decodeURIComponent).join('/');
  const one = (action: string, resource: string, context?: AuthzRequest['context']): RequiredAccess => ({
    operation: action,
    checks: [{ action, resource, ...(context ? { context } : {}) }],
  });
  if (!bucket) return one('s3:ListAllMyBuckets', '*');
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  if (!key) {
    if (r.method === 'GET' || r.method === 'HEAD') {
      if (query.has('location')) return one('s3:GetBucketLocation', bucketArn);
      if (query.has('versions')) return one('s3:ListBucketVersions', bucketArn);
      if (query.has('uploads')) return one('s3:ListBucketMultipartUploads', bucketArn);
      const context: Record<string, string> = {};
      for (const [param, keyName] of [['prefix', 's3:prefix'], ['delimiter', 's3:delimiter'], ['max-keys', 's3:max-keys']] as const) {
        const v = query.get(param);
        if (v !== null) context[keyName] = v;
      }
      return one('s3:ListBucket', bucketArn, context);
    }
    if (r.method === 'POST' && query.has('delete')) {
      const keys = [...r.body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeXml(m[1]!));
      return { operation: 's3:DeleteObject', checks: keys.map((k) => ({ action: 's3:DeleteObject', resource: s3Object(bucket, k) })) };
    }
    if (r.method === 'PUT') return one('s3:CreateBucket', bucketArn);
    if (r.method === 'DELETE') return one('s3:DeleteBucket', bucketArn);
    return one(`s3:${r.method}Bucket`, bucketArn);
  }
  const object = s3Object(bucket, key);
  const versioned = query.has('versionId') ? 'Version' : '';
  switch (r.method) {
    case 'GET':
    case 'HEAD':
      if (query.has('tagging')) return one(`s3:GetObject${versioned}Tagging`, object);
      if (query.has('acl')) return one(`s3:GetObject${versioned}Acl`, object);
      if (query.has('uploadId')) return one('s3:ListMultipartUploadParts', object);
      return one(`s3:GetObject${versioned}`, object);
    case 'PUT': {
      if (query.has('tagging')) return one('s3:PutObjectTagging', object);
      if (query.has('acl')) return one('s3:PutObjectAcl', object);
      const source = header(r, 'x-amz-copy-source');
      if (!source) return one('s3:PutObject', object);
      // CopyObject needs GetObject on the source and PutObject on the destination.
      const [src = '', srcQuery = ''] = decodeURIComponent(source).replace(/^\//, '').split('?');
      return {
        operation: 's3:PutObject',
        checks: [
          { action: srcQuery.includes('versionId=') ? 's3:GetObjectVersion' : 's3:GetObject', resource: `arn:${partition}:s3:::${src}` },
          { action: 's3:PutObject', resource: object },
        ],
      };
    }
    case 'POST':
      return one('s3:PutObject', object);
    case 'DELETE':
      if (query.has('uploadId')) return one('s3:AbortMultipartUpload', object);
      if (query.has('tagging')) return one('s3:DeleteObjectTagging', object);
      return one(`s3:DeleteObject${versioned}`, object);
    default:
      return one(`s3:${r.method}Object`, object);
  }
}

function decodeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/**
 * The IAM checks one request to `service` needs. `undefined`: nothing to check (a task response with a
 * token the local runner never issued).
 */
export function requiredAccess(service: Service, r: RawRequest, tokenOwner: TokenOwner = () => undefined): RequiredAccess | undefined {
  const url = new URL(r.url, 'http://local');
  switch (service) {
    case 'dynamodb':
      return dynamodb(r);
    case 'kinesis':
      return kinesis(r);
    case 'firehose':
      return firehose(r);
    case 'sfn':
      return sfn(r, tokenOwner);
    case 'eventbridge':
      return eventbridge(r);
    case 'secretsmanager':
      return secretsmanager(r);
    case 'sesv2':
      return sesv2(r, url.pathname);
    case 's3':
      return s3(r, url.pathname, url.searchParams);
  }
}
