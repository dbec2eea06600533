import nodeSqlParser from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { countsSql } from '../../../functions/recommendations/adapters/lake-counts.js';

const parser = new nodeSqlParser.Parser();
const window = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-05-30T00:00:00Z') };

describe('recommendation counts SQL', () => {
  it('parses as Trino SQL in its Athena form', () => {
    const sql = countsSql('athena', window);
    // node-sql-parser's Trino grammar lacks two constructs Trino has (CAST to ARRAY(JSON), UNNEST ... WITH
    // ORDINALITY): they are checked as text, and the rest parsed without them.
    const unnest = "CROSS JOIN UNNEST(TRY_CAST(json_extract(properties, '$.products') AS ARRAY(JSON))) WITH ORDINALITY AS u(p, pos)";
    expect(sql).toContain(unnest);
    expect(sql).not.toContain('JSON[]');
    const rest = sql.replace(unnest, "CROSS JOIN UNNEST(CAST(json_extract(properties, '$.products') AS JSON)) AS u(p)");

    expect(() => parser.astify(rest, { database: 'trino' })).not.toThrow();
  });

  it('reads only the partitions and times of the window, with the named limits', () => {
    const sql = countsSql('duckdb', window, { minSupport: 3, maxBasket: 40 });

    expect(sql).toContain("WHERE dt BETWEEN '2026-03-01' AND '2026-05-30' AND ts >= 1772323200000 AND ts < 1780099200000");
    expect(sql).toContain('HAVING count(*) >= 3');
    expect(sql).toContain('WHERE z.size <= 40');
  });
});
