/**
 * `nurture crm import <file.csv>`: a CSV export of CRM contacts → leads with their traits and CRM stage.
 * Locally it talks to a running `npm start` (its DynamoDB and Kinesis ports); with --aws to the deployed
 * stack with your AWS credentials.
 */
import { readFileSync, statSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { tableAndStreamClients } from './table-client.js';
import { ContactsImporter, type ContactImportResult } from '../../functions/crm/adapters/contacts-importer.js';
import { contactImportLimits, type ContactRowError, parseContactsCsv } from '../../functions/crm/domain/contacts-csv.js';
import { DynamoLinkStore } from '../../functions/identity/adapters/dynamo-link-store.js';
import { KinesisSink } from '../../functions/ingest/adapters/kinesis-sink.js';
import type { RegisterCommands } from './register.js';

type Options = Record<string, string | boolean | undefined>;

export interface ContactsFileOutcome {
  /** The bad rows (nothing was imported), or none. */
  errors: ContactRowError[];
  /** Valid rows in the file. */
  rows: number;
  /** Absent on a dry run or when a row is bad. */
  result?: ContactImportResult;
}

/** One bad row as a line of the terminal: `contacts.csv:12 email: not a valid email address: "x"`. */
export const formatContactError = (file: string, e: ContactRowError) => `${file}:${e.line} ${e.field}: ${e.message}`;

/** Reads, checks and (unless dryRun) imports one file: nothing at all when a row is bad. */
export async function importContactsFile(
  file: string,
  importer: Pick<ContactsImporter, 'import'> | undefined,
  onProgress?: (done: number, total: number) => void,
): Promise<ContactsFileOutcome> {
  const size = statSync(file).size;
  if (size > contactImportLimits.maxFileBytes) {
    return { errors: [{ line: 1, field: 'file', message: `${size} bytes: at most ${contactImportLimits.maxFileBytes} bytes a file; split it` }], rows: 0 };
  }
  const { rows, errors } = parseContactsCsv(readFileSync(file, 'utf8'));
  if (errors.length > 0 || !importer) return { errors, rows: rows.length };
  return { errors: [], rows: rows.length, result: await importer.import(rows, onProgress ? { onProgress } : {}) };
}

function summary(r: ContactImportResult): string {
  const s = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `imported ${s(r.imported, 'row')} (${s(r.newLeads, 'new lead')}, ${r.existingLeads} existing); skipped ${r.skippedAsImported} as already imported`;
}

export const registerCrm: RegisterCommands = (program: Command) => {
  const crm = program.command('crm').description('CRM: contact imports (inbound updates arrive on POST /v1/crm/events)');
  crm
    .command('import')
    .description(
      'Import CRM contacts from a CSV export: each row identifies or creates the lead by email, sets its traits and, for a CRM stage of ' +
        'sql or customer, raises its stage. Every row is checked first; importing the same file again changes nothing.',
    )
    .argument('<file.csv>', `columns email, crm_id, first_name, last_name, company, phone, stage, owner (English or Japanese headers); at most ${contactImportLimits.maxRows} rows`)
    .option('--aws', 'use the deployed table and stream with your AWS credentials instead of local mode')
    .option('--dry-run', 'check the file and write nothing')
    .option('--table <name>', "table name (on AWS: the physical name of the stack's table)", 'nurture-main')
    .option('--stream <name>', "events stream name (on AWS: the physical name of the stack's stream)", 'nurture-events')
    .option('--dynamodb-endpoint <url>', 'local DynamoDB endpoint (default: a running npm start, port NURTURE_DYNAMODB_PORT or 4570)')
    .option('--kinesis-endpoint <url>', 'local Kinesis endpoint (default: a running npm start, port NURTURE_KINESIS_PORT or 4571)')
    .action(async (file: string, opts: Options) => {
      const clients = opts.dryRun ? undefined : tableAndStreamClients(opts);
      const imp = clients && new ContactsImporter(clients.doc, clients.table, new DynamoLinkStore(clients.doc, clients.table), new KinesisSink(clients.kinesis, String(opts.stream)));
      const bar = new SingleBar({ format: 'rows {bar} {value}/{total}', stopOnComplete: true, clearOnComplete: false });
      let started = false;
      try {
        const outcome = await importContactsFile(file, imp, (done, total) => {
          if (!started) bar.start(total, done);
          else bar.update(done);
          started = true;
        });
        if (started) bar.stop();
        if (outcome.errors.length > 0) {
          for (const e of outcome.errors.slice(0, contactImportLimits.maxErrorsReported)) console.error(formatContactError(file, e));
          const more = outcome.errors.length - contactImportLimits.maxErrorsReported;
          if (more > 0) console.error(`…and ${more} more`);
          console.error(`${outcome.errors.length} problem${outcome.errors.length === 1 ? '' : 's'} in ${file}; nothing was imported`);
          process.exitCode = 1;
          return;
        }
        if (!outcome.result) console.log(`${outcome.rows} valid row${outcome.rows === 1 ? '' : 's'} in ${file}; dry run: nothing was written`);
        else console.log(summary(outcome.result));
      } finally {
        if (started) bar.stop();
        clients?.close();
      }
    });
};
