/** `nurture channels` subcommands of offline touches: import-offline. */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { tableAndStreamClients } from './table-client.js';
import { OfflineImporter, type OfflineImportResult } from '../../functions/channels/adapters/offline-importer.js';
import { offlineLimits, parseOfflineCsv, type RowError } from '../../functions/channels/domain/offline.js';
import { DynamoLinkStore } from '../../functions/identity/adapters/dynamo-link-store.js';
import { KinesisSink } from '../../functions/ingest/adapters/kinesis-sink.js';

type Options = Record<string, string | boolean | undefined>;

export interface OfflineFileOutcome {
  /** The bad rows (nothing was imported), or none. */
  errors: RowError[];
  result?: OfflineImportResult;
}

/** One bad row as a line of the terminal: `leads.csv:12 email: not a valid email address: "x"`. */
export const formatRowError = (file: string, e: RowError) => `${file}:${e.line} ${e.field}: ${e.message}`;

/**
 * Reads, checks and imports one file: nothing at all when a row is bad. `onProgress` follows the rows
 * (skipped ones count as done at once).
 */
export async function importOfflineFile(
  file: string,
  importer: Pick<OfflineImporter, 'import'>,
  now: Date,
  onProgress?: (done: number, total: number) => void,
): Promise<OfflineFileOutcome> {
  const size = statSync(file).size;
  if (size > offlineLimits.maxFileBytes) {
    return { errors: [{ line: 1, field: 'file', message: `${size} bytes: at most ${offlineLimits.maxFileBytes} bytes a file; split it` }] };
  }
  const { rows, errors } = parseOfflineCsv(readFileSync(file, 'utf8'), now, offlineLimits.maxRowsPerFile);
  if (errors.length > 0) return { errors };
  const result = await importer.import(rows, { importedFrom: basename(file), ...(onProgress ? { onProgress } : {}) });
  return { errors: [], result };
}

function importer(opts: Options) {
  const { doc, table, kinesis, close } = tableAndStreamClients(opts);
  return { importer: new OfflineImporter(doc, table, new DynamoLinkStore(doc, table), new KinesisSink(kinesis, String(opts.stream))), close };
}

export function registerChannelOffline(channels: Command): void {
  channels
    .command('import-offline')
    .description(
      'Import people met offline (event, seminar, catalogue, store, call centre) from a CSV file: each row identifies or creates the ' +
        'profile by email, records an "Offline Touch" and the consent as given. Every row is checked first; importing the same rows again changes nothing.',
    )
    .argument('<file.csv>', `columns email, name, company, channel, campaign, date, consent (see the README); at most ${offlineLimits.maxRowsPerFile} rows`)
    .option('--aws', 'use the deployed table and stream with your AWS credentials instead of local mode')
    .option('--table <name>', "table name (on AWS: the physical name of the stack's table)", 'nurture-main')
    .option('--stream <name>', "events stream name (on AWS: the physical name of the stack's stream)", 'nurture-events')
    .option('--dynamodb-endpoint <url>', 'local DynamoDB endpoint (default: a running npm start, port NURTURE_DYNAMODB_PORT or 4570)')
    .option('--kinesis-endpoint <url>', 'local Kinesis endpoint (default: a running npm start, port NURTURE_KINESIS_PORT or 4571)')
    .action(async (file: string, opts: Options) => {
      const { importer: imp, close } = importer(opts);
      const bar = new SingleBar({ format: 'rows {bar} {value}/{total}', stopOnComplete: true, clearOnComplete: false });
      let started = false;
      try {
        const outcome = await importOfflineFile(file, imp, new Date(), (done, total) => {
          if (!started) bar.start(total, done);
          else bar.update(done);
          started = true;
        });
        if (started) bar.stop();
        if (outcome.errors.length > 0) {
          for (const e of outcome.errors.slice(0, offlineLimits.maxErrorsReported)) console.error(formatRowError(file, e));
          const more = outcome.errors.length - offlineLimits.maxErrorsReported;
          if (more > 0) console.error(`…and ${more} more`);
          console.error(`${outcome.errors.length} problem${outcome.errors.length === 1 ? '' : 's'} in ${file}; nothing was imported`);
          process.exitCode = 1;
          return;
        }
        const r = outcome.result!;
        console.log(`imported ${r.imported} row${r.imported === 1 ? '' : 's'} (${r.profiles} profile${r.profiles === 1 ? '' : 's'}); skipped ${r.skippedAsDuplicates} as imported before`);
      } finally {
        if (started) bar.stop();
        close();
      }
    });
}
