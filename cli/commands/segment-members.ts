/**
 * `nurture segments members <id>` (a page of members, as GET /v1/admin/segments/{id}/members answers it)
 * and `nurture segments export <id> --format csv|meta|google|hashed-csv`. Like `segments list | put`, they
 * read the table directly (a running `npm start`'s DynamoDB, or with --aws the deployed table with your
 * AWS credentials) through the same adapters the segmentsAdmin function uses: an export of a million
 * members would outlast an API request.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { DynamoSegmentStore } from '../../functions/segments/adapters/definition-store.js';
import { DynamoMemberShards } from '../../functions/segments/adapters/member-shards.js';
import { DynamoMembershipStore } from '../../functions/segments/adapters/membership-store.js';
import { DynamoProfileBatch } from '../../functions/segments/adapters/profile-batch.js';
import { memberListLimits, memberSorts } from '../../functions/segments/domain/member-list.js';
import { exportSegment, type SegmentExportFormat, segmentExportFormats } from '../../functions/segments/domain/segment-export.js';
import { listMembers } from '../../functions/segments/member-routes.js';
import { ClientError } from '../../functions/shared/errors.js';
import { table } from './channel-registry.js';
import { tableClient, tableOptions } from './table-client.js';

type Options = Record<string, string | boolean | undefined>;

function connect(opts: Options) {
  const { doc, table: name } = tableClient(opts);
  return {
    doc,
    ports: {
      segments: new DynamoSegmentStore(doc, name),
      membership: new DynamoMembershipStore(doc, name),
      shards: new DynamoMemberShards(doc, name),
      profiles: new DynamoProfileBatch(doc, name),
    },
  };
}

/** The country whose national phone numbers profiles hold: --country, else NURTURE_DEFAULT_COUNTRY (none: such numbers are left out). */
function countryOf(opts: Options): string {
  const c = String(opts.country ?? process.env.NURTURE_DEFAULT_COUNTRY ?? '').toUpperCase();
  if (c && !/^[A-Z]{2}$/.test(c)) throw new Error(`--country: ${c} is not an ISO 3166 alpha-2 code such as JP`);
  return c;
}

export function registerSegmentMembers(segments: Command): void {
  tableOptions(
    segments
      .command('members')
      .description("A page of a segment's members with their profile summaries")
      .argument('<id>', 'segment id')
      .option('--sort <sort>', `${memberSorts.join(' or ')} (entered: segments of at most ${memberListLimits.maxSortedByEntry} members)`, 'score')
      .option('--limit <n>', `members a page, 1 to ${memberListLimits.maxLimit}`, String(memberListLimits.defaultLimit))
      .option('--cursor <cursor>', 'the next page (printed under the previous one)')
      .option('--json', 'print the page as the API answers it'),
  ).action(async (id: string, opts: Options) => {
    const { doc, ports } = connect(opts);
    try {
      const page = await listMembers(id, { sort: String(opts.sort), limit: String(opts.limit), ...(opts.cursor ? { cursor: String(opts.cursor) } : {}) }, ports);
      if (opts.json) {
        console.log(JSON.stringify(page, null, 2));
        return;
      }
      const rows = page.members.map((m) => ({ profileId: m.profileId, email: m.email ?? '', name: m.name ?? '', company: m.company ?? '', score: String(m.score ?? ''), stage: m.stage ?? '', lifecycle: m.lifecycle ?? '', entered: m.enteredAt ?? '' }));
      console.log(rows.length > 0 ? table(rows, ['profileId', 'email', 'name', 'company', 'score', 'stage', 'lifecycle', 'entered']) : 'no members on this page');
      console.log(`${page.count} members in ${id}, by ${page.sort}${page.cursor ? `; next page: --cursor ${page.cursor}` : ''}`);
    } catch (err) {
      if (!(err instanceof ClientError)) throw err;
      console.error(err.message);
      process.exitCode = 1;
    } finally {
      doc.destroy();
    }
  });

  tableOptions(
    segments
      .command('export')
      .description('Write every member of a segment to a file: csv (with profile summaries), or the hashed customer-list formats of ad platforms (consenting members only)')
      .argument('<id>', 'segment id')
      .requiredOption('--format <format>', segmentExportFormats.join(', '))
      .option('--out <file>', 'the file to write (default: standard output)')
      .option('--country <code>', "country of national phone numbers (default: env NURTURE_DEFAULT_COUNTRY; without one they are left out)"),
  ).action(async (id: string, opts: Options) => {
    const format = String(opts.format);
    if (!(segmentExportFormats as readonly string[]).includes(format)) throw new Error(`--format: one of ${segmentExportFormats.join(', ')}`);
    const defaultCountry = countryOf(opts);
    const { doc, ports } = connect(opts);
    const out = opts.out ? createWriteStream(String(opts.out)) : process.stdout;
    const bar = new SingleBar({ format: 'exporting |{bar}| {value}/{total} members', hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
    try {
      if (!(await ports.segments.get(id))) throw new Error(`segment ${id} not found`);
      bar.start(Math.max(1, await ports.membership.count(id)), 0);
      const result = await exportSegment(id, format as SegmentExportFormat, { defaultCountry }, {
        membership: ports.membership,
        profiles: ports.profiles,
        write: async (text) => {
          if (!out.write(text)) await once(out, 'drain');
        },
        progress: (n) => bar.update(n),
      });
      bar.stop();
      const t = result.tally;
      const left = format === 'csv' ? '' : `; left out: ${t.noConsent} without advertising consent, ${t.noIdentifier} without a usable email or phone, ${t.duplicate} duplicate rows`;
      console.error(`${result.members} members read, ${t.written} written${opts.out ? ` to ${String(opts.out)}` : ''} (${format})${left}`);
    } finally {
      bar.stop();
      if (out !== process.stdout) await new Promise<void>((done) => (out as ReturnType<typeof createWriteStream>).end(done));
      doc.destroy();
    }
  });
}
