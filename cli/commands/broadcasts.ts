/**
 * `nurture broadcasts send | list | show | pause | resume | cancel`: segment email from the command line.
 * The same use cases as the admin API (functions/broadcasts/domain/admin.ts), on the table and Step
 * Functions of a running `npm start` (its DynamoDB and Step Functions ports), or with --aws on the deployed
 * stack with your AWS credentials (--state-machine-arn: the stack's `<stack>-broadcasts` machine).
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { DynamoBroadcastStore } from '../../functions/broadcasts/adapters/broadcast-store.js';
import { defaultSesRatePerSecond } from '../../functions/broadcasts/adapters/ports.js';
import { SfnExecutionStarter } from '../../functions/broadcasts/adapters/starter.js';
import { type BroadcastAdminPorts, type BroadcastView, changeStatus, createBroadcast, listBroadcasts, showBroadcast } from '../../functions/broadcasts/domain/admin.js';
import { DynamoSegmentStore } from '../../functions/segments/adapters/definition-store.js';
import { DynamoMembershipStore } from '../../functions/segments/adapters/membership-store.js';
import { memberShards } from '../../functions/segments/domain/membership.js';
import { portsFromEnv } from '../../local/runtime/ports.js';
import { table } from './channel-registry.js';
import type { RegisterCommands } from './register.js';
import { tableClient, tableOptions } from './table-client.js';

type Options = Record<string, string | boolean | undefined>;

/** The local broadcast state machine (local/runtime/plugins/broadcasts.ts). */
const localMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:Nurture-broadcasts';

/** The admin use cases' ports for the command's options; close() releases the clients. */
export function cliPorts(opts: Options): { ports: BroadcastAdminPorts; close(): void } {
  const { doc, table: name } = tableClient(opts);
  const local = !opts.aws;
  if (!local && !opts.stateMachineArn) throw new Error('--state-machine-arn: the deployed broadcast state machine (stack resource Broadcasts/Machine) is needed with --aws');
  const sfn = new SFNClient(
    local
      ? { endpoint: String(opts.sfnEndpoint ?? `http://127.0.0.1:${portsFromEnv().sfn}`), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 }
      : {},
  );
  const segments = new DynamoSegmentStore(doc, name);
  const membership = new DynamoMembershipStore(doc, name);
  const rate = Number(opts.rate ?? process.env.NURTURE_SES_RATE_PER_SECOND ?? defaultSesRatePerSecond);
  if (!(rate > 0)) throw new Error('--rate: a positive number of sends per second');
  const ports: BroadcastAdminPorts = {
    store: new DynamoBroadcastStore(doc, name),
    segments: { exists: async (id) => (await segments.get(id)) !== undefined, count: (id) => membership.count(id) },
    starter: new SfnExecutionStarter(sfn, String(opts.stateMachineArn ?? localMachineArn), memberShards),
    ratePerSecond: rate,
    defaultTimeZone: String(opts.defaultTimeZone ?? process.env.NURTURE_DEFAULT_TIME_ZONE ?? 'UTC'),
    now: () => new Date(),
  };
  return { ports, close: () => (doc.destroy(), sfn.destroy()) };
}

function options(cmd: Command): Command {
  return tableOptions(cmd)
    .option('--state-machine-arn <arn>', 'with --aws: the deployed broadcast state machine')
    .option('--sfn-endpoint <url>', 'local Step Functions endpoint (default: a running npm start, port NURTURE_SFN_PORT or 4575)')
    .option('--json', 'print the answer as the admin API gives it');
}

