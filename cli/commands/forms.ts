/**
 * `nurture forms list | validate | put | show | submissions`: form definitions, their stats and their
 * submissions. `validate` works offline; the others run the admin API's own operations
 * (functions/forms/admin-routes.ts) against the content bucket and the table of a running `npm start`
 * (its S3 and DynamoDB ports), or with --aws the deployed ones with your AWS credentials: an export of
 * every submission would outlast an API request.
 */
import { once } from 'node:events';
import { createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { S3FormsContent } from '../../functions/forms/adapters/s3-content.js';
import { DynamoStatsReader } from '../../functions/forms/adapters/stats-reader.js';
import { DynamoSubmissionReader } from '../../functions/forms/adapters/submission-reader.js';
import { type DefinitionBody, deleteForm, formDetail, formIdParam, type FormsAdminPorts, listForms, putForm, submissionPageLimits, submissionQuery, submissionsPage } from '../../functions/forms/admin-routes.js';
import { type Localized, textIn } from '../../functions/forms/domain/definition.js';
import { checkForm, formFile } from '../../functions/forms/domain/form-check.js';
import type { FormCheckReport } from '../../functions/forms/domain/reports.js';
import { statsLimits } from '../../functions/forms/domain/stats.js';
import { csvHeader, csvRows, type FieldNames } from '../../functions/forms/domain/submissions-csv.js';
import { ClientError } from '../../functions/shared/errors.js';
import { describeProblem, formatProblem, type Problem } from '../../functions/shared/problems.js';
import { portsFromEnv } from '../../local/runtime/ports.js';
import { table } from './channel-registry.js';
import type { RegisterCommands } from './register.js';
import { tableClient, tableOptions } from './table-client.js';

type Options = Record<string, string | boolean | undefined>;

/** The admin ports over the bucket and table the options name; close() destroys the clients. */
export function formsPorts(opts: Options): { ports: FormsAdminPorts; close(): void } {
  const { doc, table: name } = tableClient(opts);
  const local = !opts.aws;
  const endpoint = String(opts.s3Endpoint ?? `http://127.0.0.1:${portsFromEnv().s3}`);
  // The local S3 emulator accepts its own fixed key only.
  const s3 = new S3Client(local ? { endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 1 } : {});
  const bucket = String(opts.bucket ?? 'nurture-content');
  return {
    ports: { content: new S3FormsContent(s3, bucket, 0), submissions: new DynamoSubmissionReader(doc, name), stats: new DynamoStatsReader(doc, name), now: () => new Date() },
    close: () => (doc.destroy(), s3.destroy()),
  };
}

function withBucket(cmd: Command): Command {
  return tableOptions(cmd)
    .option('--bucket <name>', "content bucket (on AWS: the stack's ContentBucketName output)", 'nurture-content')
    .option('--s3-endpoint <url>', 'local S3 endpoint (default: a running npm start, port NURTURE_S3_PORT or 4572)');
}

async function using<T>(opts: Options, run: (ports: FormsAdminPorts) => Promise<T>): Promise<T> {
  const { ports, close } = formsPorts(opts);
  try {
    return await run(ports);
  } catch (err) {
    // A 400 or 404 of the admin operations: its message (and every problem) instead of a stack.
    if (!(err instanceof ClientError)) throw err;
    const problems = (err.details.problems as Problem[] | undefined) ?? [];
    throw new Error([err.message, ...problems.map((p) => `  ${p.line ? `line ${p.line}  ` : ''}${p.field}  ${describeProblem(p)}`)].join('\n'));
  } finally {
    close();
  }
}

/** Definition files of a path: the file, or a folder's .yaml/.yml/.json files by name (reports left out). */
export function formFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).filter((f) => formFile.test(f)).sort().map((f) => join(path, f));
}

/** Every problem of the reports as `file:line:column  field  message` lines, warnings marked. */
export function reportLines(file: string, report: FormCheckReport): string[] {
  return [...report.errors.map((p) => formatProblem(file, p)), ...report.warnings.map((p) => `${formatProblem(file, p)}  (warning)`)];
}

const bodyOf = (file: string, text: string): DefinitionBody => ({ text, json: file.toLowerCase().endsWith('.json') });

/**
 * `forms put`: every file is checked first and nothing is stored when one fails (a deploy step); then each
 * is stored as PUT /v1/admin/forms/{id} stores it. Replaying it writes the same.
 */
