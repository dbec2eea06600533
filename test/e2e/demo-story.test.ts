import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAccessLogs, waitForLake } from '../../demo/access-logs.js';
import { readOutcome } from '../../demo/outcome.js';
import { arrivals } from '../../demo/personas.js';
import { runTraffic, type TrafficResult } from '../../demo/run-traffic.js';
import { formatAccessLogs, formatSummary, scenarioNotes } from '../../demo/summary.js';
import { reportNames } from '../../functions/analytics/reports/index.js';
import type { TrafficTotals } from '../../functions/analytics/reports/traffic.js';
import { loadScenarios } from '../../functions/scenarios/adapters/scenario-files.js';
import type { Scenario } from '../../functions/scenarios/domain/schema.js';
import { lambdaContext } from '../../local/emulators/api-gateway.js';
import { asFunction } from '../../local/iam/index.js';
import { repoRoot } from '../../local/runtime/context.js';
import { type LocalNurture, startLocal } from '../../local/runtime/runtime.js';
import { inbox, type InboxMail } from '../helpers/sending.js';

const execFileAsync = promisify(execFile);

/**
 * The demo's story, as `npm run demo` tells it: the simulated visitors, sent through the public API to
 * local mode, make every example scenario in statemachines/ enroll someone and deliver the mail on the
 * path the scenario documents; the event lake's reports (admin API and `nurture analytics`) tell the same
 * story as the demo's own record of who came; and the closing text of the demo says exactly what happened.
 *
 * Time: a simulated day passes in a real second (time scale 86,400), so the longest journey (dormant
 * re-engagement: next weekday morning + 7 days + 7 days) ends within ~20 s of its start. The whole file
 * takes about 50-75 s on 2 cores (the access-log test ~15 s of it, mostly the CLI's own process start);
 * the bounds below are generous for a busy CI runner.
 */
const timeScale = 86_400;
/** Visitors: enough for every persona at least once (there are 10), small enough to stay quick. */
const visitors = 40;
/** Longest wait for every journey to end (real time). */
const journeysTimeoutMs = 75_000;
/** Longest wait for the run's events to reach the lake, and for `nurture analytics` to answer (a tsx start). */
const lakeTimeoutMs = 15_000;
const cliTimeoutMs = 60_000;

/**
 * The path each example scenario takes for the demo's people, and the mail on it (template ids). Nobody
 * opens or clicks a mail in the demo, so every waitFor takes its documented timeout path.
 */
const story: Record<string, { templates: string[]; step?: string }> = {
  // Brochure at once; a case study two days later; nobody opens it within 5 days: the pricing guide.
  'brochure-nurture': { templates: ['brochure-delivery', 'nurture-case-study', 'nurture-pricing-guide'] },
  // A checkout without an order: the reminder after 4 hours, no click within 2 days: the last call.
  'cart-reminder': { templates: ['cart-reminder', 'cart-last-call'] },
  // A lapsed lead gone dormant: "we miss you", no click within a week: the last chance.
  'dormant-reengagement': { templates: ['we-miss-you', 'last-chance'] },
  // A first order: the coupon three days later.
  'first-purchase-coupon': { templates: ['first-purchase-coupon'] },
  // A new MQL: the welcome mail, no click within 3 days, a case study a week later.
  'mql-welcome': { templates: ['welcome', 'nurture-case-study'] },
  // Pricing seen again and again without asking: sales is told; the scenario sends no mail.
  'pricing-no-inquiry': { templates: [], step: 'notify-sales' },
};

let local: LocalNurture;
/** The demo run of the first test; the access-log test reads the lake it left. */
let demoRun: TrafficResult | undefined;
const handoffs: { scenarioId?: string; profileId?: string }[] = [];
const scenarios: Scenario[] = loadScenarios(join(repoRoot, 'statemachines'));

beforeAll(async () => {
  // Caps and quiet hours count real time while the journeys run on scaled time: a week of mail to one
  // person lands within a real minute. Quiet hours off keeps the outcome independent of the hour the test
  // runs at; a marketing cap above what one journey sends keeps every mail of the story (the caps
  // themselves are tested in test/integration/sending).
  process.env.NURTURE_QUIET_HOURS = 'off';
  process.env.NURTURE_SEND_CAPS = JSON.stringify({ marketing: { perDay: 20, perWeek: 50 } });
  local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 }, pollIdleMs: 100, timeScale });
  local.bus.onEvent((e) => {
    if (e['detail-type'] === 'lead.handoff') handoffs.push(e.detail as { scenarioId?: string; profileId?: string });
  });
});
afterAll(async () => {
  await local?.stop();
});

