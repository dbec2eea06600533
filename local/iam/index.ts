/**
 * IAM-faithful local mode: every AWS call a handler (or a scenario's state machine) makes is checked
 * against the IAM policy CDK synthesizes for its role, and a call AWS would deny fails with the service's
 * own AccessDenied. `startIamCheck` puts a checking proxy in front of each emulator (rewriting the
 * handlers' AWS_ENDPOINT_URL_* variables) and gives the runtime what it needs to name callers.
 * NURTURE_IAM_CHECK=off turns it all off (for debugging a handler with the check out of the way).
 */
import { buckets, eventBus, streams, tables } from '../../functions/shared/resources.js';
import { type AuthzRequest, evaluate } from './evaluate.js';
import { type LocalNames, localAccount, type PolicySet, placeholderSender, resolvePolicies, scenarioPrincipal } from './policies.js';
import { installPrincipalHeader, runAs } from './principal.js';
import { type CheckingProxy, startCheckingProxy } from './proxy.js';
import { requiredAccess, type Service } from './requests.js';
import { accessDenied, deniedMessage } from './responses.js';
import { loadExtractedPolicies } from './synth.js';

export { asFunction, asScenario, currentPrincipal, runAs } from './principal.js';
export type { PolicySet } from './policies.js';

/** Environment variable that turns the check off (`off`). */
export const iamCheckEnv = 'NURTURE_IAM_CHECK';
/** Denials kept for inspection (oldest dropped first). */
export const maxDenialsKept = 1_000;
/** Task tokens whose owning state machine is remembered for SendTask* checks (oldest forgotten first). */
export const maxTrackedTokens = 10_000;

/** The endpoint variable of each checked service. */
export const endpointVariables: Record<Service, string> = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  kinesis: 'AWS_ENDPOINT_URL_KINESIS',
  firehose: 'AWS_ENDPOINT_URL_FIREHOSE',
  s3: 'AWS_ENDPOINT_URL_S3',
  sesv2: 'AWS_ENDPOINT_URL_SESV2',
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  sfn: 'AWS_ENDPOINT_URL_SFN',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
};

export interface Denial {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly message: string;
}

export interface IamCheckOptions {
  readonly repoRoot: string;
  /** The handlers' environment: names the local resources; its AWS_ENDPOINT_URL_* are replaced by proxies. */
  readonly env: Record<string, string>;
  /** Local state machine names are this prefix plus the scenario id. */
  readonly stateMachinePrefix: string;
  /** Folder of the scenarios local mode runs (default statemachines/). */
  readonly scenariosDir?: string;
  /** A policy set to use instead of the synthesized one (tests: a stack with a grant removed). */
  readonly policies?: PolicySet;
  /** Where the first occurrence of each distinct denial is reported (default: console.warn). */
  readonly log?: (line: string) => void;
}

/** What the local Step Functions tells a task resource handler about the state it serves. */
interface TaskMetaLike {
  resource: string;
  execution: { arn: string };
  token: string;
}
/** A Step Functions task resource handler, as local/emulators/step-functions/server.ts serves them. */
type TaskHandler<I, M extends TaskMetaLike, R> = (input: I, meta: M) => Promise<R>;

export interface IamCheck {
  readonly enabled: boolean;
  /** The policies in force (undefined when off). */
  readonly policies?: PolicySet;
  /** Denials so far, oldest first. */
  readonly denials: readonly Denial[];
  /** Checked calls so far, by principal and `service:Operation` (what local mode actually exercised). */
  readonly checked: ReadonlyMap<string, number>;
  /** Synthesis or cache load, for the start banner. */
  readonly loaded?: { cached: boolean; ms: number };
  /** The URL handlers should use for `service` at `url` (a checking proxy; `url` itself when off). */
  endpoint(service: Service, url: string): Promise<string>;
  /** Why `principal` may not make these calls (undefined: allowed). */
  deniedReason(principal: string, checks: readonly AuthzRequest[]): Denial | undefined;
  /** Task resources served as the scenario's state machine role: its integrations are checked as it. */
  stateMachineTasks<I, M extends TaskMetaLike, R>(tasks: (resource: string) => TaskHandler<I, M, R> | undefined): (resource: string) => TaskHandler<I, M, R> | undefined;
  stop(): Promise<void>;
}

/** Local names of the resources, from the handlers' environment (resources.ts names the variables). */
export function namesFromEnv(env: Record<string, string | undefined>, stateMachinePrefix: string): LocalNames {
  const byId = (defs: readonly { id: string; envVar: string }[]) => Object.fromEntries(defs.map((d) => [d.id, env[d.envVar] ?? d.id]));
  return {
    tables: byId(tables),
    streams: byId(streams),
    buckets: byId(buckets),
    bus: { id: eventBus.id, name: env[eventBus.envVar] ?? 'default' },
    stateMachinePrefix,
    env,
    configurationSet: env.SES_CONFIGURATION_SET ?? '',
    senderAddress: env.SENDER_ADDRESS ?? placeholderSender,
  };
}

/** Errors of a denied Lambda invoke as Step Functions reports them (the Task's error name). */
class LambdaTaskDenied extends Error {
  override name = 'Lambda.AWSLambdaException';
}

/**
 * Each service's proxy port, kept for the life of the process: a restart of local mode in the same process
 * (tests) gets the same proxy URLs, so handlers' SDK clients, which keep the endpoint they resolved first
 * (as a warm Lambda does), still reach the emulators.
 */
