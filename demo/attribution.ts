/**
 * What the attribution report says after a demo run and its imports: per medium and campaign, the spend
 * and, under each model, the orders credited, CPA and ROAS — read through the admin API
 * (`GET /v1/admin/analytics/attribution`), as `nurture analytics attribution` prints it.
 */
import type { AttributionAnswer, AttributionModel } from '../functions/analytics/domain/attribution.js';
import { attributionModels } from '../functions/analytics/domain/attribution.js';
import { OutcomeReadError } from './outcome.js';

/** How long the demo waits for the imported offline touches to reach the lake, and how often it looks. */
export const attributionWait = { maxWaitMs: 30_000, pollMs: 1_000 } as const;

export type AttributionReport = AttributionAnswer & { parameters: Record<string, unknown> };

/** The attribution report of orders, every model. */
export async function readAttribution(src: { apiUrl: string; adminToken: string }, query = 'model=all&conversion=order'): Promise<AttributionReport> {
  const res = await fetch(`${src.apiUrl.replace(/\/$/, '')}/v1/admin/analytics/attribution?${query}`, { headers: { authorization: `Bearer ${src.adminToken}` } });
  const body = (await res.json()) as AttributionReport;
  if (!res.ok) throw new OutcomeReadError(`attribution report: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** Offline touches the report counts for a medium (first-touch rows carry every touch count). */
export function touchesOf(report: AttributionReport, medium: string): number {
  return report.rows.filter((r) => r.model === 'first' && r.medium === medium).reduce((n, r) => n + r.touches, 0);
}

/** Reads the report until `ready` holds for it or the wait is over (the lake takes a moment to hold imports). */
export async function settledAttribution(
  src: { apiUrl: string; adminToken: string },
  ready: (r: AttributionReport) => boolean,
  maxWaitMs: number = attributionWait.maxWaitMs,
): Promise<AttributionReport> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const report = await readAttribution(src);
    if (ready(report) || Date.now() >= deadline) return report;
    await new Promise((r) => setTimeout(r, attributionWait.pollMs));
  }
}

const yen = (n: number | null) => (n === null ? '-' : `¥${Math.round(n).toLocaleString('en-US')}`);
const ratio = (n: number | null) => (n === null ? '-' : `${n.toFixed(2)}×`);
const short: Record<AttributionModel, string> = { first: 'first', last: 'last', linear: 'linear', position: 'position', time_decay: 'decay' };

/**
 * One line per medium and campaign with spend or credit: the spend, then per model the orders credited
 * (with CPA and ROAS where there was spend), and a totals line.
 */
export function formatAttribution(report: AttributionReport): string {
  const keys = new Map<string, { medium: string; campaign: string | null; cost: number | null }>();
  for (const r of report.rows) {
    const k = `${r.medium}\u0000${r.campaign ?? ''}`;
    if (!keys.has(k)) keys.set(k, { medium: r.medium, campaign: r.campaign, cost: r.cost });
  }
  const label = (m: string, c: string | null) => (c ? `${m} / ${c}` : m);
  const width = Math.max(16, ...[...keys.values()].map((k) => label(k.medium, k.campaign).length));
  const head = `  ${'medium / campaign'.padEnd(width)}  ${'cost'.padStart(9)}  ${attributionModels.map((m) => `${short[m]}: orders CPA ROAS`.padEnd(30)).join('')}`;
  const lines = [`Attribution of orders, every model (${report.parameters.from} – ${report.parameters.to}; GET /v1/admin/analytics/attribution):`, head.trimEnd()];
  for (const [k, key] of keys) {
    const cells = attributionModels.map((m) => {
      const row = report.rows.find((r) => r.model === m && `${r.medium}\u0000${r.campaign ?? ''}` === k);
      // No spend (organic, direct): no CPA to speak of.
      return row ? `${row.conversions.toFixed(2)} ${row.cost ? yen(row.cpa) : '-'} ${ratio(row.roas)}`.padEnd(30) : '-'.padEnd(30);
    });
    lines.push(`  ${label(key.medium, key.campaign).padEnd(width)}  ${yen(key.cost).padStart(9)}  ${cells.join('')}`.trimEnd());
  }
  const totals = attributionModels.map((m) => {
    const t = report.totals[m];
    return t ? `${t.conversions.toFixed(2)} ${yen(t.cpa)} ${ratio(t.roas)}`.padEnd(30) : '-'.padEnd(30);
  });
  lines.push(`  ${'total'.padEnd(width)}  ${yen(report.totals.first?.cost ?? null).padStart(9)}  ${totals.join('')}`.trimEnd());
  return lines.join('\n');
}
