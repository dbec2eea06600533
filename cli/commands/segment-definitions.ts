/**
 * `nurture segments validate | list | put`: segment definition files (YAML or JSON, one segment a file).
 * `validate` works offline; `list` and `put` talk to the table of a running `npm start` (its DynamoDB
 * port), or with --aws to the deployed table with your AWS credentials. `put` checks what
 * POST/PUT /v1/admin/segments check: every field, then references, cycles and limits against the stored set.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DynamoSegmentStore, type SegmentStore } from '../../functions/segments/adapters/definition-store.js';
import type { Segment } from '../../functions/segments/domain/definition.js';
import { checkSegmentSet, evaluationOrder } from '../../functions/segments/domain/graph.js';
import { parseSegment, validateSegment } from '../../functions/segments/domain/validate.js';
import { SegmentError } from '../../functions/segments/errors.js';
import { setProblems } from '../../functions/segments/routes.js';
import { formatProblem } from '../../functions/shared/problems.js';
import { locate, readYaml } from '../../functions/shared/validation.js';
import { table } from './channel-registry.js';
import { tableClient, tableOptions } from './table-client.js';

type Options = Record<string, string | boolean | undefined>;

const isDefinitionFile = (f: string) => /\.(ya?ml|json)$/i.test(f);

/** The definition files of a path: the file itself, or a folder's .yaml/.yml/.json files by name. */
export function definitionFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).filter(isDefinitionFile).sort().map((f) => join(path, f));
}

/**
 * Every problem of the files as `file:line:column  field  message` lines: each file on its own, then (for
 * more than one file) the set they form: references name a segment among them, no cycle, chains and count
 * within the limits. A single file's references are checked by `put`, against the stored set.
 */
export function validateFiles(files: readonly { file: string; text: string }[]): { segments: Segment[]; lines: string[] } {
  const segments: Segment[] = [];
  const lines: string[] = [];
  const fileOf = new Map<string, { file: string; text: string }>();
  for (const f of files) {
    try {
      const s = parseSegment(f.text, f.file);
      segments.push(s);
      fileOf.set(s.id, f);
    } catch (err) {
      if (!(err instanceof SegmentError)) throw err;
      for (const { path, ...i } of err.issues) lines.push(formatProblem(f.file, { field: path || '(document)', ...i }));
    }
  }
  if (files.length > 1) {
    for (const { segment, path, ...i } of checkSegmentSet(segments)) {
      const f = fileOf.get(segment);
      const where = f ? locate(readYaml(f.text).yaml, path) : {};
      lines.push(formatProblem(f?.file ?? segment, { field: path || '(document)', ...i, ...where }));
    }
  }
  return { segments, lines };
}

/**
 * `segments put`: validates the file, checks it against the stored set, then creates it or replaces the
 * stored one at the version just read (a `version:` in the file must be that one). Returns the line to print.
 */
