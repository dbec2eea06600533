/**
 * A lake in a temporary folder, written the way the lake writer does: Parquet files through DuckDB in
 * `<table>/dt=YYYY-MM-DD/<file>.parquet`, with the column types of functions/analytics/domain/lake.ts.
 * Events are built with small factories whose times read as UTC ("2024-03-01 10:00").
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { dtOf, type EventRow, type IdentityRow, type LakeColumn, lakeTables, type LakeTable } from '../../../functions/analytics/domain/lake.js';

const duckType = { string: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE' } as const;

/** Epoch ms of a UTC time written `YYYY-MM-DD HH:MM[:SS[.mmm]]`. */
export const at = (time: string): number => Date.parse(`${time.replace(' ', 'T')}Z`);

let seq = 0;
const nextId = () => `m${String(++seq).padStart(6, '0')}`;

type EventInput = Partial<EventRow> & Pick<EventRow, 'profile_id' | 'type'> & { time: string };

/** An event row with every column of the contract (null where not given). */
export function event(e: EventInput): EventRow {
  const { time, ...rest } = e;
  const ts = at(time);
  return {
    message_id: nextId(),
    anonymous_id: null,
    user_id: null,
    event: null,
    name: null,
    path: null,
    referrer_domain: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
    click_id_type: null,
    click_id: null,
    seconds: null,
    revenue: null,
    properties: null,
    device: 'desktop',
    received: ts + 50,
    ...rest,
    ts,
    dt: dtOf(ts),
  };
}

export const page = (profile_id: string, time: string, path: string, extra: Partial<EventRow> = {}) =>
  event({ profile_id, time, type: 'page', path, ...extra });
export const track = (profile_id: string, time: string, name: string, extra: Partial<EventRow> = {}) =>
  event({ profile_id, time, type: 'track', event: name, ...extra });
export const ping = (profile_id: string, time: string, path: string, seconds: number) => track(profile_id, time, 'Page Ping', { path, seconds });
export const identify = (profile_id: string, time: string, user_id: string) => event({ profile_id, time, type: 'identify', user_id });

/** A merge row: `from`'s history is `to`'s from `time` on. */
export function merge(from_id: string, to_id: string, time: string): IdentityRow {
  const ts = at(time);
  return { kind: 'merge', from_id, to_id, message_id: nextId(), ts, dt: dtOf(ts) };
}

/** A fresh lake folder; `remove()` deletes it. */
export function tempLake(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nurture-lake-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Appends rows to a table of the lake at `dir` as new Parquet files (one per partition), as a Firehose
 * delivery would: rows already there stay, so writing a row twice leaves it twice.
 */
export async function writeRows(conn: DuckDBConnection, dir: string, table: LakeTable, rows: readonly (EventRow | IdentityRow)[]): Promise<void> {
  if (rows.length === 0) return;
  const columns: LakeColumn[] = [...lakeTables[table].columns, { name: 'dt', type: 'string', comment: '' }];
  const file = join(dir, `.rows-${randomUUID()}.ndjson`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
  const spec = columns.map((c) => `${c.name}: '${duckType[c.type]}'`).join(', ');
  try {
    await conn.run(
      `COPY (SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${spec}})) ` +
        `TO '${join(dir, table)}' (FORMAT parquet, PARTITION_BY (dt), APPEND, FILENAME_PATTERN 'part-{uuid}')`,
    );
  } finally {
    rmSync(file, { force: true });
  }
}

/** Writes events and identity rows to the lake at `dir`. */
export async function writeLake(conn: DuckDBConnection, dir: string, lake: { events?: EventRow[]; identity?: IdentityRow[] }): Promise<void> {
  await writeRows(conn, dir, 'events', lake.events ?? []);
  await writeRows(conn, dir, 'identity', lake.identity ?? []);
}
