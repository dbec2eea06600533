/**
 * The closing text of `npm run demo`, made only from what was read back (demo/outcome.ts): every number
 * in it is a count Nurture reports, so it never promises what did not happen.
 */
import { loadScenarios } from '../functions/scenarios/adapters/scenario-files.js';
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
