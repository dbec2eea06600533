/**
 * What a report is: a name, the zod schema of its query parameters, and how validated parameters become
 * the literals of its one SQL text (functions/analytics/reports/<name>.sql). Pure: the SQL texts are read
 * by adapters/report-sql.ts and handed in.
 */
import type * as core from 'zod/v4/core';
import type { Medium } from '../../channels/domain/registry.js';
import type { LakeRecord } from './engine.js';
import type { SqlLiteral } from './sql.js';

export interface RenderedParams {
  /** Template literals, `{{name}}` → literal. */
  literals: Record<string, SqlLiteral>;
  /** The parameters in force (defaults filled in), echoed to the caller. */
  used: Record<string, unknown>;
}

/** What a report may need beyond its parameters, read by runReport before rendering. */
export interface ReportContext {
  /** The media registry in force (the operator's media, then the defaults): channels/domain/registry.ts. */
  media: readonly Medium[];
}

export interface ReportDef<S extends core.$ZodType = core.$ZodType> {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  readonly query: S;
  /** Literals of the template; throws BadRequestError for checks across parameters. `today` is a UTC day. */
  render(params: core.output<S>, today: string, ctx: ReportContext): RenderedParams;
  /** The answer's data part from the rows (default `{ rows }`). */
  shape?(rows: LakeRecord[], params: core.output<S>): Record<string, unknown>;
}

/** A ReportDef with its parameter type erased, for the registry. */
export type AnyReport = ReportDef<core.$ZodType>;

/** Declares a report, keeping its parameter type for `render` and `shape`. */
export const defineReport = <S extends core.$ZodType>(def: ReportDef<S>): AnyReport => def as unknown as AnyReport;
