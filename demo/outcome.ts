/**
 * What a demo run made happen, read back from a running Nurture: leads by stage (admin API), the
 * executions each scenario started since the run began (admin API, which reads Step Functions), and the
 * mail that reached the run's visitors (the local SES inbox's JSON at `<inbox>/store`). The closing text
 * of `npm run demo` is made from this and nothing else.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Stages the summary counts, in the order a lead moves through them (dormant is a side state). */
export const summaryStages = ['anonymous', 'known', 'mql', 'sql', 'customer', 'dormant'] as const;
export type SummaryStage = (typeof summaryStages)[number];
/** The admin leads list's largest page (functions/profiles/domain/leads.ts maxLeads): a count this high is "at least". */
export const leadsCountLimit = 200;
/** Execution pages (25 each) read per scenario: the summary counts at most 1,000 executions of one scenario. */
export const maxExecutionPages = 40;

export interface ScenarioOutcome {
  id: string;
  /** Executions started since the run began, by how they stand now. */
  enrolled: number;
  finished: number;
  /** Stopped by the scenario's goal (`GoalReached`). */
  goal: number;
  /** Stopped otherwise, failed or timed out. */
  failed: number;
  running: number;
  /** Running executions by the step they are in. */
  runningIn: Record<string, number>;
  /** More executions than maxExecutionPages pages hold: the counts are a lower bound. */
  truncated: boolean;
}

export type MailOutcome =
  | { read: true; total: number; byTemplate: Record<string, number> }
  | { read: false; inboxUrl: string; problem: string };

export interface HotLead {
  email?: string;
  company?: string;
  stage: string;
  score: number;
}

export interface Outcome {
  /** Leads in Nurture now, by stage (all of them, not only this run's). */
  leadsByStage: Record<SummaryStage, number>;
  scenarios: ScenarioOutcome[];
  mail: MailOutcome;
  hottest: HotLead[];
}

export interface OutcomeSource {
  apiUrl: string;
  adminToken: string;
  /** The SES inbox (its web page; JSON at `/store`). */
  inboxUrl: string;
  /** Start of the run: executions and mail before it are not counted. */
  since: Date;
  /** The run's visitors' addresses: only their mail is counted (the inbox may hold older mail). */
  recipients: readonly string[];
  /** Where template files are, to name each mail's template by its subject line (default templates/). */
  templatesDir?: string;
}

/** The admin API answered something other than 200. */
export class OutcomeReadError extends Error {
  override name = 'OutcomeReadError';
}