const admin = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${local.apiUrl}${path}`, { headers: { authorization: `Bearer ${local.secrets.adminToken}` } });
  return { status: res.status, body: (await res.json()) as T };
};
async function until<T>(what: string, timeoutMs: number, read: () => Promise<T>, ok: (v: T) => boolean, show: (v: T) => unknown = (v) => v): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}: ${JSON.stringify(show(v)).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Execution {
  name: string;
  profileId: string;
  status: string;
  startedAt: string;
  error?: string;
  currentStep?: string;
}
/** Every execution of a scenario started since `since`, through the admin API's pages. */
async function executionsOf(id: string, since: Date): Promise<Execution[]> {
  const all: Execution[] = [];
  let token: string | undefined;
  do {
    const { status, body } = await admin<{ executions: Execution[]; nextToken?: string }>(`/v1/admin/scenarios/${id}/executions${token ? `?nextToken=${encodeURIComponent(token)}` : ''}`);
    expect(status).toBe(200);
    all.push(...body.executions);
    token = body.nextToken;
  } while (token);
  return all.filter((e) => Date.parse(e.startedAt) >= since.getTime());
}
const executionsBy = async (since: Date) => Object.fromEntries(await Promise.all(scenarios.map(async (s) => [s.id, await executionsOf(s.id, since)] as const)));

describe('the demo story', () => {
  it('every example scenario enrolls someone from the demo traffic and delivers the mail on its path; the summary says what happened', async () => {
    expect(Object.keys(story).sort(), 'the story covers every example scenario').toEqual(scenarios.map((s) => s.id).sort());

    // Act: the demo's visitors, through the public API.
    const traffic: TrafficResult = await runTraffic({ apiUrl: local.apiUrl, writeKey: local.secrets.writeKey, visitors, rate: 200, seed: 7 });
    demoRun = traffic;
    expect(Object.keys(traffic.byPersona)).toHaveLength(10);

    // The lapsed leads (last seen 4 weeks ago) become dormant once the daily sweep finds them quiet for the
    // rules' 60 days. Nobody can send events older than 30 days (ingest's clock-skew limit), so the test
    // runs the sweep as the schedule will 40 days from now: their last visit then lies ~69 days back,
    // everyone else's at most 49.
    const lapsed = traffic.people.filter((p) => p.persona === 'lapsed lead');
    expect(lapsed.length).toBeGreaterThan(0);
    for (const { email } of lapsed) {
      await until(`${email} to be a known lead`, 30_000, () => admin<{ profile?: { stage: string } }>(`/v1/admin/profiles/email:${email}`), (r) => r.body.profile?.stage === 'known');
    }
    const sweep = asFunction('sweep', ((await import('../../functions/scoring/sweep.js')) as { handler: (e: { now: string }, c: unknown) => Promise<{ dormant: number }> }).handler);
    const swept = await sweep({ now: new Date(Date.now() + 40 * 86_400_000).toISOString() }, lambdaContext('sweep'));
    expect(swept.dormant, 'only the lapsed leads went dormant').toBe(lapsed.length);

    // Every scenario enrolled someone, and every journey of the run has ended.
    const runs = await until(
      'every scenario to enroll someone and every journey to end (executions, running)',
      journeysTimeoutMs,
      () => executionsBy(traffic.startedAt),
      (by) => Object.values(by).every((list) => list.length > 0 && list.every((e) => e.status !== 'RUNNING')),
      (by) => Object.fromEntries(Object.entries(by).map(([id, list]) => [id, [list.length, list.filter((e) => e.status === 'RUNNING').length]])),
    );

    // Assess each journey: it succeeded, along the path the scenario documents for the demo's people.
    const emailOf = new Map<string, string>();
    const expectedMail = new Map<string, Map<string, number>>();
    for (const scenario of scenarios) {
      const list = runs[scenario.id]!;
      expect(list.filter((e) => e.status !== 'SUCCEEDED' && e.error !== 'GoalReached'), `${scenario.id}: failed journeys`).toEqual([]);
      const sendSteps = new Map(scenario.steps.flatMap((s) => (s.type === 'send' ? [[s.id, s.template] as const] : [])));
      const paths: string[][] = [];
      const steps = new Set<string>();
      for (const e of list) {
        const detail = (await admin<{ steps: { state: string }[] }>(`/v1/admin/scenarios/${scenario.id}/executions/${e.name}`)).body;
        const entered = new Set(detail.steps.map((s) => s.state));
        const sent = [...sendSteps].filter(([step]) => entered.has(step)).map(([, template]) => template);
        paths.push(sent);
        for (const s of entered) steps.add(s);
        if (!emailOf.has(e.profileId)) emailOf.set(e.profileId, (await admin<{ profile: { email: string } }>(`/v1/admin/profiles/${e.profileId}`)).body.profile.email);
        const mine = expectedMail.get(emailOf.get(e.profileId)!) ?? new Map<string, number>();
        for (const t of sent) mine.set(t, (mine.get(t) ?? 0) + 1);
        expectedMail.set(emailOf.get(e.profileId)!, mine);
      }
      expect(paths, `${scenario.id}: someone went the documented path`).toContainEqual(story[scenario.id]!.templates);
      if (story[scenario.id]!.step) expect([...steps], `${scenario.id}: someone reached ${story[scenario.id]!.step}`).toContain(story[scenario.id]!.step);
    }
    // Sales heard of the repeat pricing visitors through the bus (the notify step).
    expect(handoffs.some((h) => h.scenarioId === 'pricing-no-inquiry')).toBe(true);
    expect(runs['pricing-no-inquiry']!.length).toBeGreaterThan(0);

    // Every send step a journey entered delivered exactly one mail to that person, and nothing else came.
    const mails: InboxMail[] = await inbox(local.inboxUrl);
    const subjects = Object.fromEntries([...new Set([...expectedMail.values()].flatMap((m) => [...m.keys()]))].map((t) => [t, subjectOf(t)]));
    for (const [email, templates] of expectedMail) {
      const got = mails.filter((m) => m.destination.to.includes(email));
      const want = [...templates].flatMap(([t, n]) => Array.from({ length: n }, () => t)).sort();
      expect(got.map((m) => whichTemplate(m.subject, subjects)).sort(), `mail to ${email}`).toEqual(want);
    }
    const ours = new Set(traffic.emails);
    const runMail = mails.filter((m) => m.destination.to.some((a) => ours.has(a)));
    expect(runMail.length).toBe([...expectedMail.values()].reduce((n, m) => n + [...m.values()].reduce((a, b) => a + b, 0), 0));

    // The demo's closing text says what happened: every number in it is one read back here.
    const outcome = await readOutcome({ apiUrl: local.apiUrl, adminToken: local.secrets.adminToken, inboxUrl: local.inboxUrl, since: traffic.startedAt, recipients: traffic.emails });
    const text = formatSummary(outcome, { apiUrl: local.apiUrl, inboxUrl: local.inboxUrl, notes: scenarioNotes(join(repoRoot, 'statemachines')) });
    console.log(text);
    const stageLine = /^Leads by stage: (.*)$/m.exec(text)?.[1] ?? '';
    for (const stage of ['anonymous', 'known', 'mql', 'sql', 'customer', 'dormant']) {
      const { body } = await admin<{ leads: unknown[] }>(`/v1/admin/leads?stage=${stage}&limit=200`);
      expect(stageLine, `leads in stage ${stage}`).toMatch(new RegExp(`(^|, )${body.leads.length} ${stage}(,|$)`));
    }
    expect(stageLine).toMatch(/\b[1-9]\d* dormant\b/);
    for (const scenario of scenarios) {
      const list = runs[scenario.id]!;
      const line = new RegExp(`^  ${scenario.id}: (\\d+) enrolled(.*)$`, 'm').exec(text);
      expect(line, `a line for ${scenario.id}`).not.toBeNull();
      expect(Number(line![1])).toBe(list.length);
      const finished = list.filter((e) => e.status === 'SUCCEEDED').length;
      const goal = list.filter((e) => e.error === 'GoalReached').length;
      if (finished > 0) expect(line![2]).toContain(`(${finished} finished`);
      else expect(line![2]).not.toContain('finished');
      if (goal > 0) expect(line![2]).toMatch(new RegExp(`[(; ]${goal} reached the goal`));
      else expect(line![2]).not.toContain('reached the goal');
      expect(line![2]).not.toMatch(/running|stopped or failed/);
    }
    expect(/^Mail to this run's visitors in the SES inbox: (\d+)$/m.exec(text)?.[1]).toBe(String(runMail.length));
    const perTemplate = new Map<string, number>();
    for (const m of expectedMail.values()) for (const [t, n] of m) perTemplate.set(t, (perTemplate.get(t) ?? 0) + n);
    for (const [t, n] of perTemplate) expect(text).toMatch(new RegExp(`(^  |, )${n} ${t}(,|$)`, 'm'));
  }, journeysTimeoutMs + 90_000);

  it('the access logs tell the same story: each report over the lake through the admin API, the demo closing text, and the CLI', async () => {
    const traffic = demoRun;
    expect(traffic, 'the demo traffic of the test above').toBeDefined();
    if (!traffic) return;
    const lakeDir = local.env.LAKE_DIR!;
    // The stream processor's rows reach the lake through the local Firehose's buffer: wait for every human event.
    const lake = await waitForLake(lakeDir, traffic, lakeTimeoutMs);
    expect(lake, 'every human event of the run is in the lake').toMatchObject({ complete: true, expected: traffic.humanEvents });
    // The command a marketer runs, against the demo's lake (a process of its own: slow to start, so it runs
    // while the API is asked).
    const cli = execFileAsync('npm', ['run', '--silent', 'nurture', '--', 'analytics', 'traffic', '--lake', lakeDir], { cwd: repoRoot, timeout: cliTimeoutMs });

    const report = async <T>(name: string, query: Record<string, string> = {}) => {
      const { status, body } = await admin<T & { parameters: Record<string, unknown> }>(`/v1/admin/analytics/${name}?${new URLSearchParams(query)}`);
      expect(status, `${name} ${JSON.stringify(query)}: ${JSON.stringify(body).slice(0, 300)}`).toBe(200);
      return body;
    };
    const idsOf = async (persona: string) =>
      Promise.all(
        traffic.people
          .filter((p) => p.persona === persona)
          .map(async ({ email }) => (await admin<{ profile: { profileId: string } }>(`/v1/admin/profiles/email:${email}`)).body.profile.profileId),
      );
    const humans = traffic.sent.filter((v) => !v.bot);
    const count = (persona: string) => humans.filter((v) => v.persona === persona).length;
    expect(traffic.sent.length - humans.length, 'the run sent bots too').toBeGreaterThan(0);

    // traffic: every human visitor once over the window; the bots are not there.
    const t = await report<{ totals: TrafficTotals }>('traffic');
    expect(t.totals.visitors).toBe(traffic.humanVisitors);
    expect(t.totals.known_visitors).toBe(humans.filter((v) => v.emails.length > 0).length);

    // repeat-visitors: the members are exactly the run's pricing repeaters (none of them ordered).
    const repeaters = (await idsOf('pricing repeater')).sort();
    expect(repeaters.length).toBeGreaterThan(0);
    const repeat = await report<{ members: number; rows: { profile_id: string; visits: number }[] }>('repeat-visitors', { path: '/pricing*' });
    expect(repeat.parameters).toMatchObject({ path: '/pricing*', without: 'Order Completed' });
    expect(repeat.rows.map((r) => r.profile_id).sort()).toEqual(repeaters);
    expect(repeat.members).toBe(repeaters.length);
    // Buyers came to pricing twice: with two visits enough, only their order keeps them out.
    const buyers = await idsOf('buyer');
    expect(buyers.length).toBeGreaterThan(0);
    const twice = await report<{ rows: { profile_id: string }[] }>('repeat-visitors', { path: '/pricing*', visits: '2' });
    expect(twice.rows.map((r) => r.profile_id).filter((id) => buyers.includes(id)), 'buyers among repeat visitors without an order').toEqual([]);
    const twiceAnyone = await report<{ rows: { profile_id: string }[] }>('repeat-visitors', { path: '/pricing*', visits: '2', without: '' });
    expect(twiceAnyone.rows.map((r) => r.profile_id)).toEqual(expect.arrayContaining(buyers));

    // channels: each of the run's arrivals is one row, with as many people as came that way.
    const channels = await report<{ rows: { channel: string; utm_source: string | null; utm_medium: string | null; utm_campaign: string | null; referrer_domain: string | null; people: number }[] }>('channels');
    const classOf = (a: (typeof humans)[number]['arrival']) => {
      const domain = a.referrer ? new URL(a.referrer).hostname.replace(/^www\./, '') : null;
      // Channel groups of the default media registry (functions/channels/domain/registry.ts).
      const channel = a.campaign ? ({ cpc: 'paid_search', email: 'email', paid_social: 'paid_social' } as Record<string, string>)[a.campaign.medium] : domain ? ({ 'google.com': 'organic_search', 'bing.com': 'organic_search', 'linkedin.com': 'organic_social' } as Record<string, string>)[domain] : 'direct';
      return { channel, utm_source: a.campaign?.source ?? null, utm_medium: a.campaign?.medium ?? null, utm_campaign: a.campaign?.name ?? null, referrer_domain: domain };
    };
    const expected = new Map<string, ReturnType<typeof classOf> & { people: number }>();
    for (const v of humans) {
      const c = classOf(v.arrival);
      const key = JSON.stringify(c);
      expected.set(key, { ...c, people: (expected.get(key)?.people ?? 0) + 1 });
    }
    expect(channels.rows.map(({ channel, utm_source, utm_medium, utm_campaign, referrer_domain, people }) => ({ channel, utm_source, utm_medium, utm_campaign, referrer_domain, people }))).toEqual(
      expect.arrayContaining([...expected.values()]),
    );
    expect(channels.rows).toHaveLength(expected.size);
    expect(new Set(channels.rows.map((r) => r.utm_campaign).filter(Boolean)), 'the three demo campaigns').toEqual(new Set(arrivals.flatMap((a) => (a.campaign ? [a.campaign.name] : []))));
    expect(new Set(channels.rows.map((r) => r.channel))).toEqual(new Set(['paid_search', 'organic_search', 'email', 'paid_social', 'direct']));

    // pages: pricing was dwelt on (the repeaters' heartbeats).
    const pages = await report<{ rows: { page: string; page_views: number; avg_dwell_seconds: number }[] }>('pages');
    expect(pages.rows.find((r) => r.page === '/pricing.html')?.avg_dwell_seconds).toBeGreaterThan(0);

    // funnel: everyone who viewed pricing enters; competitors and form fillers go on to a form within 7 days.
    const funnel = await report<{ rows: { step: number; people: number }[] }>('funnel', { steps: '/pricing*,event:Form Submitted' });
    const pricingViewers = ['competitor', 'pricing repeater', 'form filler', 'buyer', 'cart abandoner'].reduce((n, p) => n + count(p), 0);
    expect(funnel.rows.map((r) => [r.step, r.people])).toEqual([
      [1, pricingViewers],
      [2, count('competitor') + count('form filler')],
    ]);

    // The demo's closing text says the same.
    const text = formatAccessLogs(await readAccessLogs({ apiUrl: local.apiUrl, adminToken: local.secrets.adminToken }, traffic), lake, { apiUrl: local.apiUrl });
    console.log(text);
    expect(text).toContain(`by ${traffic.humanVisitors} visitors`);
    expect(text).toContain(`without an order: ${repeaters.length} ${repeaters.length === 1 ? 'person' : 'people'} — the ${repeaters.length} pricing repeater`);
    for (const c of ['brand', 'june-digest', 'forecast-launch']) expect(text).toContain(c);
    for (const r of reportNames) expect(text).toContain(`npm run nurture -- analytics ${r}`);

    // The CLI prints the traffic table: a header, a rule, a row per day and the window's total.
    const { stdout } = await cli;
    const lines = stdout.trim().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual(['day', 'visits', 'visitors', 'new_visitors', 'returning_visitors', 'known_visitors', 'anonymous_visitors']);
    expect(lines[1]).toMatch(/^-+( +-+){6}$/);
    expect(lines.slice(2, -1).every((l) => /^\d{4}-\d{2}-\d{2} /.test(l))).toBe(true);
    expect(lines.at(-1)!.split(/\s+/).slice(0, 3)).toEqual(['total', String(t.totals.visits), String(traffic.humanVisitors)]);
  }, lakeTimeoutMs + cliTimeoutMs);
});

/** A template's subject line, with its Liquid parts as wildcards. */
function subjectOf(template: string): RegExp {
  const source = readFileSync(join(repoRoot, 'templates', `${template}.liquid`), 'utf8');
  const subject = /^subject:\s*"(.*)"\s*$/m.exec(source)?.[1] ?? '';
  return new RegExp(`^${subject.split(/\{\{.*?\}\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
}
function whichTemplate(subject: string, subjects: Record<string, RegExp>): string {
  return Object.entries(subjects).find(([, re]) => re.test(subject))?.[0] ?? `(unexpected: ${subject})`;
}
