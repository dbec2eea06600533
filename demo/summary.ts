/**
 * The closing text of `npm run demo`, made only from what was read back (demo/outcome.ts): every number
 * in it is a count Nurture reports, so it never promises what did not happen.
 */
import { loadScenarios } from '../functions/scenarios/adapters/scenario-files.js';
import { type AccessLogs, type ChannelLine, inquiryEvent, type LakeArrival, pricingGlob } from './access-logs.js';
import { leadsCountLimit, type Outcome, type ScenarioOutcome, summaryStages } from './outcome.js';
import type { TrafficResult } from './run-traffic.js';

export interface SummaryContext {
  apiUrl: string;
  inboxUrl: string;
  /** From the scenario files (scenarioNotes): what starts those nobody entered, which steps send. */
  notes?: Record<string, ScenarioNote>;
}

/** What the summary says about a scenario beyond its counts: what starts it, which steps send mail. */
export interface ScenarioNote {
  /** `event Checkout Started`, `stage dormant`, … */
  trigger: string;
  sendSteps: string[];
}

/** Notes on each scenario file in `dir`; empty without readable files (the counts need none). */
export function scenarioNotes(dir: string): Record<string, ScenarioNote> {
  try {
    return Object.fromEntries(
      loadScenarios(dir).map(({ id, trigger: t, steps }) => [
        id,
        {
          trigger: t.event ? `event ${t.event}` : t.stage ? `stage ${t.stage}` : t.identified ? 'a visitor identifies' : `score ≥ ${t.score?.atLeast}`,
          sendSteps: steps.filter((s) => s.type === 'send').map((s) => s.id),
        },
      ]),
    );
  } catch {
    return {};
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `1 browser, 2 FAQ readers` from visitors per persona. */
export function personaLine(t: TrafficResult): string {
  return Object.entries(t.byPersona)
    .map(([name, n]) => plural(n, name))
    .join(', ');
}

function scenarioLine(s: ScenarioOutcome, note: ScenarioNote | undefined): string {
  const parts: string[] = [];
  if (s.finished) parts.push(`${s.finished} finished`);
  if (s.goal) parts.push(`${s.goal} reached the goal`);
  if (s.failed) parts.push(`${s.failed} stopped or failed`);
  if (s.running) {
    const where = Object.entries(s.runningIn)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      // A send takes milliseconds: a journey found in one is held for quiet hours or a cap.
      .map(([step, n]) => `${n} in ${step}${note?.sendSteps.includes(step) ? ' (a send held for quiet hours or a cap)' : ''}`)
      .join(', ');
    parts.push(`${s.running} running: ${where}`);
  }
  const detail = parts.length > 0 ? ` (${parts.join('; ')})` : note ? ` (nobody yet; trigger: ${note.trigger})` : '';
  return `  ${s.id}: ${s.enrolled}${s.truncated ? '+' : ''} enrolled${detail}`;
}

/** The closing text: leads by stage, each scenario's executions, the mail delivered, the hottest leads. */
export function formatSummary(outcome: Outcome, ctx: SummaryContext): string {
  const lines: string[] = ['What happened, read back from Nurture:'];
  const stages = summaryStages.map((s) => `${outcome.leadsByStage[s]}${outcome.leadsByStage[s] >= leadsCountLimit ? '+' : ''} ${s}`);
  lines.push(`Leads by stage: ${stages.join(', ')}`);

  lines.push('Scenarios (executions started during this run):');
  for (const s of outcome.scenarios) lines.push(scenarioLine(s, ctx.notes?.[s.id]));

  if (outcome.mail.read) {
    lines.push(`Mail to this run's visitors in the SES inbox: ${outcome.mail.total}`);
    const byTemplate = Object.entries(outcome.mail.byTemplate).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (byTemplate.length > 0) lines.push(`  ${byTemplate.map(([t, n]) => `${n} ${t}`).join(', ')}`);
  } else {
    lines.push(`Mail: the SES inbox at ${outcome.mail.inboxUrl} could not be read (${outcome.mail.problem}); pass --inbox <url> or set NURTURE_SES_PORT`);
  }

  if (outcome.hottest.length > 0) {
    lines.push('Hottest leads now:');
    for (const l of outcome.hottest) lines.push(`  ${String(l.score).padStart(7)}  ${l.stage.padEnd(9)} ${l.email ?? '(anonymous)'}${l.company ? ` (${l.company})` : ''}`);
  }

  const api = ctx.apiUrl.replace(/\/$/, '');
  const someone = outcome.hottest.find((l) => l.email)?.email;
  lines.push('', 'Look closer:');
  lines.push(`- leads:            curl -H "Authorization: Bearer <admin token>" ${api}/v1/admin/leads`);
  if (someone) lines.push(`- one lead's story: curl -H "Authorization: Bearer <admin token>" ${api}/v1/admin/profiles/email:${someone}`);
  lines.push(`- journeys:         curl -H "Authorization: Bearer <admin token>" ${api}/v1/admin/scenarios/<id>/executions`);
  if (outcome.mail.read && outcome.mail.total > 0) lines.push(`- the mail:         ${ctx.inboxUrl}`);
  if (outcome.scenarios.some((s) => s.running > 0)) {
    lines.push('- journeys still running go on in the background (NURTURE_TIME_SCALE=86400 npm start: a day a second)');
  }
  return lines.join('\n');
}

/** The command of each report as the summary suggests it (the demo's pages and goal as parameters). */
export const reportCommands: readonly { report: string; args: string }[] = [
  { report: 'traffic', args: '' },
  { report: 'pages', args: '' },
  { report: 'paths', args: '--after /pricing.html' },
  { report: 'funnel', args: `--steps "${pricingGlob},event:${inquiryEvent}"` },
  { report: 'repeat-visitors', args: `--path "${pricingGlob}"` },
  { report: 'channels', args: '' },
  { report: 'attribution', args: '--model all --conversion order' },
  { report: 'recommendations', args: '--days 7' },
];

/** Most channel rows the summary lists (most visits first). */
export const summaryChannelRows = 8;

/** `45 s`, `12 min`, `5 h`, `2.1 days`. */
export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/** `paid_search    Google Ads: google / cpc / brand (google.com)`, `organic_search Bing (organic): bing.com`, `direct`. */
function channelName(c: ChannelLine): string {
  const campaign = [c.utm_source, c.utm_medium, c.utm_campaign].filter(Boolean).join(' / ');
  const source = campaign ? `${campaign}${c.referrer_domain ? ` (${c.referrer_domain})` : ''}` : (c.referrer_domain ?? '');
  // An unregistered medium is named by the referrer or utm_source the line shows anyway.
  const medium = c.channel === 'direct' || c.medium_name === c.referrer_domain || c.medium_name === c.utm_source?.toLowerCase() ? '' : `${c.medium_name}: `;
  return `${c.channel.padEnd(14)} ${medium}${source}`.trimEnd();
}

export interface AccessLogContext {
  apiUrl: string;
  /** Appended to every command when the lake is not where `nurture analytics` looks by default (` --lake <dir>`). */
  lakeOption?: string;
}

/**
 * The closing section on the event lake: visits and visitors, top pages with dwell, the repeat pricing
 * visitors without an order (and whether they are the run's pricing repeaters), pricing → inquiry, channels,
 * then the command of each report. Every number is one a report answered.
 */
export function formatAccessLogs(logs: AccessLogs, lake: LakeArrival, ctx: AccessLogContext): string {
  const lines = [`What the access logs say (event lake, ${logs.from} to ${logs.to} UTC: this run and any earlier data):`];
  if (!lake.complete) lines.push(`  (the lake holds ${lake.rows} of this run's ${lake.expected} events so far: the numbers below may fall short of it)`);
  const t = logs.traffic;
  lines.push(`  ${plural(t.visits, 'visit')} by ${plural(t.visitors, 'visitor')} (${t.known_visitors} known, ${t.anonymous_visitors} anonymous); bots are never counted`);
  if (logs.topPages.length > 0) {
    lines.push('  Top pages:');
    const width = Math.max(...logs.topPages.map((p) => p.page.length));
    for (const p of logs.topPages) {
      // Dwell comes from the tracker's heartbeats: a page left before the first one has none.
      const dwell = p.avg_dwell_seconds > 0 ? `${duration(p.avg_dwell_seconds)} dwell on average` : 'no dwell measured';
      lines.push(`    ${p.page.padEnd(width)}  ${plural(p.page_views, 'view')} by ${plural(p.visitors, 'visitor')}, ${dwell}`);
    }
  }
  const r = logs.pricingRepeat;
  const all = r.runRepeatersIn === r.runRepeaters;
  const whose =
    r.runRepeaters === 0
      ? ''
      : all && r.members === r.runRepeaters
        ? ` — the ${plural(r.runRepeaters, 'pricing repeater')} of this run`
        : `, among them ${all ? 'all' : r.runRepeatersIn} of this run's ${plural(r.runRepeaters, 'pricing repeater')}`;
  lines.push(`  Came back to ${pricingGlob} (${r.visits}+ visits within ${r.days} days) without an order: ${plural(r.members, 'person', 'people')}${whose}`);
  const f = logs.funnel;
  if (f.entered > 0) {
    const median = f.medianSeconds === null ? '' : `, ${duration(f.medianSeconds)} after pricing (median)`;
    lines.push(`  ${pricingGlob} → ${inquiryEvent} within 7 days: ${f.reached} of ${plural(f.entered, 'person', 'people')} (${Math.round((100 * f.reached) / f.entered)}%)${median}`);
  }
  if (logs.channels.length > 0) {
    lines.push('  Channels (last touch):');
    const shown = logs.channels.slice(0, summaryChannelRows);
    const width = Math.max(...shown.map((c) => channelName(c).length));
    for (const c of shown) lines.push(`    ${channelName(c).padEnd(width)}  ${plural(c.visits, 'visit')}, ${plural(c.leads, 'lead')}, ${plural(c.orders, 'order')}`);
  }
  const lakeFlag = ctx.lakeOption ?? '';
  lines.push('', 'Run each report (--from/--to YYYY-MM-DD for another window, --json for the whole answer):');
  for (const c of reportCommands) lines.push(`  npm run nurture -- analytics ${c.report}${c.args ? ` ${c.args}` : ''}${lakeFlag}`);
  lines.push(`  or over HTTP: curl -H "Authorization: Bearer <admin token>" "${ctx.apiUrl.replace(/\/$/, '')}/v1/admin/analytics/repeat-visitors?path=${pricingGlob}"`);
  return lines.join('\n');
}
