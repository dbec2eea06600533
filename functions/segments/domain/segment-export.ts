/**
 * `nurture segments export <id> --format csv|meta|google|hashed-csv`: every member of a segment, shard
 * after shard (each paged by id), their profiles read in batches, written as lines. Pure (reads and the
 * output are ports). Members' order in the file is the shards' order, not a ranking.
 */
import { AudienceExport, type AudienceOptions, csvLine, type ExportFormat, exportFormats, type ExportTally } from './audience.js';
import { audienceAttributes, audienceProfileOf, summaryAttributes, summaryHeader, summaryLine, summaryOf } from './member-summary.js';
import { memberShards, type MembershipReader } from './membership.js';
import type { ProfileBatchReader } from './preview.js';

export const segmentExportFormats = ['csv', ...exportFormats] as const;
export type SegmentExportFormat = 'csv' | ExportFormat;

/** Members read per page (and profiles per round of batch reads). */
export const exportPageSize = 500;

export interface ExportPorts {
  membership: Pick<MembershipReader, 'page'>;
  profiles: ProfileBatchReader;
  /** Writes one chunk of the file (lines end with CRLF). */
  write(text: string): Promise<void> | void;
  /** Members handled so far (for a progress bar over the segment's count). */
  progress?(done: number): void;
}

export interface ExportResult {
  /** Members read from the segment. */
  members: number;
  /** csv: every member is written; ad formats: who was written and who was left out, and why. */
  tally: ExportTally;
}

/** Writes the file of `format` for every member of `segmentId`. */
export async function exportSegment(segmentId: string, format: SegmentExportFormat, opts: AudienceOptions, ports: ExportPorts): Promise<ExportResult> {
  const audience = format === 'csv' ? undefined : new AudienceExport(format, opts);
  const tally: ExportTally = audience?.tally ?? { written: 0, noConsent: 0, noIdentifier: 0, duplicate: 0 };
  await ports.write(audience ? csvLine([...audience.header]) : summaryHeader());
  const attrs = [...summaryAttributes, ...(audience ? audienceAttributes : [])];
  let members = 0;
  for (let shard = 0; shard < memberShards; shard++) {
    let cursor: string | undefined;
    do {
      const page = await ports.membership.page(segmentId, shard, { order: 'id', limit: exportPageSize, ...(cursor ? { cursor } : {}) });
      cursor = page.cursor;
      const items = await ports.profiles.read(page.members.map((m) => m.profileId), attrs);
      let text = '';
      for (const m of page.members) {
        const item = items.get(m.profileId);
        if (audience) {
          const row = audience.row(audienceProfileOf(m.profileId, item));
          if (row) text += csvLine(row);
        } else {
          text += summaryLine(summaryOf(m.profileId, item, m.enteredAt));
          tally.written++;
        }
      }
      if (text) await ports.write(text);
      members += page.members.length;
      ports.progress?.(members);
    } while (cursor);
  }
  return { members, tally };
}
