/** `nurture scoring poison list|replay`: events the stream processor set aside (README "Events that cannot be applied"). */
import type { Command } from 'commander';
import { tableAndStreamClients } from './table-client.js';
import { KinesisSink } from '../../functions/ingest/adapters/kinesis-sink.js';
import { SetAsideStore } from '../../functions/scoring/adapters/set-aside-store.js';
import type { SetAsideEvent } from '../../functions/scoring/domain/set-aside.js';

/** Most records one command reads (a page of the index per 1 MB; more than anyone reads on a terminal). */
const maxListed = 10_000;

type Options = Record<string, string | boolean | undefined>;

function clients(opts: Options) {
  const { doc, table, kinesis, close } = tableAndStreamClients(opts);
  return { store: new SetAsideStore(doc, table), kinesis, close };
}

function line(r: SetAsideEvent): string {
  let what = '(event not kept)';
  if (r.event) {
    const e = JSON.parse(r.event) as { type?: string; event?: string; name?: string };
    what = [e.type, e.event ?? e.name].filter(Boolean).join(' ');
  }
  return `${r.setAsideAt}  ${r.profileId}  ${r.messageId}  ${what}\n    ${r.error}`;
}

const withConnection = (c: Command) =>
  c
    .option('--aws', 'use the deployed table and stream with your AWS credentials instead of local mode')
    .option('--table <name>', 'table name (on AWS: the physical name of the stack\'s table)', 'nurture-main')
    .option('--stream <name>', 'events stream name (on AWS: the physical name of the stack\'s stream)', 'nurture-events')
    .option('--dynamodb-endpoint <url>', 'local DynamoDB endpoint (default: a running npm start, port NURTURE_DYNAMODB_PORT or 4570)')
    .option('--kinesis-endpoint <url>', 'local Kinesis endpoint (default: a running npm start, port NURTURE_KINESIS_PORT or 4571)');

/** Adds `poison list` and `poison replay` under `scoring`. */
export function registerPoison(scoring: Command): void {
  const poison = scoring.command('poison').description('Events the stream processor set aside because they could not be applied');
  withConnection(poison.command('list'))
    .description('List events set aside, newest first, with why each could not be applied')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'print the records as JSON (the events included)')
    .action(async (opts: Options) => {
      const { store, close } = clients(opts);
      const records = await store.list(Math.max(1, Math.min(maxListed, Number(opts.limit) || 100)));
      console.log(opts.json ? JSON.stringify(records, null, 2) : records.length === 0 ? 'no events set aside' : records.map(line).join('\n'));
      close();
    });
  withConnection(poison.command('replay'))
    .description('Put events set aside back on the events stream (once their cause is fixed) and remove their records')
    .argument('[messageIds...]', 'the events to replay (see list)')
    .option('--all', 'replay every event set aside')
    .action(async (messageIds: string[], opts: Options) => {
      if (!opts.all && messageIds.length === 0) throw new Error('name the messageIds to replay, or pass --all');
      const { store, kinesis, close } = clients(opts);
      const wanted = new Set(messageIds);
      const records = (await store.list(maxListed)).filter((r) => opts.all || wanted.has(r.messageId));
      const sink = new KinesisSink(kinesis, String(opts.stream));
      const { replayed, kept } = await store.replay(records, (events) => sink.put(events));
      console.log(`replayed ${replayed.length} event${replayed.length === 1 ? '' : 's'}`);
      for (const r of kept) {
        console.log(`not replayed ${r.messageId}: its event (${r.eventBytes} bytes) was too large to keep; read it from ${r.shard} at ${r.seq} within the stream's retention`);
      }
      const missing = [...wanted].filter((id) => !records.some((r) => r.messageId === id));
      if (missing.length > 0) console.log(`not set aside (or expired): ${missing.join(', ')}`);
      close();
    });
}
