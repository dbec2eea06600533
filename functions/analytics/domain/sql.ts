/**
 * Rendering a report's SQL text: validated parameters become SQL literals inlined into the template, so
 * the one text that results goes to Athena and DuckDB alike (Athena takes no bind parameters in reports
 * that reuse a value many times, and inlining keeps the text the engines see the text the tests parse).
 * Pure.
 *
 * Every literal goes through one of the functions here; none of them passes text through unquoted:
 * strings are quoted with their quotes doubled (both engines read `''` as one quote and treat backslashes
 * as plain characters), integers are checked to be safe integers, lists become `(VALUES …) AS t(cols)`.
 */
import { globPattern } from '../../shared/glob.js';
import { TemplateError } from '../errors.js';

/** A piece of SQL produced by this module (a literal or a VALUES list); templates accept nothing else. */
export interface SqlLiteral {
  readonly sql: string;
}

const lit = (sql: string): SqlLiteral => ({ sql });

/** A string literal; null becomes a typed NULL (both engines need the type of a bare NULL in comparisons). */
export function sqlString(value: string | null): SqlLiteral {
  if (value === null) return lit('CAST(NULL AS varchar)');
  // Parameters are validated to hold no control characters; NUL would end the text in some drivers.
  if (/\0/.test(value)) throw new TemplateError('a SQL string may not hold NUL');
  return lit(`'${value.replaceAll("'", "''")}'`);
}

/** An integer literal (bigint arithmetic in both engines). */
export function sqlInt(value: number): SqlLiteral {
  if (!Number.isSafeInteger(value)) throw new TemplateError(`not a safe integer: ${value}`);
  return lit(String(value));
}

export type SqlCell = string | number | null;

/**
 * A list as an inline table: `(VALUES ('a', 1), ('b', 2)) AS t(label, n)`. Rows must be non-empty (an
 * empty VALUES is not SQL): callers render a single row of NULLs for "no list" and test for it.
 */
export function sqlValues(columns: readonly string[], rows: readonly (readonly SqlCell[])[], alias = 't'): SqlLiteral {
  if (rows.length === 0) throw new TemplateError('a VALUES list needs at least one row');
  for (const c of [alias, ...columns]) if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new TemplateError(`bad identifier ${c}`);
  const cell = (v: SqlCell) => (typeof v === 'number' ? sqlInt(v).sql : sqlString(v).sql);
  const body = rows
    .map((r) => {
      if (r.length !== columns.length) throw new TemplateError(`a VALUES row has ${r.length} cells for ${columns.length} columns`);
      return `(${r.map(cell).join(', ')})`;
    })
    .join(', ');
  return lit(`(VALUES ${body}) AS ${alias}(${columns.join(', ')})`);
}

/**
 * The template with `{{> fragment}}` replaced by the fragment's text (fragments may not include others)
 * and `{{name}}` by its literal. Unknown placeholders and unused parameters both throw: a template and its
 * parameters that drift apart fail in the tests, not in a query.
 */
export function renderSql(template: string, fragments: Readonly<Record<string, string>>, params: Readonly<Record<string, SqlLiteral>>): string {
  const withFragments = template.replace(/\{\{>\s*([a-z_]+)\s*\}\}/g, (_, name: string) => {
    const text = fragments[name];
    if (text === undefined) throw new TemplateError(`no SQL fragment "${name}"`);
    return text.trim();
  });
  const used = new Set<string>();
  // One pass over the template: inlined values are never scanned again, so a value holding `{{x}}` stays text.
  const sql = withFragments.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TemplateError(`no value for {{${name}}}`);
    used.add(name);
    return value.sql;
  });
  const unused = Object.keys(params).filter((k) => !used.has(k));
  if (unused.length > 0) throw new TemplateError(`parameters not in the template: ${unused.join(', ')}`);
  return sql;
}

/**
 * A path glob as an anchored regular expression both engines read alike (Trino's and DuckDB's RE2 agree on
 * these few constructs): `**` any characters, `*` any characters but `/`, `?` one character but `/`;
 * everything else literal. `/products/**` matches `/products/a/b`; `/blog/*` matches `/blog/x` only.
 */
export function globToRegex(glob: string): string {
  return globPattern(glob);
}