/** A broadcast as a few lines: status, progress, results. */
export function describe(b: BroadcastView): string {
  const r = b.results;
  const skipped = Object.entries(r.skipped.byReason).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `${b.id}  ${b.status}  segment ${b.segmentId}  template ${b.templateId}  start ${b.startAt}  ${b.ratePerSecond}/s`,
    `  progress  ${Math.round(b.progress.fraction * 100)}%  (${b.progress.shardsDone}/${b.progress.shards} shards done, ${b.progress.members} members at creation)`,
    `  targeted ${r.targeted}  sent ${r.sent}  skipped ${r.skipped.total}${skipped ? ` (${skipped})` : ''}  deferred ${r.deferred}`,
    `  opened ${r.opened}  clicked ${r.clicked}  unsubscribed ${r.unsubscribed}  bounced ${r.bounced}`,
  ].join('\n');
}

async function using(opts: Options, run: (ports: BroadcastAdminPorts) => Promise<BroadcastView | string>) {
  const { ports, close } = cliPorts(opts);
  try {
    const out = await run(ports);
    console.log(typeof out === 'string' ? out : opts.json ? JSON.stringify(out, null, 2) : describe(out));
  } finally {
    close();
  }
}

/** `schedule` from the options: --at ISO, or --local-time HH:MM with --date YYYY-MM-DD, else now. */
export function scheduleOf(opts: Options): unknown {
  if (opts.at && opts.localTime) throw new Error('--at and --local-time: give one of them');
  if (opts.at) return { at: String(opts.at) };
  if (opts.localTime) return { localTime: String(opts.localTime), date: String(opts.date ?? ''), ...(opts.defaultTimeZone ? { defaultTimeZone: String(opts.defaultTimeZone) } : {}) };
  return 'now';
}

export const registerBroadcasts: RegisterCommands = (program: Command) => {
  const broadcasts = program.command('broadcasts').description('Segment email: send a template to a segment, follow, pause, resume, cancel');
  options(broadcasts.command('send').description('create a broadcast and start it'))
    .requiredOption('--segment <id>', 'the segment to send to')
    .requiredOption('--template <id>', 'the template (its file name in templates/ without extension)')
    .option('--at <iso>', 'send at this instant (ISO 8601 with offset)')
    .option('--local-time <HH:MM>', 'send at this time in each recipient\'s zone (with --date)')
    .option('--date <YYYY-MM-DD>', 'the date of --local-time')
    .option('--default-time-zone <zone>', 'zone of recipients without one (default: the configured one)')
    .option('--cap-policy <skip|defer>', 'over a cap: skip (default) or defer to when it reopens')
    .option('--id <id>', 'your own id: makes repeating the command safe')
    .option('--rate <n>', 'SES sends per second to pace to (default: NURTURE_SES_RATE_PER_SECOND or 14)')
    .action((opts: Options) =>
      using(opts, async (ports) => {
        const body = { segment: opts.segment, template: opts.template, schedule: scheduleOf(opts), ...(opts.capPolicy ? { capPolicy: opts.capPolicy } : {}), ...(opts.id ? { id: opts.id } : {}) };
        const { created, broadcast } = await createBroadcast(body, ports);
        return opts.json ? broadcast : `${created ? 'started' : 'already exists'}\n${describe(broadcast)}`;
      }),
    );
  options(broadcasts.command('list').description('broadcasts, newest first'))
    .option('--limit <n>', 'at most this many', '20')
    .action((opts: Options) =>
      using(opts, async (ports) => {
        const page = await listBroadcasts(Math.min(100, Math.max(1, Number(opts.limit) || 20)), undefined, ports);
        if (opts.json) return JSON.stringify(page, null, 2);
        const rows = page.items.map((b) => ({ id: b.id, status: b.status, segment: b.segmentId, template: b.templateId, start: b.startAt }));
        return rows.length > 0 ? table(rows, ['id', 'status', 'segment', 'template', 'start']) : 'no broadcasts';
      }),
    );
  options(broadcasts.command('show').description('status, progress and results of a broadcast').argument('<id>')).action((id: string, opts: Options) => using(opts, (ports) => showBroadcast(id, ports)));
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    options(broadcasts.command(action).description(`${action} a broadcast`).argument('<id>')).action((id: string, opts: Options) => using(opts, (ports) => changeStatus(id, action, ports)));
  }
};
