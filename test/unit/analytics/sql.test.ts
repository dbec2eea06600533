import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodeSqlParser from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { globToRegex, renderSql, sqlString, sqlValues } from '../../../functions/analytics/domain/sql.js';
import { maxMergeHops } from '../../../functions/profiles/domain/merge-chain.js';
import { renderedSql } from './harness.js';

const { Parser } = nodeSqlParser;
const parser = new Parser();

/** Each report with parameters that use every part of its template. */
const examples: [string, Record<string, string>][] = [
  ['traffic', { from: '2024-03-01', to: '2024-03-31', lookback: '30' }],
  ['pages', { from: '2024-03-01', to: '2024-03-31' }],
  ['pages', { from: '2024-03-01', to: '2024-03-31', group: "/products/**,/it's/*" }],
  ['paths', { from: '2024-03-01', to: '2024-03-31', after: '/pricing', goal: 'Demo Booked' }],
  ['funnel', { from: '2024-03-01', to: '2024-03-31', steps: '/pricing,event:Form Submitted,/thanks/**', within: '3d' }],
  ['repeat-visitors', { from: '2024-03-01', to: '2024-03-31', visits: '4', days: '14', path: '/pricing', without: 'Order Completed' }],
  ['channels', { from: '2024-03-01', to: '2024-03-31', model: 'first' }],
];

describe('report SQL', () => {
  it.each(examples)('%s parses as Trino SQL', (name, query) => {
    const sql = renderedSql(name, query);

    expect(() => parser.astify(sql, { database: 'trino' })).not.toThrow();
  });

  it('follows exactly maxMergeHops merges', () => {
    const fragment = readFileSync(join(import.meta.dirname, '../../../functions/analytics/reports/_persons.sql'), 'utf8');

    expect(fragment.match(/LEFT JOIN merges m\d/g)).toHaveLength(maxMergeHops - 1);
    expect(fragment).toContain(`maxMergeHops = ${maxMergeHops}`);
  });

  it('reads only the partitions of the window', () => {
    const sql = renderedSql('pages', { from: '2024-03-01', to: '2024-03-07' });

    expect(sql).toContain("WHERE dt BETWEEN '2024-03-01' AND '2024-03-07'");
  });
});

describe('SQL literals', () => {
  it('doubles quotes and keeps backslashes as text', () => {
    expect(sqlString("it's \\' OR 1=1 --").sql).toBe("'it''s \\'' OR 1=1 --'");
  });

  it('renders a list as an inline table', () => {
    expect(sqlValues(['label', 'n'], [["a'b", 1], [null, 2]]).sql).toBe("(VALUES ('a''b', 1), (CAST(NULL AS varchar), 2)) AS t(label, n)");
  });

  it('does not expand placeholders inside inlined values', () => {
    expect(renderSql('SELECT {{a}}, {{b}}', {}, { a: sqlString('{{b}}'), b: sqlString('x') })).toBe("SELECT '{{b}}', 'x'");
  });

  it('refuses unknown placeholders and unused parameters', () => {
    expect(() => renderSql('SELECT {{a}}', {}, {})).toThrow(/no value for \{\{a\}\}/);
    expect(() => renderSql('SELECT 1', {}, { a: sqlString('x') })).toThrow(/not in the template: a/);
  });
});

describe('path globs', () => {
  it.each([
    ['/products/**', '/products/a/b', true],
    ['/products/**', '/products', false],
    ['/blog/*', '/blog/post', true],
    ['/blog/*', '/blog/post/2', false],
    ['/a.html', '/aXhtml', false],
    ['/p?', '/p1', true],
    ['/(x)+[y]', '/(x)+[y]', true],
  ])('%s matching %s is %s', (glob, path, expected) => {
    expect(new RegExp(globToRegex(glob)).test(path)).toBe(expected);
  });
});
