/**
 * Running a report: parameters validated and inlined into the report's SQL text, the text run on the lake
 * engine, the answer shaped. Pure: the engine and the templates are ports.
 */
import { defaultMedia, effectiveMedia } from '../../channels/domain/registry.js';
import type { RegistryReader } from '../../channels/domain/ports.js';
import { NotFoundError } from '../../shared/errors.js';
import { parseWith } from '../../shared/http.js';
import type { LakeEngine } from './engine.js';
import type { AnyReport, ReportContext } from './report.js';
import { renderSql } from './sql.js';

export interface ReportPorts {
  engine: LakeEngine;
  reports: Readonly<Record<string, AnyReport>>;
  /** The SQL template of a report by name. */
  template(name: string): string | undefined;
  fragments: Readonly<Record<string, string>>;
  now(): Date;
  /** The operator's media registry (absent: the default media). */
  registry?: RegistryReader;
}

/** The context reports render with: the registry in force. */
export async function reportContext(ports: Pick<ReportPorts, 'registry'>): Promise<ReportContext> {
  return { media: ports.registry ? effectiveMedia(await ports.registry.registry()) : defaultMedia };
}

/** The rendered SQL of `name` with `query` (strings, as in a query string); 404 for an unknown report, 400 naming a bad parameter. */
export function renderReport(
  name: string,
  query: Record<string, string>,
  ports: Omit<ReportPorts, 'engine' | 'registry'>,
  ctx: ReportContext = { media: defaultMedia },
) {
  const def = ports.reports[name];
  const template = def && ports.template(name);
  if (!def || !template) throw new NotFoundError(`no report "${name}" (reports: ${Object.keys(ports.reports).join(', ')})`, 'report');
  const params = parseWith(def.query, query, 'query');
  const { literals, used } = def.render(params, ports.now().toISOString().slice(0, 10), ctx);
  return { def, params, used, sql: renderSql(template, ports.fragments, literals) };
}

/** Runs report `name`: the answer the admin API returns. */
export async function runReport(name: string, query: Record<string, string>, ports: ReportPorts) {
  const { def, params, used, sql } = renderReport(name, query, ports, await reportContext(ports));
  const result = await ports.engine.query(sql);
  return {
    report: def.name,
    parameters: used,
    ...(def.shape ? def.shape(result.rows, params) : { rows: result.rows }),
    bytesScanned: result.bytesScanned,
    elapsedMs: result.elapsedMs,
    engine: ports.engine.name,
  };
}
