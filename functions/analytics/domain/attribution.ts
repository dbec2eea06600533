/**
 * The attribution report's answer: the SQL's credited rows (reports/attribution.sql) joined with ad costs,
 * with CPA, ROAS and the change against the previous period. Costs are no lake data: they come from the
 * channels' CostReader after the query, matched by medium id and campaign (case-insensitive). Pure but for
 * runAttribution, which goes through ports only.
 */
import type { CostReader, CostRow } from '../../channels/domain/ports.js';
import type { LakeRecord } from './engine.js';
import { type ReportPorts, renderReport, reportContext } from './run-report.js';

/** The models, in the order their rows come. */
export const attributionModels = ['first', 'last', 'linear', 'position', 'time_decay'] as const;
export type AttributionModel = (typeof attributionModels)[number];

/** Figures of one period. */
interface PeriodFigures {
  touches: number;
  conversions: number;
  revenue: number;
  /** Ad spend on the row's medium and campaign in the period; null when no cost source is wired. */
  cost: number | null;
  /** cost / conversions (null without cost or conversions). */
  cpa: number | null;
  /** revenue / cost (null without cost). */
  roas: number | null;
}

export type AttributionFigures = PeriodFigures & {
  [K in keyof PeriodFigures as `prev_${K}`]: PeriodFigures[K];
} & {
  [K in keyof PeriodFigures as `${K}_change`]: number | null;
};

export interface AttributionRow extends AttributionFigures {
  model: AttributionModel;
  channel: string;
  medium: string;
  campaign: string | null;
}

export interface AttributionAnswer {
  rows: AttributionRow[];
  /** Per model: every conversion, touch, revenue and (all) cost of each period. */
  totals: Partial<Record<AttributionModel, AttributionFigures>>;
}

export interface Period {
  from: string;
  to: string;
}

/** What the cost join needs: the cost rows of both periods and where each period lies. */
export interface CostJoin {
  costs: readonly CostRow[];
  current: Period;
  previous: Period;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
const round = (n: number | null, places: number) => (n === null || !Number.isFinite(n) ? null : Math.round(n * 10 ** places) / 10 ** places);
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
/** (now - before) / before: null when there was nothing before to compare with. */
const change = (now: number | null, before: number | null) => (now === null || before === null || before === 0 ? null : round((now - before) / before, 4));
const costKey = (medium: string, campaign: string | null) => `${medium}\u0000${(campaign ?? '').toLowerCase()}`;

function figures(cur: { touches: number; conversions: number; revenue: number; cost: number | null }, prev: typeof cur): AttributionFigures {
  const period = (p: typeof cur): PeriodFigures => ({
    touches: p.touches,
    conversions: round(p.conversions, 4)!,
    revenue: round(p.revenue, 2)!,
    cost: round(p.cost, 2),
    cpa: round(ratio(p.cost, p.conversions), 2),
    roas: round(ratio(p.revenue, p.cost), 4),
  });
  const c = period(cur);
  const p = period(prev);
  return {
    ...c,
    prev_touches: p.touches,
    prev_conversions: p.conversions,
    prev_revenue: p.revenue,
    prev_cost: p.cost,
    prev_cpa: p.cpa,
    prev_roas: p.roas,
    touches_change: change(c.touches, p.touches),
    conversions_change: change(c.conversions, p.conversions),
    revenue_change: change(c.revenue, p.revenue),
    cost_change: change(c.cost, p.cost),
    cpa_change: change(c.cpa, p.cpa),
    roas_change: change(c.roas, p.roas),
  };
}

/**
 * The answer from the SQL's rows (`total` = 1 marks a model's totals). With `join`, each row's cost is the
 * spend of the cost rows of its medium and campaign in each period (0 when none: an unpaid medium), the
 * `(unattributed)` row's cost stays null, and a model's total cost is every cost row of the period, so
 * spend on a medium or campaign nobody came from still counts there. Without `join`, costs are null.
 */
export function attributionAnswer(rows: readonly LakeRecord[], join?: CostJoin): AttributionAnswer {
  const spend = { current: new Map<string, number>(), previous: new Map<string, number>() };
  const all = { current: 0, previous: 0 };
  for (const c of join?.costs ?? []) {
    const period = c.day >= join!.current.from && c.day <= join!.current.to ? 'current' : c.day >= join!.previous.from && c.day <= join!.previous.to ? 'previous' : undefined;
    if (!period) continue;
    const key = costKey(c.medium, c.campaign);
    spend[period].set(key, (spend[period].get(key) ?? 0) + c.cost);
    all[period] += c.cost;
  }
  const costOf = (period: 'current' | 'previous', r: LakeRecord) => {
    if (!join) return null;
    if (num(r.total) === 1) return all[period];
    if (r.channel === '(unattributed)') return null;
    return spend[period].get(costKey(String(r.medium), r.campaign === null ? null : String(r.campaign))) ?? 0;
  };
  const answer: AttributionAnswer = { rows: [], totals: {} };
  const order = (m: unknown) => attributionModels.indexOf(m as AttributionModel);
  const sorted = [...rows].sort((a, b) => order(a.model) - order(b.model) || num(a.total) - num(b.total) || num(a.rn) - num(b.rn));
  for (const r of sorted) {
    const f = figures(
      { touches: num(r.touches), conversions: num(r.conversions), revenue: num(r.revenue), cost: costOf('current', r) },
      { touches: num(r.prev_touches), conversions: num(r.prev_conversions), revenue: num(r.prev_revenue), cost: costOf('previous', r) },
    );
    const model = r.model as AttributionModel;
    if (num(r.total) === 1) answer.totals[model] = f;
    else answer.rows.push({ model, channel: String(r.channel), medium: String(r.medium), campaign: r.campaign === null ? null : String(r.campaign), ...f });
  }
  return answer;
}

/** The periods a rendered attribution report covers (its `parameters`). */
export function periodsOf(used: Record<string, unknown>): { current: Period; previous: Period } {
  return { current: { from: String(used.from), to: String(used.to) }, previous: { from: String(used.previousFrom), to: String(used.previousTo) } };
}

/** Ports of the attribution route: the report ports and, when wired, the ad costs. */
export interface AttributionPorts extends ReportPorts {
  /** Ad spend by day, medium and campaign (channels' cost store); absent: costs, CPA and ROAS are null. */
  costs?: CostReader;
}

/** Runs the attribution report and joins the costs of both periods: the answer of its admin route. */
export async function runAttribution(query: Record<string, string>, ports: AttributionPorts) {
  const { def, used, sql } = renderReport('attribution', query, ports, await reportContext(ports));
  const periods = periodsOf(used);
  const [result, costs] = await Promise.all([ports.engine.query(sql), ports.costs?.costs(periods.previous.from, periods.current.to)]);
  return {
    report: def.name,
    parameters: used,
    ...attributionAnswer(result.rows, costs ? { costs, ...periods } : undefined),
    bytesScanned: result.bytesScanned,
    elapsedMs: result.elapsedMs,
    engine: ports.engine.name,
  };
}