export async function putForms(ports: FormsAdminPorts, files: readonly { file: string; text: string }[]): Promise<string[]> {
  const checked = files.map((f) => ({ ...f, report: checkForm(basename(f.file), f.text, ports.now()) }));
  const lines = checked.flatMap((c) => reportLines(c.file, c.report).filter((l) => !l.endsWith('(warning)')));
  if (lines.length > 0) throw new Error(`${lines.length} problem${lines.length === 1 ? '' : 's'}, nothing stored:\n${lines.join('\n')}`);
  const out: string[] = [];
  for (const c of checked) {
    const report = await putForm(ports, c.report.formId, bodyOf(c.file, c.text));
    out.push(`${c.file}: form ${report.formId} stored (version ${report.form?.version})${report.warnings.length ? `, ${report.warnings.length} warning(s)` : ''}`);
  }
  return out;
}

/**
 * `forms submissions`: every submission of a form (newest first) as CSV or JSON through `write`, page by
 * page; `progress(done)` after each. CSV columns follow the definition, or, for a form whose definition
 * is gone, the fields of the submissions read.
 */
export async function exportSubmissions(
  ports: FormsAdminPorts,
  id: string,
  opts: { format: 'csv' | 'json'; from?: string; to?: string },
  write: (text: string) => Promise<void>,
  progress: (done: number) => void = () => undefined,
): Promise<number> {
  let columns: FieldNames | undefined = (await ports.content.formReport(id))?.form;
  let done = 0;
  let cursor: string | undefined;
  do {
    const q = submissionQuery({ limit: String(submissionPageLimits.maxLimit), ...(cursor ? { cursor } : {}), ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}) });
    const page = await submissionsPage(ports, id, q);
    if (opts.format === 'csv') {
      if (done === 0) {
        columns ??= { fields: [...new Set(page.items.flatMap((s) => Object.keys(s.values)))].map((name) => ({ name })) };
        await write(csvHeader(columns));
      }
      await write(csvRows(columns!, page.items));
    } else {
      for (const [i, s] of page.items.entries()) await write(`${done + i === 0 ? '[\n' : ',\n'}${JSON.stringify(s)}`);
    }
    done += page.items.length;
    progress(done);
    cursor = page.cursor;
  } while (cursor);
  if (opts.format === 'json') await write(done === 0 ? '[]\n' : '\n]\n');
  return done;
}

const text = (v: Localized | undefined) => (v === undefined ? '' : typeof v === 'string' ? v : v.ja === v.en ? v.ja : `${v.ja} / ${v.en}`);

