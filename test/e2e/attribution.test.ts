import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttributionReport, readAttribution, settledAttribution, touchesOf } from '../../demo/attribution.js';
import { demoCostCsv, demoOfflineCsv, demoOneOffs, demoSpend, importDemoFiles, seminar, seminarTouches, spendDays } from '../../demo/imports.js';
import { demoOrderTotal } from '../../demo/personas.js';
import { runTraffic, type TrafficResult } from '../../demo/run-traffic.js';
import { attributionModels } from '../../functions/analytics/domain/attribution.js';
import { type LocalNurture, startLocal } from '../../local/runtime/runtime.js';

/**
 * Issue 12's story in local mode: the demo's visitors, the demo's ad costs and a seminar's attendee list
 * imported through the admin API as a marketer would, then the attribution report answers with the totals
 * the run and the files imply — under every model — and importing both files again changes nothing.
 * About 40 s on 2 cores (the lake's buffer and the processor's polling dominate).
 */
const visitors = 40;
const seed = 12;

let local: LocalNurture;
let dir: string;
let traffic: TrafficResult;
let source: { apiUrl: string; adminToken: string };
let first: AttributionReport;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** The answer without what differs between two runs of one query (time taken, bytes read). */
const stable = (r: AttributionReport) => ({ rows: r.rows, totals: r.totals, parameters: r.parameters });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nurture-attribution-'));
  local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 }, pollIdleMs: 100 });
  source = { apiUrl: local.apiUrl, adminToken: local.secrets.adminToken };
}, 60_000);
afterAll(async () => {
  await local?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('attribution in local mode', () => {
  it('credits the demo orders to the media and campaigns that brought them, with the imported costs, under every model', async () => {
    // Prepare: the demo's visitors, then the costs and the seminar list, as files through the admin API.
    traffic = await runTraffic({ apiUrl: local.apiUrl, writeKey: local.secrets.writeKey, visitors, rate: 200, seed });
    const buyers = traffic.byPersona.buyer ?? 0;
    expect(buyers).toBeGreaterThan(0);
    const imports = await importDemoFiles(source, traffic, dir);
    expect(imports.offline).toMatchObject({ imported: seminar.others + Math.min(seminar.buyers, buyers), skippedAsDuplicates: 0 });

    // Act: the report once every order and every seminar touch is in the lake.
    const orders = buyers;
    first = await settledAttribution(
      source,
      (r) => touchesOf(r, 'seminar') >= seminarTouches(traffic) && (r.totals.first?.conversions ?? 0) >= orders,
      60_000,
    );

    // Assess: every model credits each order once and the revenue of all of them; the spend is the files'.
    const spend = spendDays * sum(demoSpend.map((s) => s.perDay)) + sum(demoOneOffs.map((o) => o.cost));
    for (const model of attributionModels) {
      const totals = first.totals[model]!;
      expect(totals.conversions, model).toBeCloseTo(orders, 6);
      expect(totals.revenue, model).toBeCloseTo(orders * demoOrderTotal, 2);
      expect(totals.cost, model).toBe(spend);
      expect(totals.cpa, model).toBeCloseTo(spend / orders, 2);
      expect(totals.roas, model).toBeCloseTo((orders * demoOrderTotal) / spend, 4);
      // Rows add up to the totals.
      const rows = first.rows.filter((r) => r.model === model);
      // Row credits are rounded to 4 places, so their sum may differ from the total in the last places.
      expect(sum(rows.map((r) => r.conversions)), model).toBeCloseTo(orders, 2);
    }
    // Each paid campaign shows its spend, and CPA and ROAS follow from its credit.
    for (const s of [...demoSpend, ...demoOneOffs]) {
      const row = first.rows.find((r) => r.model === 'linear' && r.medium === s.medium && r.campaign === s.campaign);
      expect(row, `${s.medium} / ${s.campaign}`).toBeDefined();
      expect(row!.cost).toBe('perDay' in s ? s.perDay * spendDays : s.cost);
      expect(row!.roas).toBeCloseTo(row!.revenue / row!.cost!, 4);
      // CPA comes from the unrounded credit; the row shows it rounded to 4 places.
      if (row!.conversions > 0) expect(Math.abs(row!.cpa! - row!.cost! / row!.conversions) / row!.cpa!).toBeLessThan(1e-3);
    }
    // The seminar came before every attending buyer's first visit: first touch gives it each of their orders.
    const attending = Math.min(seminar.buyers, buyers);
    const seminarFirst = first.rows.find((r) => r.model === 'first' && r.medium === 'seminar');
    expect(seminarFirst?.conversions ?? 0).toBeCloseTo(attending, 6);
    expect(seminarFirst?.channel).toBe('offline');

    // The walk-in's profile: known from the list, with the consent as given and the seminar among its touches.
    const get = async (path: string) => (await fetch(`${local.apiUrl}${path}`, { headers: { authorization: `Bearer ${source.adminToken}` } })).json() as Promise<Record<string, any>>;
    const walkIn = 'email:seminar.guest.1@attendees.example';
    const view = await get(`/v1/admin/profiles/${walkIn}`);
    expect(view.profile).toMatchObject({ known: true, email: 'seminar.guest.1@attendees.example', consent: { status: 'granted', source: `offline:seminar:${seminar.campaign}` } });
    const { touches } = await get(`/v1/admin/profiles/${walkIn}/touches`);
    expect(touches.map((t: { classification: { medium: string; channel: string } }) => t.classification)).toEqual([{ medium: 'seminar', mediumName: 'Seminar', channel: 'offline' }]);
  }, 150_000);

  it('changes nothing when both files are imported again', async () => {
    expect(first).toBeDefined();
    const again = await importDemoFiles(source, traffic, dir);
    expect(again.offline).toMatchObject({ imported: 0 });
    expect(again.costs).toMatchObject({ monthsWritten: 0 });
    // Whatever the lake could still take in has had the processor's and Firehose's time to arrive.
    await new Promise((r) => setTimeout(r, 3_000));
    const after = await readAttribution(source);
    expect(stable(after)).toEqual(stable(first));
    // The files themselves are what a marketer would import by hand.
    expect(demoCostCsv(new Date()).split('\n')[0]).toBe('date,medium,campaign,cost,currency');
    expect(demoOfflineCsv(traffic, new Date()).split('\n').filter(Boolean)).toHaveLength(1 + seminarTouches(traffic));
  }, 60_000);
});