async function admin<T>(src: OutcomeSource, path: string): Promise<T> {
  const res = await fetch(`${src.apiUrl.replace(/\/$/, '')}${path}`, { headers: { authorization: `Bearer ${src.adminToken}` } });
  if (res.status !== 200) throw new OutcomeReadError(`GET ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

interface ExecutionRow {
  status?: string;
  startedAt?: string;
  currentStep?: string;
  error?: string;
}

async function scenarioOutcome(src: OutcomeSource, id: string): Promise<ScenarioOutcome> {
  const out: ScenarioOutcome = { id, enrolled: 0, finished: 0, goal: 0, failed: 0, running: 0, runningIn: {}, truncated: false };
  let token: string | undefined;
  for (let page = 0; page < maxExecutionPages; page++) {
    const q = token ? `?nextToken=${encodeURIComponent(token)}` : '';
    const { executions, nextToken } = await admin<{ executions: ExecutionRow[]; nextToken?: string }>(src, `/v1/admin/scenarios/${id}/executions${q}`);
    // Newest first: the first one older than the run ends the count.
    const ours = executions.filter((e) => e.startedAt && Date.parse(e.startedAt) >= src.since.getTime());
    for (const e of ours) {
      out.enrolled++;
      if (e.status === 'RUNNING') {
        out.running++;
        const step = e.currentStep ?? '(starting)';
        out.runningIn[step] = (out.runningIn[step] ?? 0) + 1;
      } else if (e.status === 'SUCCEEDED') out.finished++;
      else if (e.status === 'ABORTED' && e.error === 'GoalReached') out.goal++;
      else out.failed++;
    }
    token = nextToken;
    if (!token || ours.length < executions.length) return out;
  }
  out.truncated = true;
  return out;
}

async function leadsByStage(src: OutcomeSource): Promise<Record<SummaryStage, number>> {
  const counts = await Promise.all(
    summaryStages.map(async (stage) => (await admin<{ leads: unknown[] }>(src, `/v1/admin/leads?stage=${stage}&limit=${leadsCountLimit}`)).leads.length),
  );
  return Object.fromEntries(summaryStages.map((s, i) => [s, counts[i]!])) as Record<SummaryStage, number>;
}

/** Each template's subject line as a pattern (Liquid output matches anything), to name a mail's template. */
export function subjectPatterns(templatesDir: string): { template: string; pattern: RegExp }[] {
  if (!existsSync(templatesDir)) return [];
  const found: { template: string; pattern: RegExp }[] = [];
  for (const file of readdirSync(templatesDir).sort()) {
    const m = /^(.+)\.(liquid|mjml)$/.exec(file);
    if (!m) continue;
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readFileSync(join(templatesDir, file), 'utf8'))?.[1];
    let subject: unknown;
    try {
      subject = front ? (parse(front) as { subject?: unknown })?.subject : undefined;
    } catch {
      continue;
    }
    if (typeof subject !== 'string') continue;
    const source = subject
      .split(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*?');
    found.push({ template: m[1]!, pattern: new RegExp(`^${source}$`) });
  }
  return found;
}

/** The template a subject came from, or `other`. */
export function templateOf(subject: string, patterns: readonly { template: string; pattern: RegExp }[]): string {
  return patterns.find((p) => p.pattern.test(subject))?.template ?? 'other';
}

interface InboxMail {
  destination?: { to?: string[] };
  subject?: string;
  at?: number;
}

async function mailOutcome(src: OutcomeSource): Promise<MailOutcome> {
  let emails: InboxMail[];
  try {
    const res = await fetch(`${src.inboxUrl.replace(/\/$/, '')}/store`);
    if (res.status !== 200) throw new Error(`GET /store answered ${res.status}`);
    emails = ((await res.json()) as { emails?: InboxMail[] }).emails ?? [];
    if (!Array.isArray(emails)) throw new Error('no list of emails at /store');
  } catch (err) {
    return { read: false, inboxUrl: src.inboxUrl, problem: (err as Error).message };
  }
  const to = new Set(src.recipients.map((r) => r.toLowerCase()));
  // aws-ses-v2-local stamps `at` in seconds.
  const since = src.since.getTime() / 1000 - 1;
  const patterns = subjectPatterns(src.templatesDir ?? join(process.cwd(), 'templates'));
  const byTemplate: Record<string, number> = {};
  let total = 0;
  for (const m of emails) {
    if ((m.at ?? 0) < since || !(m.destination?.to ?? []).some((a) => to.has(a.toLowerCase()))) continue;
    total++;
    const t = templateOf(m.subject ?? '', patterns);
    byTemplate[t] = (byTemplate[t] ?? 0) + 1;
  }
  return { read: true, total, byTemplate };
}

/** Reads everything the summary shows, at one moment. */
export async function readOutcome(src: OutcomeSource): Promise<Outcome> {
  const { scenarios } = await admin<{ scenarios: { id: string }[] }>(src, '/v1/admin/scenarios');
  const [byStage, perScenario, mail, hot] = await Promise.all([
    leadsByStage(src),
    Promise.all(scenarios.map((s) => scenarioOutcome(src, s.id))),
    mailOutcome(src),
    admin<{ leads: HotLead[] }>(src, '/v1/admin/leads?limit=5'),
  ]);
  return { leadsByStage: byStage, scenarios: perScenario, mail, hottest: hot.leads };
}

/** How long the demo waits for the numbers to settle, and how often it looks. */
export const settleLimits = {
  /** No change for this long: the stream is processed and journeys sit in their waits. */
  quietMs: 8_000,
  /** No change for this long, and no execution of the run still running: the story has ended. */
  endedQuietMs: 2_000,
  pollMs: 1_000,
} as const;

const fingerprint = (o: Outcome) => JSON.stringify([o.leadsByStage, o.scenarios, o.mail]);

/**
 * Reads the outcome until every execution of the run has ended, or nothing changed for `quietMs`
 * (journeys waiting for days at NURTURE_TIME_SCALE=1), or `maxWaitMs` passed; returns the last reading.
 */
export async function settledOutcome(src: OutcomeSource, maxWaitMs: number, onPoll?: (o: Outcome) => void): Promise<Outcome> {
  const deadline = Date.now() + maxWaitMs;
  let last = await readOutcome(src);
  let lastChange = Date.now();
  for (;;) {
    onPoll?.(last);
    const enrolled = last.scenarios.reduce((n, s) => n + s.enrolled, 0);
    const running = last.scenarios.reduce((n, s) => n + s.running, 0);
    const still = Date.now() - lastChange;
    const ended = enrolled > 0 && running === 0 && still >= settleLimits.endedQuietMs;
    if (ended || still >= settleLimits.quietMs || Date.now() >= deadline) return last;
    await new Promise((r) => setTimeout(r, settleLimits.pollMs));
    const next = await readOutcome(src);
    if (fingerprint(next) !== fingerprint(last)) lastChange = Date.now();
    last = next;
  }
}
