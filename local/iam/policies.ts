/**
 * The IAM policies of the synthesized stack, per local principal, with CloudFormation tokens resolved to
 * the ARNs of the local resources. Pure: the extraction (local/iam/synth.ts) produces `ExtractedPolicies`
 * from a template; `resolvePolicies` turns them into a `PolicySet` for one set of local names.
 */
import type { FunctionName } from '../../functions/shared/functions.js';
import type { Statement } from './evaluate.js';

/** Partition, region and account of every local ARN (the emulators answer for us-east-1). */
export const localAccount = { partition: 'aws', region: 'us-east-1', accountId: '000000000000', urlSuffix: 'amazonaws.com' } as const;

/**
 * Sender address and SES identity the stack is synthesized with for local mode; resolution replaces them
 * with the local sender, so one extraction serves any NURTURE_SENDER_ADDRESS.
 */
export const placeholderSender = 'sender@nurture-local-sender.invalid';
export const placeholderIdentity = 'nurture-local-sender.invalid';

/** A CloudFormation resource the policies may refer to, and what it is locally. */
export interface ExtractedResource {
  readonly type: string;
  /** Construct id of its parent (for tables, streams, buckets, buses: the resources.ts id). */
  readonly parentId: string;
  /** Set for Lambda functions: their functions/shared/functions.ts name. */
  readonly fn?: FunctionName;
  /** Set for scenario state machines: the scenario id. */
  readonly scenarioId?: string;
  /** Set for state machines: the deployed name (`<stack>-scenario-<id>`). */
  readonly deployedName?: string;
  /**
   * Set for a resource a function receives by name in an environment variable (`LAKE_EVENTS_STREAM` →
   * a delivery stream): locally it is named by that variable's local value.
   */
  readonly envVar?: string;
}

/** What the template says, before local names are known (this is what is cached on disk). */
export interface ExtractedPolicies {
  readonly resources: Readonly<Record<string, ExtractedResource>>;
  /** Principal (`process`, `scenario:<id>`) → its role's logical id and raw policy statements. */
  readonly principals: Readonly<Record<string, { readonly role: string; readonly statements: readonly unknown[] }>>;
}

