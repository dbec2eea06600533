/**
 * Segments benchmark (issue 13). Not a test: prints figures.
 *
 *   npm run bench:segments [-- --people 200]
 *
 * Membership latency through the whole local path (npm start's HTTP → collect → Kinesis → poller →
 * processor → member item → bus): one beacon per new visitor that qualifies them for a segment, timed until
 * their `segment.entered` reaches the bus; p50/p95 against the 5 s target, and against the same run's
 * beacon-to-score latency (the scored event reaching the bus), so the ratio shows what segments add.
 */
import { parseArgs } from 'node:util';
import { anonymousProfileId } from '../functions/identity/domain/keys.js';
import { startLocal } from '../local/runtime/runtime.js';
import { saveResults } from './lib/results.js';

const { values } = parseArgs({ options: { people: { type: 'string', default: '200' } } });
const people = Math.min(2_000, Number(values.people));
const ua = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0 }, pollIdleMs: 200 });
const admin = { authorization: `Bearer ${local.secrets.adminToken}`, 'content-type': 'application/json' };
const segments = [
  { id: 'brochure-readers', name: 'Downloaded the brochure this month', conditions: [{ did: 'Brochure Downloaded', within: '30d' }] },
  { id: 'brochure-not-customer', name: 'Brochure, not a customer', conditions: [{ segment: 'brochure-readers' }, { not: { field: 'stage', equals: 'customer' } }] },
  { id: 'pricing-3', name: 'Pricing 3 times in 7 days', conditions: [{ did: 'Page Viewed', path: '/pricing', within: '7d', atLeast: 3 }] },
];
for (const s of segments) {
  const res = await fetch(`${local.apiUrl}/v1/admin/segments`, { method: 'POST', headers: admin, body: JSON.stringify(s) });
  if (res.status !== 201) throw new Error(`segment ${s.id}: ${res.status} ${await res.text()}`);
}

const sentAt = new Map<string, number>();
const scored: number[] = [];
const entered: number[] = [];
local.bus.onEvent((e) => {
  const pid = String(e.detail.profileId);
  const t = sentAt.get(pid);
  if (t === undefined) return;
  if (e['detail-type'] === 'Brochure Downloaded') scored.push(performance.now() - t);
  if (e['detail-type'] === 'segment.entered' && e.detail.segmentId === 'brochure-not-customer') entered.push(performance.now() - t);
});
const auth = { authorization: `Basic ${Buffer.from(`${local.secrets.writeKey}:`).toString('base64')}` };
for (let i = 0; i < people; i++) {
  const anonymousId = `segment-bench-${i}`;
  sentAt.set(anonymousProfileId(anonymousId), performance.now());
  await fetch(`${local.apiUrl}/v1/track`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ anonymousId, messageId: `seg-${i}`, event: 'Brochure Downloaded', context: { userAgent: ua } }),
  });
  await new Promise((r) => setTimeout(r, 20));
}
const deadline = Date.now() + 20_000;
while (entered.length < people && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
const count = (await (await fetch(`${local.apiUrl}/v1/admin/segments/brochure-not-customer`, { headers: admin })).json()) as { members?: number };
await local.stop();

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
const [p50, p95, s50, s95] = [pct(entered, 50), pct(entered, 95), pct(scored, 50), pct(scored, 95)];
console.log(`Segment membership latency, whole local path (${entered.length}/${people} people entered; poller idle wait 200 ms)`);
console.log(`p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (target ≤ 5000 ms) ${p95 <= 5000 ? 'OK' : 'MISSED'}`);
console.log(`baseline, beacon-to-score in the same run: p50 ${s50.toFixed(0)} ms, p95 ${s95.toFixed(0)} ms; membership/score p95 ratio ${(p95 / s95).toFixed(2)}`);
console.log(`count read after the run: ${count.members ?? 'not in the answer'} (expected ${people})`);
saveResults('segments', { membershipP50Ms: p50, membershipP95Ms: p95, scoreP50Ms: s50, scoreP95Ms: s95, membershipEntered: entered.length });
