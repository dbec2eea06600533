/**
 * `nurture channels` subcommands of the media registry: show, set, classify. Locally they read and write
 * the table of a running `npm start` (its DynamoDB port); with --aws the deployed table with your AWS
 * credentials. `set` checks the version like PUT /v1/admin/channels does.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { tableClient, tableOptions } from './table-client.js';
import { DynamoRegistryStore } from '../../functions/channels/adapters/registry-store.js';
import {
  classify,
  clickIdTypes,
  defaultMedia,
  effectiveMedia,
  type Medium,
  type RegistryDoc,
  registryDocSchema,
  type TouchKey,
} from '../../functions/channels/domain/registry.js';
import { referrerDomainOf } from '../../functions/channels/registry-routes.js';
import { formatProblem, type Problem } from '../../functions/shared/problems.js';
import { checkSchema, readYaml } from '../../functions/shared/validation.js';

type Options = Record<string, string | boolean | undefined>;

/** What the commands need of the store (DynamoRegistryStore; a fake in tests). */
export type RegistryStore = Pick<DynamoRegistryStore, 'stored' | 'registry' | 'putRegistry'>;

/** Keys of GET /v1/admin/channels's answer a file may carry besides `media` (so `show --json` output can be edited and set). */
const answerKeys = ['updatedAt', 'defaults', 'groups', 'clickIds', 'limits'];

/** A registry file (YAML or JSON) checked: the document, the version it names (if any), and every problem at its line. */
export function readRegistryFile(text: string): { doc?: RegistryDoc; version?: number; problems: Problem[] } {
  const read = readYaml(text);
  if (read.problems.length > 0) return { problems: read.problems };
  if (read.value === null || typeof read.value !== 'object' || Array.isArray(read.value)) {
    return { problems: [{ field: '(document)', message: 'a registry file holds `media:` (a list of media), and optionally `version:`' }] };
  }
  const { version, ...rest } = read.value as Record<string, unknown>;
  for (const k of answerKeys) delete rest[k];
  const problems: Problem[] = [];
  if (version !== undefined && !(Number.isSafeInteger(version) && (version as number) >= 0)) problems.push({ field: 'version', message: 'an integer, 0 or more' });
  const { data, problems: schemaProblems } = checkSchema(registryDocSchema, rest, read.yaml);
  problems.push(...schemaProblems);
  return { ...(data && problems.length === 0 ? { doc: data } : {}), ...(typeof version === 'number' ? { version } : {}), problems };
}

/** The media in force as table rows: own media first (`own`, or `own (replaces default)`), then the defaults left. */
export function mediaRows(doc: RegistryDoc | undefined): { id: string; name: string; group: string; from: string }[] {
  const defaultIds = new Set(defaultMedia.map((m) => m.id));
  const own = new Set((doc?.media ?? []).map((m) => m.id));
  return effectiveMedia(doc).map((m: Medium) => ({
    id: m.id,
    name: m.name,
    group: m.group,
    from: own.has(m.id) ? (defaultIds.has(m.id) ? 'own (replaces default)' : 'own') : 'default',
  }));
}

/** Rows as a fixed-width text table. */
export function table(rows: Record<string, string>[], columns: string[]): string {
  const width = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join('  ').trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\n');
}

/**
 * `channels set`: validates the file, then stores it if the stored version is still the one the file
 * names (or, without one, the one read just before). Returns the lines to print; throws with every problem.
 */
export async function setRegistry(store: RegistryStore, file: string, text: string, now = new Date()): Promise<string> {
  const { doc, version, problems } = readRegistryFile(text);
  if (!doc || problems.length > 0) {
    const lines = problems.map((p) => formatProblem(file, p));
    throw new Error(`${file} is not a valid registry (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
  }
  const expected = version ?? (await store.stored()).version;
  if (!(await store.putRegistry(doc, expected, now))) {
    const s = await store.stored();
    if (s.version === expected + 1 && JSON.stringify(s.doc) === JSON.stringify(doc)) return `${file}: already stored as version ${s.version}`;
    throw new Error(`the registry is at version ${s.version}, not ${expected}: it changed since it was read (run \`channels show\`, reapply, set again)`);
  }
  return `${file}: ${doc.media.length} own media stored as version ${expected + 1}`;
}

function storeOf(opts: Options): { store: DynamoRegistryStore; close(): void } {
  const { doc, table } = tableClient(opts);
  return { store: new DynamoRegistryStore(doc, table), close: () => doc.destroy() };
}

const withTarget = (cmd: Command): Command => tableOptions(cmd);

async function using<T>(opts: Options, run: (store: DynamoRegistryStore) => Promise<T>): Promise<T> {
  const { store, close } = storeOf(opts);
  try {
    return await run(store);
  } finally {
    close();
  }
}

export function registerChannelRegistry(channels: Command): void {
  withTarget(channels.command('show').description('The media in force: own media first, then the defaults (in the order they are tried)'))
    .option('--json', 'print the registry as GET /v1/admin/channels answers it (edit its media and `channels set` it)')
    .action(async (opts: Options) =>
      using(opts, async (store) => {
        const s = await store.stored();
        if (opts.json) {
          console.log(JSON.stringify({ version: s.version, ...(s.updatedAt ? { updatedAt: s.updatedAt } : {}), media: s.doc.media }, null, 2));
          return;
        }
        console.log(table(mediaRows(s.version === 0 ? undefined : s.doc), ['id', 'name', 'group', 'from']));
        console.log(`\nversion ${s.version}${s.updatedAt ? `, updated ${s.updatedAt}` : ' (nothing registered: defaults only)'}`);
      }),
    );

  withTarget(channels.command('set').description("Replace the operator's own media from a YAML or JSON file (`media:`; `version:` checks nobody stored since)"))
    .argument('<file>', 'registry file (.yaml, .yml or .json)')
    .action(async (file: string, opts: Options) => {
      const text = readFileSync(file, 'utf8');
      const out = await using(opts, (store) => setRegistry(store, file, text));
      console.log(out);
    });

  withTarget(channels.command('classify').description('Which medium and channel group a touch is, under the registry in force'))
    .option('--source <utm_source>')
    .option('--medium <utm_medium>')
    .option('--campaign <utm_campaign>')
    .option('--referrer <domain or URL>')
    .option('--click-id <type>', `click id type: ${clickIdTypes.join(', ')}`)
    .action(async (opts: Options) => {
      const clickId = opts.clickId === undefined ? undefined : String(opts.clickId).toLowerCase();
      if (clickId !== undefined && !(clickIdTypes as readonly string[]).includes(clickId)) throw new Error(`--click-id: one of ${clickIdTypes.join(', ')}`);
      const key: TouchKey = {
        ...(opts.source ? { source: String(opts.source) } : {}),
        ...(opts.medium ? { medium: String(opts.medium) } : {}),
        ...(opts.campaign ? { campaign: String(opts.campaign) } : {}),
        ...(opts.referrer ? { referrerDomain: referrerDomainOf(String(opts.referrer)) } : {}),
        ...(clickId ? { clickIdType: clickId } : {}),
      };
      const c = await using(opts, async (store) => classify(key, effectiveMedia(await store.registry())));
      console.log(`${c.medium}  ${c.mediumName}  ${c.group}${c.registered ? '' : '  (no registered medium matched)'}`);
    });
}