/** Physical names of the local resources, as the handlers' environment names them. */
export interface LocalNames {
  /** By resources.ts id: tables, streams, buckets. */
  readonly tables: Readonly<Record<string, string>>;
  readonly streams: Readonly<Record<string, string>>;
  readonly buckets: Readonly<Record<string, string>>;
  /** Construct id of the domain event bus (resources.ts `eventBus.id`) and its local name. */
  readonly bus: { readonly id: string; readonly name: string };
  /** Local state machine names are this prefix plus the scenario id. */
  readonly stateMachinePrefix: string;
  /** The handlers' environment: local names of resources known by an `envVar` (ExtractedResource). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly configurationSet: string;
  readonly senderAddress: string;
}

export interface Principal {
  /** What an AccessDenied message names: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  readonly arn: string;
  readonly statements: readonly Statement[];
}

/** Every principal's resolved statements. */
export interface PolicySet {
  readonly principals: Readonly<Record<string, Principal>>;
}

/** Local name of a function (the ARN local mode's Step Functions invokes): `nurture-<kebab-case name>`. */
export function localFunctionName(name: string): string {
  return `nurture-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The principal a scenario's state machine runs its direct integrations as. */
export function scenarioPrincipal(scenarioId: string): string {
  return `scenario:${scenarioId}`;
}

const { partition, region, accountId } = localAccount;
const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${accountId}:${resource}`;

interface Values {
  ref: string;
  attrs: Record<string, string>;
}

/** Ref and GetAtt values of one resource under the local names. */
function valuesOf(logicalId: string, r: ExtractedResource, names: LocalNames): Values {
  switch (r.type) {
    case 'AWS::DynamoDB::Table': {
      const name = names.tables[r.parentId] ?? logicalId;
      return { ref: name, attrs: { Arn: arn('dynamodb', `table/${name}`), StreamArn: arn('dynamodb', `table/${name}/stream/local`) } };
    }
    case 'AWS::Kinesis::Stream': {
      const name = names.streams[r.parentId] ?? logicalId;
      return { ref: name, attrs: { Arn: arn('kinesis', `stream/${name}`) } };
    }
    case 'AWS::S3::Bucket': {
      const name = names.buckets[r.parentId] ?? logicalId.toLowerCase();
      return { ref: name, attrs: { Arn: `arn:${partition}:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` } };
    }
    case 'AWS::KinesisFirehose::DeliveryStream': {
      const name = (r.envVar && names.env?.[r.envVar]) || logicalId;
      return { ref: name, attrs: { Arn: arn('firehose', `deliverystream/${name}`) } };
    }
    case 'AWS::Events::EventBus': {
      const name = r.parentId === names.bus.id ? names.bus.name : logicalId;
      return { ref: name, attrs: { Arn: arn('events', `event-bus/${name}`), Name: name } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const name = r.scenarioId ? `${names.stateMachinePrefix}${r.scenarioId}` : (r.deployedName ?? logicalId);
      const a = arn('states', `stateMachine:${name}`);
      return { ref: a, attrs: { Arn: a, Name: name } };
    }
    case 'AWS::Lambda::Function': {
      const name = r.fn ? localFunctionName(r.fn) : logicalId;
      return { ref: name, attrs: { Arn: arn('lambda', `function:${name}`) } };
    }
    case 'AWS::SES::ConfigurationSet':
      return { ref: names.configurationSet, attrs: {} };
    case 'AWS::SecretsManager::Secret': {
      const a = arn('secretsmanager', `secret:${logicalId}-local`);
      return { ref: a, attrs: { Id: a } };
    }
    case 'AWS::IAM::Role':
      return { ref: logicalId, attrs: { Arn: `arn:${partition}:iam::${accountId}:role/${logicalId}`, RoleId: logicalId } };
    case 'AWS::SQS::Queue':
      return { ref: `https://sqs.${region}.amazonaws.com/${accountId}/${logicalId}`, attrs: { Arn: arn('sqs', logicalId), QueueName: logicalId } };
    case 'AWS::Logs::LogGroup':
      return { ref: logicalId, attrs: { Arn: arn('logs', `log-group:${logicalId}:*`) } };
    default:
      return { ref: logicalId, attrs: { Arn: arn('cloudformation', `local-resource/${logicalId}`) } };
  }
}

export class UnresolvableTokenError extends Error {
  override name = 'UnresolvableTokenError';
}

/** Resolves Ref / Fn::GetAtt / Fn::Join / Fn::Sub / Fn::Select to a string (or a list, for Fn::Split). */
export function resolveToken(value: unknown, lookup: (logicalId: string) => Values | undefined): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => resolveToken(v, lookup));
  if (!value || typeof value !== 'object') throw new UnresolvableTokenError(`cannot resolve ${JSON.stringify(value)}`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) return Object.fromEntries(entries.map(([k, v]) => [k, resolveToken(v, lookup)]));
  const [fn, arg] = entries[0]!;
  const pseudo: Record<string, string> = {
    'AWS::Partition': partition,
    'AWS::Region': region,
    'AWS::AccountId': accountId,
    'AWS::URLSuffix': localAccount.urlSuffix,
    'AWS::StackName': 'Nurture',
    'AWS::NoValue': '',
  };
  const refOf = (id: string) => {
    if (pseudo[id] !== undefined) return pseudo[id];
    const v = lookup(id);
    if (!v) throw new UnresolvableTokenError(`Ref to unknown resource ${id}`);
    return v.ref;
  };
  const attOf = (id: string, attr: string) => {
    const v = lookup(id)?.attrs[attr];
    if (v === undefined) throw new UnresolvableTokenError(`Fn::GetAtt ${id}.${attr} has no local value`);
    return v;
  };
  switch (fn) {
    case 'Ref':
      return refOf(String(arg));
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return attOf(id!, attr!);
    }
    case 'Fn::Join': {
      const [sep, parts] = arg as [string, unknown[]];
      return (resolveToken(parts, lookup) as unknown[]).flat().join(sep);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      return (resolveToken(list, lookup) as unknown[])[Number(resolveToken(index, lookup))];
    }
    case 'Fn::Split': {
      const [sep, source] = arg as [string, unknown];
      return String(resolveToken(source, lookup)).split(sep);
    }
    case 'Fn::Sub': {
      const [template, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
      return template.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
        if (vars[name] !== undefined) return String(resolveToken(vars[name], lookup));
        const [id, attr] = name.split('.');
        return attr ? attOf(id!, attr) : refOf(id!);
      });
    }
    default:
      return Object.fromEntries(entries.map(([k, v]) => [k, resolveToken(v, lookup)]));
  }
}

/** Literal deployed names inside resolved strings (state machine names in ARNs built with formatArn). */
function renamer(extracted: ExtractedPolicies, names: LocalNames): (s: string) => string {
  const machines = Object.values(extracted.resources).filter((r) => r.deployedName && r.scenarioId);
  const domain = names.senderAddress.slice(names.senderAddress.indexOf('@') + 1);
  const deployedPrefixes = [...new Set(machines.map((m) => m.deployedName!.slice(0, m.deployedName!.length - m.scenarioId!.length)))]
    .filter(Boolean)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return (s) => {
    let out = s.replaceAll(placeholderSender, names.senderAddress).replaceAll(placeholderIdentity, domain);
    // Deployed names are `<prefix><scenario id>`: mapping the prefix maps exact names and prefix
    // wildcards (`Nurture-scenario-*`, how the enroll and admin roles are granted) alike.
    for (const prefix of deployedPrefixes) out = out.replace(new RegExp(`(:(?:stateMachine|execution):)${prefix}`, 'g'), `$1${names.stateMachinePrefix}`);
    return out;
  };
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

/** The extracted policies with every token and deployed name turned into the local ARNs and names. */
export function resolvePolicies(extracted: ExtractedPolicies, names: LocalNames): PolicySet {
  const cache = new Map<string, Values>();
  const lookup = (id: string) => {
    const r = extracted.resources[id];
    if (!r) return undefined;
    if (!cache.has(id)) cache.set(id, valuesOf(id, r, names));
    return cache.get(id);
  };
  const rename = renamer(extracted, names);
  const principals: Record<string, Principal> = {};
  for (const [principal, { role, statements }] of Object.entries(extracted.principals)) {
    const session = principal.startsWith('scenario:') ? `${names.stateMachinePrefix}${principal.slice('scenario:'.length)}` : localFunctionName(principal);
    principals[principal] = {
      arn: `arn:${partition}:sts::${accountId}:assumed-role/Nurture-${role}/${session}`,
      statements: statements.map((s) => mapStrings(resolveToken(s, lookup), rename) as Statement),
    };
  }
  return { principals };
}
