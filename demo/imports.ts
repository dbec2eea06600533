/**
 * The demo's ad costs and offline touches: what the marketer of the demo site spent on each campaign the
 * visitors came from, and the people they met at a seminar. Written as the CSV files a marketer imports
 * (Nurture's own cost layout and the offline layout, README "Ad costs" / "Offline touches"), dated to the
 * days of the run, and imported through the admin API as `nurture channels import-costs` / `import-offline`
 * would. Some of the run's buyers were at the seminar a week before they bought, so the seminar earns a
 * share of their orders under every model but last touch.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dtOf } from '../functions/analytics/domain/lake.js';
import { OutcomeReadError } from './outcome.js';
import type { TrafficResult } from './run-traffic.js';

/** Daily spend per paid campaign (JPY), over the demo's days, and one-off costs. */
export const demoSpend = [
  { medium: 'google-ads', campaign: 'brand', perDay: 3_000 },
  { medium: 'linkedin-ads', campaign: 'forecast-launch', perDay: 4_000 },
] as const;
export const demoOneOffs = [
  { medium: 'newsletter', campaign: 'june-digest', daysAgo: 7, cost: 5_000 },
  { medium: 'seminar', campaign: 'tokyo-forecast-seminar', daysAgo: 8, cost: 80_000 },
] as const;
/** Days of paid spend: the run's visits fall in the last 9 days (demo/personas.ts), the lapsed leads' earlier. */
export const spendDays = 10;
/** The seminar: how many days ago, and how many of the run's buyers were there. */
export const seminar = { campaign: 'tokyo-forecast-seminar', daysAgo: 8, buyers: 2, others: 4 } as const;

const day = (now: Date, daysAgo: number) => dtOf(now.getTime() - daysAgo * 86_400_000);

/** The cost file: Nurture's layout (date, medium, campaign, cost, currency). */
export function demoCostCsv(now: Date): string {
  const lines = ['date,medium,campaign,cost,currency'];
  for (let d = spendDays - 1; d >= 0; d--) for (const s of demoSpend) lines.push(`${day(now, d)},${s.medium},${s.campaign},${s.perDay},JPY`);
  for (const o of demoOneOffs) lines.push(`${day(now, o.daysAgo)},${o.medium},${o.campaign},${o.cost},JPY`);
  return `${lines.join('\n')}\n`;
}

/** The seminar's attendee list: some of the run's buyers, and people the site never saw. */
export function demoOfflineCsv(traffic: Pick<TrafficResult, 'people'>, now: Date): string {
  const buyers = traffic.people.filter((p) => p.persona === 'buyer').slice(0, seminar.buyers);
  const rows = [
    ...buyers.map((b, i) => ({ email: b.email, name: `Seminar guest ${i + 1}`, company: 'Attendee Co.' })),
    ...Array.from({ length: seminar.others }, (_, i) => ({ email: `seminar.guest.${i + 1}@attendees.example`, name: `Walk-in ${i + 1}`, company: 'Walk-in Ltd.' })),
  ];
  const lines = ['email,name,company,channel,campaign,date,consent'];
  for (const r of rows) lines.push(`${r.email},${r.name},${r.company},seminar,${seminar.campaign},${day(now, seminar.daysAgo)},yes`);
  return `${lines.join('\n')}\n`;
}

/** Offline touches the seminar file brings: the buyers of the run who were there and the walk-ins. */
export function seminarTouches(traffic: Pick<TrafficResult, 'people'>): number {
  return Math.min(seminar.buyers, traffic.people.filter((p) => p.persona === 'buyer').length) + seminar.others;
}

/** What the imports did, and the commands that do the same by hand. */
export function formatImports(i: DemoImports): string {
  return [
    `Ad costs and a seminar's attendees imported (as a marketer would, from files):`,
    `  npm run nurture -- channels import-costs ${i.costFile}     → ${JSON.stringify(i.costs)}`,
    `  npm run nurture -- channels import-offline ${i.offlineFile} → ${JSON.stringify(i.offline)}`,
  ].join('\n');
}

export interface DemoImports {
  costFile: string;
  offlineFile: string;
  costs: Record<string, unknown>;
  offline: Record<string, unknown>;
}

async function post(url: string, method: 'PUT' | 'POST', adminToken: string, csv: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'text/csv' }, body: csv });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new OutcomeReadError(`${method} ${url}: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
  return body;
}

/** Writes the two files under `dir` and imports them through the admin API. */
export async function importDemoFiles(
  source: { apiUrl: string; adminToken: string },
  traffic: Pick<TrafficResult, 'people'>,
  dir: string,
  now = new Date(),
): Promise<DemoImports> {
  mkdirSync(dir, { recursive: true });
  const costFile = join(dir, 'demo-costs.csv');
  const offlineFile = join(dir, 'demo-offline.csv');
  const costCsv = demoCostCsv(now);
  const offlineCsv = demoOfflineCsv(traffic, now);
  writeFileSync(costFile, costCsv);
  writeFileSync(offlineFile, offlineCsv);
  const costs = await post(`${source.apiUrl}/v1/admin/channels/costs`, 'PUT', source.adminToken, costCsv);
  const offline = await post(`${source.apiUrl}/v1/admin/channels/offline`, 'POST', source.adminToken, offlineCsv);
  return { costFile, offlineFile, costs, offline };
}