export const registerForms: RegisterCommands = (program: Command) => {
  const forms = program.command('forms').description('Forms: definitions (validate, put, list, show), stats and submissions');

  forms
    .command('validate')
    .description('Check form definition files offline, as an upload is checked (a folder: every .yaml/.yml/.json in it)')
    .argument('<path>', 'a definition file (<id>.yaml, .yml or .json) or a folder of them')
    .action((path: string) => {
      const files = formFiles(path);
      let failed = 0;
      for (const file of files) {
        const report = checkForm(basename(file), readFileSync(file, 'utf8'), new Date());
        for (const line of reportLines(file, report)) console.log(line);
        if (!report.ok) failed++;
      }
      console.log(`${files.length - failed} of ${files.length} form${files.length === 1 ? '' : 's'} valid`);
      if (failed > 0 || files.length === 0) process.exitCode = 1;
    });

  withBucket(forms.command('put').description('Check and store form definitions (a folder: all or nothing)'))
    .argument('<path>', 'a definition file or a folder of them')
    .action(async (path: string, opts: Options) => {
      const files = formFiles(path).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
      for (const line of await using(opts, (ports) => putForms(ports, files))) console.log(line);
    });

  withBucket(forms.command('list').description('Every form with its check state and the last 30 days'))
    .option('--json', 'print them as GET /v1/admin/forms answers')
    .action(async (opts: Options) =>
      using(opts, async (ports) => {
        const all = await listForms(ports);
        if (opts.json) return void console.log(JSON.stringify({ forms: all }, null, 2));
        const rows = all.map((f) => ({ id: f.id, title: text(f.title), ok: f.ok ? 'ok' : `${f.errors} error(s)`, views: String(f.stats.views), submissions: String(f.stats.submissions), refused: String(f.stats.refused), rate: `${(f.stats.conversionRate * 100).toFixed(1)}%`, checked: f.checkedAt ?? '' }));
        console.log(rows.length > 0 ? table(rows, ['id', 'title', 'ok', 'views', 'submissions', 'refused', 'rate', 'checked']) : 'no forms stored');
      }),
    );

  withBucket(forms.command('show').description("A form's definition, check report and stats"))
    .argument('<id>', 'form id')
    .option('--days <n>', `days of stats, 1 to ${statsLimits.maxDays}`, String(statsLimits.defaultDays))
    .option('--json', 'print it as GET /v1/admin/forms/{id} answers')
    .action(async (id: string, opts: Options) =>
      using(opts, async (ports) => {
        const days = Number(opts.days);
        if (!Number.isInteger(days) || days < 1 || days > statsLimits.maxDays) throw new Error(`--days: an integer from 1 to ${statsLimits.maxDays}`);
        const d = await formDetail(ports, formIdParam(id), days);
        if (opts.json) return void console.log(JSON.stringify(d, null, 2));
        const f = d.definition;
        console.log(`${d.id}: ${f ? text(f.title) : '(no definition in force)'}  ${d.report.ok ? 'ok' : 'FAILING'}  checked ${d.report.checkedAt}`);
        for (const line of reportLines(d.report.source, { ...d.report })) console.log(`  ${line}`);
        if (f) {
          console.log(`  locale ${f.locale}, version ${f.version}`);
          console.log(table(f.fields.map((x) => ({ field: x.name, type: x.type, required: x.required ? 'yes' : '', trait: x.trait ?? '', label: text(x.label) })), ['field', 'type', 'required', 'trait', 'label']).replace(/^/gm, '  '));
          for (const c of f.consents) console.log(`  consent ${c.id} (${c.purpose}, version ${c.version})${c.required ? ' required' : ''}: ${textIn(c.text, f.locale)}`);
          const s = f.submit;
          console.log(`  on submit: ${[s.event && `event "${s.event}"`, s.redirect && `redirect ${s.redirect}`, s.message && 'message', s.confirmationTemplate && `mail ${s.confirmationTemplate}`, s.doubleOptIn && 'double opt-in', s.notify && 'notify sales'].filter(Boolean).join(', ') || 'the default thank-you'}`);
        }
        const st = d.stats;
        console.log(`  last ${days} days: ${st.views} views, ${st.submissions} submissions (${(st.conversionRate * 100).toFixed(1)}%), ${st.refused} refused as spam`);
      }),
    );

  withBucket(forms.command('submissions').description("Write every submission of a form, newest first, as CSV (UTF-8 with BOM, for Excel) or JSON"))
    .argument('<id>', 'form id')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--out <file>', 'the file to write (default: standard output)')
    .option('--from <date>', 'submitted at or after (2026-12-01 or an ISO time in UTC)')
    .option('--to <date>', 'submitted at or before (a date: the whole day)')
    .action(async (id: string, opts: Options) => {
      const format = String(opts.format);
      if (format !== 'csv' && format !== 'json') throw new Error('--format: csv or json');
      const out = opts.out ? createWriteStream(String(opts.out)) : process.stdout;
      const bar = new SingleBar({ format: 'exporting |{bar}| {value}/{total} submissions', hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
      try {
        const n = await using(opts, async (ports) => {
          const formId = formIdParam(id);
          // The daily counters give the total to expect (an estimate: counters and items are written apart).
          const today = ports.now().toISOString().slice(0, 10);
          const counted = (await ports.stats.days(formId, String(opts.from ?? '2000-01-01').slice(0, 10), String(opts.to ?? today).slice(0, 10))).reduce((sum, d) => sum + (d.submissions ?? 0), 0);
          bar.start(Math.max(1, counted), 0);
          const range = { ...(opts.from ? { from: String(opts.from) } : {}), ...(opts.to ? { to: String(opts.to) } : {}) };
          return exportSubmissions(ports, formId, { format, ...range }, async (t) => void (out.write(t) || (await once(out, 'drain'))), (done) => {
            if (done > counted) bar.setTotal(done);
            bar.update(done);
          });
        });
        bar.stop();
        console.error(`${n} submissions written${opts.out ? ` to ${String(opts.out)}` : ''} (${format})`);
      } finally {
        bar.stop();
        if (out !== process.stdout) await new Promise<void>((done) => (out as ReturnType<typeof createWriteStream>).end(done));
      }
    });

  withBucket(forms.command('delete').description('Delete a form definition and its report (submissions and stats stay)'))
    .argument('<id>', 'form id')
    .action(async (id: string, opts: Options) => console.log(`${id}: ${(await using(opts, (ports) => deleteForm(ports, formIdParam(id)))) ? 'deleted' : 'was not stored'}`));
};