export async function putSegment(store: SegmentStore, file: string, text: string, now = new Date()): Promise<string> {
  const read = readYaml(text);
  const { version: fileVersion, updatedAt: _answerOnly, ...doc } = read.value && typeof read.value === 'object' && !Array.isArray(read.value) ? (read.value as Record<string, unknown>) : {};
  let segment: Segment;
  try {
    if (read.problems.length > 0) throw new SegmentError(file, read.problems.map(({ field, ...p }) => ({ path: field, ...p, message: `not valid YAML: ${p.message}` })));
    // The file as GET answers it may carry version and updatedAt; the rest is the definition.
    segment = validateSegment(read.value && typeof read.value === 'object' && !Array.isArray(read.value) ? doc : read.value, file, read.yaml);
  } catch (err) {
    if (!(err instanceof SegmentError)) throw err;
    const lines = err.issues.map(({ path, ...i }) => formatProblem(file, { field: path || '(document)', ...i }));
    throw new Error(`${file} is not a valid segment (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
  }
  const stored = await store.list();
  const problems = setProblems(segment, stored.map((s) => s.segment));
  if (problems.length > 0) throw new Error(`${file} does not fit the stored segments:\n${problems.map((p) => formatProblem(file, { ...p, ...locate(read.yaml, p.field) })).join('\n')}`);
  const existing = stored.find((s) => s.segment.id === segment.id);
  if (fileVersion !== undefined && fileVersion !== (existing?.version ?? 0)) {
    throw new Error(`${file}: segment ${segment.id} is at version ${existing?.version ?? 0}, not ${String(fileVersion)}: it changed since it was read`);
  }
  if (existing && JSON.stringify(existing.segment) === JSON.stringify(segment)) return `${file}: ${segment.id} unchanged at version ${existing.version}`;
  const ok = existing ? await store.replace(segment, existing.version, now) : await store.create(segment, now);
  if (!ok) throw new Error(`${file}: segment ${segment.id} changed while it was being stored: run put again`);
  return `${file}: ${segment.id} stored as version ${(existing?.version ?? 0) + 1}`;
}

/**
 * `segments put <folder>`: every file of the folder, checked as a set first (nothing is stored when one
 * is wrong), then stored in dependency order (a referenced segment before the ones naming it), each as
 * putSegment stores it. A deploy step: replaying it changes nothing.
 */
export async function putFolder(store: SegmentStore, files: readonly { file: string; text: string }[], now = new Date()): Promise<string[]> {
  const { segments, lines } = validateFiles(files);
  if (lines.length > 0) throw new Error(`${lines.length} problem${lines.length === 1 ? '' : 's'}, nothing stored:\n${lines.join('\n')}`);
  const fileOf = new Map(segments.map((seg, i) => [seg.id, files[i]!]));
  const out: string[] = [];
  for (const seg of evaluationOrder(segments)) {
    const f = fileOf.get(seg.id)!;
    out.push(await putSegment(store, f.file, f.text, now));
  }
  return out;
}

async function using<T>(opts: Options, run: (store: DynamoSegmentStore) => Promise<T>): Promise<T> {
  const { doc, table: name } = tableClient(opts);
  try {
    return await run(new DynamoSegmentStore(doc, name));
  } finally {
    doc.destroy();
  }
}

export function registerSegmentDefinitions(segments: Command): void {
  segments
    .command('validate')
    .description('validate segment files (a folder: every .yaml/.yml/.json in it, and the references between them)')
    .argument('<path>', 'a segment file or a folder of them')
    .action((path: string) => {
      const files = definitionFiles(path).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
      const { segments: ok, lines } = validateFiles(files);
      for (const line of lines) console.log(line);
      console.log(`${ok.length} of ${files.length} file${files.length === 1 ? '' : 's'} valid${lines.length > 0 ? `, ${lines.length} problem${lines.length === 1 ? '' : 's'}` : ''}`);
      if (lines.length > 0) process.exitCode = 1;
    });

  tableOptions(segments.command('list').description('The stored segment definitions with their versions'))
    .option('--json', 'print them as GET /v1/admin/segments answers')
    .action(async (opts: Options) =>
      using(opts, async (store) => {
        const all = await store.list();
        if (opts.json) {
          console.log(JSON.stringify(all.map((s) => ({ ...s.segment, version: s.version, updatedAt: s.updatedAt })), null, 2));
          return;
        }
        const rows = all.map((s) => ({ id: s.segment.id, name: s.segment.name, version: String(s.version), updated: s.updatedAt ?? '' }));
        console.log(rows.length > 0 ? table(rows, ['id', 'name', 'version', 'updated']) : 'no segments stored');
      }),
    );

  tableOptions(
    segments
      .command('put')
      .description('Create or replace a segment from a YAML or JSON file (`version:` checks nobody stored since), or every segment of a folder (deploy)'),
  )
    .argument('<path>', 'segment file (.yaml, .yml or .json), or a folder of them')
    .action(async (path: string, opts: Options) => {
      if (statSync(path).isDirectory()) {
        const files = definitionFiles(path).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
        for (const line of await using(opts, (store) => putFolder(store, files))) console.log(line);
        return;
      }
      const text = readFileSync(path, 'utf8');
      console.log(await using(opts, (store) => putSegment(store, path, text)));
    });
}
