/**
 * A large synthetic lake for timing the reports (not a test): `npx tsx test/unit/analytics/large-lake.ts
 * <folder> [rows]` writes about `rows` events (default 1,000,000) over 30 days of March 2024 for 50,000
 * people, in the lake layout, with 1% of rows repeated and 5% of people merged from an anonymous id.
 * Then time a report: `npm run nurture -- analytics traffic --lake <folder> --from 2024-03-01 --to 2024-03-30`.
 */
import { mkdirSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { eventColumns, identityColumns } from '../../../functions/analytics/domain/lake.js';

const [dir = '/tmp/nurture-large-lake', rowsArg = '1000000'] = process.argv.slice(2);
const rows = Number(rowsArg);
mkdirSync(dir, { recursive: true });
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const start = Date.parse('2024-03-01T00:00:00Z');
const people = 50_000;
const names = eventColumns.map((c) => c.name).join(', ');

// Each person gets runs of events ("visits") of up to 12 events a minute apart; visits hours apart.
await conn.run(`
CREATE TABLE ev AS
WITH base AS (
  SELECT i, ((i // 12) * 7919) % ${people} AS p, i // 12 AS visit, i % 12 AS k FROM range(${rows}) t(i)
)
SELECT
  'm' || i AS message_id,
  CASE WHEN p % 20 = 0 AND visit % 3 = 0 THEN 'anon-' || p ELSE 'p' || p END AS profile_id,
  'a' || p AS anonymous_id,
  CASE WHEN p % 4 = 0 AND visit % 5 = 0 THEN 'u' || p END AS user_id,
  CASE WHEN k % 3 = 2 THEN 'track' ELSE 'page' END AS type,
  CASE WHEN k % 3 = 2 THEN (CASE WHEN k = 11 AND p % 7 = 0 THEN 'Order Completed' WHEN k = 8 AND p % 5 = 0 THEN 'Form Submitted' ELSE 'Page Ping' END) END AS event,
  NULL AS name,
  ['/', '/pricing', '/products/a', '/products/b', '/blog/x', '/contact', '/thanks'][1 + (visit + k) % 7] AS path,
  CASE WHEN k = 0 THEN ['google.com', 'facebook.com', 'news.example.org', NULL][1 + visit % 4] END AS referrer_domain,
  CASE WHEN k = 0 AND visit % 5 = 0 THEN 'newsletter' END AS utm_source,
  CASE WHEN k = 0 AND visit % 5 = 0 THEN 'email' END AS utm_medium,
  CASE WHEN k = 0 AND visit % 5 = 0 THEN 'march' END AS utm_campaign,
  NULL AS utm_term, NULL AS utm_content,
  CASE WHEN k % 3 = 2 THEN 15.0 END AS seconds,
  CASE WHEN k = 11 AND p % 7 = 0 THEN 49.0 END AS revenue,
  NULL AS properties, 'desktop' AS device,
  (${start} + ((visit * 104729) % (30 * 24 * 60 - 12)) * 60000 + k * 60000)::BIGINT AS ts
FROM base`);
await conn.run(`ALTER TABLE ev ADD COLUMN received BIGINT; UPDATE ev SET received = ts + 100`);
await conn.run(`ALTER TABLE ev ADD COLUMN dt VARCHAR; UPDATE ev SET dt = strftime(to_timestamp(ts / 1000), '%Y-%m-%d')`);
await conn.run(`INSERT INTO ev SELECT * FROM ev USING SAMPLE 1 PERCENT (bernoulli, 42)`);
await conn.run(`COPY (SELECT ${names}, dt FROM ev) TO '${dir}/events' (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE)`);
await conn.run(`
COPY (SELECT 'merge' AS kind, 'anon-' || p AS from_id, 'p' || p AS to_id, 'merge-' || p AS message_id, ${start}::BIGINT AS ts, '2024-03-01' AS dt
      FROM range(0, ${people}, 20) t(p)) TO '${dir}/identity' (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE)`);
const count = (await conn.runAndReadAll('SELECT count(*) FROM ev')).getRows()[0]?.[0];
console.log(`${count} event rows in ${dir} (${identityColumns.length} identity columns)`);
conn.closeSync();
db.closeSync();