const proxyPorts = new Map<Service, number>();

function disabledCheck(): IamCheck {
  return {
    enabled: false,
    denials: [],
    checked: new Map(),
    endpoint: async (_service, url) => url,
    deniedReason: () => undefined,
    stateMachineTasks: (tasks) => tasks,
    stop: async () => undefined,
  };
}

/** Starts the check: loads the policies (synthesizing on a cache miss) and proxies the env's endpoints. */
export async function startIamCheck(opts: IamCheckOptions): Promise<IamCheck> {
  if (process.env[iamCheckEnv] === 'off') return disabledCheck();
  const names = namesFromEnv(opts.env, opts.stateMachinePrefix);
  let policies = opts.policies;
  let loaded: IamCheck['loaded'];
  if (!policies) {
    const extraction = await loadExtractedPolicies({ repoRoot: opts.repoRoot, ...(opts.scenariosDir ? { scenariosDir: opts.scenariosDir } : {}) });
    policies = resolvePolicies(extraction.extracted, names);
    loaded = { cached: extraction.cached, ms: extraction.ms };
  }
  const set = policies;
  installPrincipalHeader();
  const log = opts.log ?? ((line: string) => console.warn(line));
  const denials: Denial[] = [];
  const reported = new Set<string>();
  const tokenOwners = new Map<string, string>();
  const checked = new Map<string, number>();
  const proxies: CheckingProxy[] = [];

  const deniedReason = (principal: string, checks: readonly AuthzRequest[]): Denial | undefined => {
    const p = set.principals[principal];
    for (const check of checks) {
      const reason = p
        ? (() => {
            const d = evaluate(p.statements, check);
            return d.allowed ? undefined : d.reason;
          })()
        : `because local mode knows no role for '${principal}' (not a function of functions/shared/functions.ts or a scenario in the synthesized stack)`;
      if (!reason) continue;
      const who = p?.arn ?? `arn:aws:sts::${localAccount.accountId}:assumed-role/unknown/${principal}`;
      const denial = { principal, action: check.action, resource: check.resource, message: deniedMessage(who, check.action, check.resource, reason) };
      denials.push(denial);
      if (denials.length > maxDenialsKept) denials.shift();
      const key = `${principal} ${check.action} ${check.resource}`;
      if (!reported.has(key)) {
        reported.add(key);
        log(`[iam] AccessDenied for ${principal}: ${denial.message} (grant it in infra/, or ${iamCheckEnv}=off to debug without the check)`);
      }
      return denial;
    }
    return undefined;
  };

  const check = (service: Service, principal: string, request: Parameters<typeof requiredAccess>[1]) => {
    const access = requiredAccess(service, request, (token) => tokenOwners.get(token));
    if (!access) return undefined;
    const key = `${principal} ${access.operation}`;
    checked.set(key, (checked.get(key) ?? 0) + 1);
    const denial = deniedReason(principal, access.checks);
    return denial ? accessDenied(service, denial.message, request.method) : undefined;
  };

  const endpoint = async (service: Service, url: string) => {
    const proxy = await startCheckingProxy(service, url, check, proxyPorts.get(service) ?? 0);
    proxyPorts.set(service, Number(new URL(proxy.url).port));
    proxies.push(proxy);
    return proxy.url;
  };
  for (const [service, variable] of Object.entries(endpointVariables) as [Service, string][]) {
    const url = opts.env[variable];
    if (url) opts.env[variable] = await endpoint(service, url);
  }

  const stateMachineTasks = <I, M extends TaskMetaLike, R>(tasks: (resource: string) => TaskHandler<I, M, R> | undefined) => (resource: string) => {
    const serve = tasks(resource);
    if (!serve) return undefined;
    const wrapped: TaskHandler<I, M, R> = async (input, meta) => {
      // arn:aws:states:<region>:<account>:execution:<state machine>:<execution>
      const parts = meta.execution.arn.split(':');
      const machine = parts[6] ?? '';
      const machineArn = [...parts.slice(0, 5), 'stateMachine', machine].join(':');
      const principal = machine.startsWith(opts.stateMachinePrefix) ? scenarioPrincipal(machine.slice(opts.stateMachinePrefix.length)) : `stateMachine:${machine}`;
      if (meta.resource.endsWith('.waitForTaskToken')) {
        tokenOwners.set(meta.token, machineArn);
        if (tokenOwners.size > maxTrackedTokens) tokenOwners.delete(tokenOwners.keys().next().value!);
      }
      if (meta.resource.startsWith('arn:aws:states:::lambda:invoke')) {
        const fn = String((input as { FunctionName?: string }).FunctionName ?? '');
        const fnArn = fn.startsWith('arn:') ? fn : `arn:aws:lambda:${localAccount.region}:${localAccount.accountId}:function:${fn}`;
        const denial = deniedReason(principal, [{ action: 'lambda:InvokeFunction', resource: fnArn }]);
        if (denial) throw new LambdaTaskDenied(`${denial.message} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException)`);
      }
      return runAs(principal, () => serve(input, meta));
    };
    return wrapped;
  };

  return {
    enabled: true,
    policies: set,
    denials,
    checked,
    ...(loaded ? { loaded } : {}),
    endpoint,
    deniedReason,
    stateMachineTasks,
    async stop() {
      await Promise.all(proxies.splice(0).map((p) => p.close()));
    },
  };
}
