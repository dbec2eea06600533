/**
 * Scenarios benchmark (issue 5). Not a test: prints figures and saves them to bench/results/scenarios.json.
 *
 *   npm run bench:scenarios [-- --people 5 --enrollments 300]
 *
 * 1. State transitions per executed step (Standard workflows bill each transition; target ≤ 2): every
 *    example scenario runs end to end in local mode (a simulated week per real second) for a few people
 *    on different paths, and the local runner's history counts states entered per step executed.
 *    The same runs are metered (local/iam/meter.ts) for the cost model: DynamoDB write and read units of
 *    enrollment and steps (the capacity dynalite reports for every request of the enroll and steps
 *    functions and of the state machines' own DynamoDB tasks; the send function's are the sending
 *    bench's, per email), and the invocations of the enroll and steps functions with their wall time.
 * 2. Enrollments per second locally: trigger events for distinct people go onto the local bus; timed
 *    until every execution has started (the enroll function, its DynamoDB record, StartExecution).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { entryState } from '../functions/scenarios/domain/compile.js';
import { loadScenarios } from '../functions/scenarios/adapters/scenario-files.js';
import type { Scenario } from '../functions/scenarios/domain/schema.js';
import { localStateMachinePrefix } from '../local/runtime/plugins/scenarios.js';
import { repoRoot } from '../local/runtime/context.js';
import { startMetering } from '../local/iam/meter.js';
import { scenarioCostMeter } from './lib/scenario-meter.js';
import { startLocal } from '../local/runtime/runtime.js';
import { saveResults } from './lib/results.js';

const { values } = parseArgs({
  options: { people: { type: 'string', default: '5' }, enrollments: { type: 'string', default: '300' }, phase: { type: 'string' } },
});
const people = Math.min(50, Number(values.people));
const enrollments = Math.min(5_000, Number(values.enrollments));

// Quiet hours off and generous caps: a simulated week passes in a second, caps count real days.
Object.assign(process.env, { NURTURE_QUIET_HOURS: 'off', NURTURE_SEND_CAPS: JSON.stringify({ marketing: { perDay: 1000, perWeek: 1000 } }) });

const scenarios = loadScenarios(join(repoRoot, 'statemachines'));
/** Time given to the last executions' status events to reach the bus before the meter is read. */
const endedSettleMs = 200;
const zero = { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0 };

async function started(timeScale: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'nurture-bench-scenarios-'));
  const local = await startLocal({ timeScale, ports: zero, dataDir, pollIdleMs: 50 });
  const aws = { region: local.emulators.region, credentials: local.emulators.credentials };
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...aws, endpoint: local.emulators.endpoints.dynamodb }));
  const sfn = new SFNClient({ ...aws, endpoint: local.env.AWS_ENDPOINT_URL_SFN });
  return {
    local,
    doc,
    sfn,
    async stop() {
      doc.destroy();
      sfn.destroy();
      await local.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
type Env = Awaited<ReturnType<typeof started>>;

async function putProfile(env: Env, profileId: string, i: number) {
  const now = new Date();
  const visit = (minutes: number) => ({ id: `${profileId}-v${minutes}`, t: new Date(now.getTime() - minutes * 60_000).toISOString(), type: 'page', path: '/pricing' });
  await env.doc.send(
    new PutCommand({
      TableName: env.local.env.TABLE_NAME,
      Item: {
        pk: `p#${profileId}`,
        sk: 'profile',
        profileId,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        known: true,
        email: `${profileId}@example.com`,
        timezone: ['UTC', 'Asia/Tokyo', 'Europe/Berlin', 'America/New_York'][i % 4],
        traits: { firstName: profileId },
        stage: 'known',
        // Half the people are hot leads with pricing visits, half are not: both branch outcomes run.
        score: { value: i % 2 === 0 ? 70 : 5, asOf: now.toISOString(), fit: 0, categories: {} },
        recent: i % 2 === 0 ? [visit(60), visit(30)] : [],
      },
    }),
  );
}

/** A value that passes a trigger's `where` filter (a scalar is itself; `{ prefix: '/pricing' }` → '/pricing'). */
function satisfying(filter: unknown): unknown {
  if (filter === null || typeof filter !== 'object') return filter;
  const f = filter as Record<string, unknown>;
  if ('equals' in f) return f.equals;
  if ('in' in f) return (f.in as unknown[])[0];
  if ('prefix' in f) return f.prefix;
  if ('gte' in f || 'lte' in f) return f.gte ?? f.lte;
  if ('gt' in f || 'lt' in f) return f.gt !== undefined ? Number(f.gt) + 1 : Number(f.lt) - 1;
  return 'present';
}

function triggerEntry(env: Env, s: Scenario, profileId: string, messageId: string): Record<string, unknown> {
  const t = s.trigger;
  const properties = Object.fromEntries(Object.entries(t.where ?? {}).map(([k, v]) => [k.replace(/^properties\./, ''), satisfying(v)]));
  if (t.stage) {
    return { Source: 'nurture.leads', DetailType: 'lead.stage_changed', EventBusName: env.local.env.EVENT_BUS_NAME, Detail: JSON.stringify({ profileId, messageId, from: 'customer', to: t.stage, score: 0 }) };
  }
  return { Source: 'nurture.activity', DetailType: t.event ?? 'Page Viewed', EventBusName: env.local.env.EVENT_BUS_NAME, Detail: JSON.stringify({ profileId, messageId, event: t.event, properties, score: 70, stage: 'known' }) };
}

async function history(env: Env, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

async function transitionsPerStep() {
  const env = await started(7 * 86_400);
  const rows: { scenario: string; executions: number; steps: number; transitions: number }[] = [];
  const meter = scenarioCostMeter();
  const stopMetering = startMetering(meter);
  try {
    for (const s of scenarios) {
      const entries = new Set(s.steps.map(entryState));
      const arn = `arn:aws:states:us-east-1:000000000000:stateMachine:${localStateMachinePrefix}${s.id}`;
      for (let i = 0; i < people; i++) {
        const profileId = `p_bench_${s.id.replace(/-/g, '_')}_${i}`;
        await putProfile(env, profileId, i);
        env.local.bus.putEvents([triggerEntry(env, s, profileId, `${profileId}-trigger`)]);
      }
      await env.local.bus.drain();
      let done: { executionArn?: string }[] = [];
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        const list = (await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }))).executions ?? [];
        done = list.filter((e) => e.status !== 'RUNNING');
        if (done.length >= people || (list.length > 0 && list.every((e) => e.status !== 'RUNNING') && list.length === done.length && list.length >= people)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      let steps = 0;
      let transitions = 0;
      for (const e of done) {
        const d = await env.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
        if (d.status !== 'SUCCEEDED') console.warn(`  ${s.id} ${e.executionArn}: ${d.status} ${d.error ?? ''} ${d.cause ?? ''}`);
        const entered = (await history(env, e.executionArn!)).filter((h) => h.type?.endsWith('StateEntered'));
        transitions += entered.length;
        steps += entered.filter((h) => entries.has(h.stateEnteredEventDetails!.name!)).length;
      }
      rows.push({ scenario: s.id, executions: done.length, steps, transitions });
    }
    // Executions that ended reach enroll through the bus ("ended" rule): their writes count too. A status
    // event may be put just after the last listing saw the execution end, hence a short wait and a second drain.
    await env.local.bus.drain();
    await new Promise((r) => setTimeout(r, endedSettleMs));
    await env.local.bus.drain();
  } finally {
    stopMetering();
    await env.stop();
  }
  return { rows, metered: meter.totals() };
}

async function enrollmentsPerSecond() {
  // Real time: the first step (a three-day wait) keeps every execution running while enrollment is timed.
  const env = await started(1);
  try {
    const s = scenarios.find((x) => x.id === 'first-purchase-coupon')!;
    const arn = `arn:aws:states:us-east-1:000000000000:stateMachine:${localStateMachinePrefix}${s.id}`;
    for (let i = 0; i < enrollments; i++) await putProfile(env, `p_enroll_${i}`, i);
    const t0 = performance.now();
    for (let i = 0; i < enrollments; i += 10) {
      env.local.bus.putEvents(Array.from({ length: Math.min(10, enrollments - i) }, (_, k) => triggerEntry(env, s, `p_enroll_${i + k}`, `enroll-${i + k}`)));
    }
    await env.local.bus.drain();
    let count = 0;
    let nextToken: string | undefined;
    do {
      const page = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
      count += page.executions?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken);
    const seconds = (performance.now() - t0) / 1000;
    return { count, seconds };
  } finally {
    await env.stop();
  }
}

/**
 * Each phase runs in its own process: handlers are modules with clients made at import (as in Lambda),
 * so one process serves one local mode.
 */
function phase<T>(name: string): T {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--phase', name, '--people', String(people), '--enrollments', String(enrollments)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{"phase"'));
  if (!line) throw new Error(`phase ${name} printed no result:\n${out.slice(-2000)}`);
  return (JSON.parse(line) as { result: T }).result;
}

if (values.phase === 'transitions') {
  console.log(JSON.stringify({ phase: 'transitions', result: await transitionsPerStep() }));
  process.exit(0);
}
if (values.phase === 'enroll') {
  console.log(JSON.stringify({ phase: 'enroll', result: await enrollmentsPerSecond() }));
  process.exit(0);
}

const { rows, metered } = phase<Awaited<ReturnType<typeof transitionsPerStep>>>('transitions');
console.log('\nState transitions per executed step (local runner history; AWS bills each state entered):');
console.log('scenario                   executions  steps  transitions  per step');
let steps = 0;
let transitions = 0;
for (const r of rows) {
  steps += r.steps;
  transitions += r.transitions;
  console.log(`${r.scenario.padEnd(26)} ${String(r.executions).padStart(10)} ${String(r.steps).padStart(6)} ${String(r.transitions).padStart(12)} ${(r.transitions / Math.max(1, r.steps)).toFixed(2).padStart(9)}`);
}
const perStep = transitions / Math.max(1, steps);
console.log(`all                        ${' '.repeat(10)} ${String(steps).padStart(6)} ${String(transitions).padStart(12)} ${perStep.toFixed(2).padStart(9)}   (target ≤ 2)`);

const executions = Math.max(1, rows.reduce((n, r) => n + r.executions, 0));
console.log(`\nPer execution (${executions} executions; enrollment and steps, not the send function's per-email cost):`);
for (const [principal, c] of Object.entries(metered.byPrincipal)) {
  console.log(`  ${principal.padEnd(40)} ${(c.writeUnits / executions).toFixed(2).padStart(6)} write units ${(c.readUnits / executions).toFixed(2).padStart(6)} read units ${String(c.requests).padStart(6)} requests`);
}
for (const [name, f] of Object.entries(metered.functions)) {
  console.log(`  λ ${name.padEnd(38)} ${(f.invocations / executions).toFixed(2).padStart(6)} invocations, ${(f.warmMs / Math.max(1, f.warm)).toFixed(1)} ms mean warm (${f.invocations - f.warm} cold left out)`);
}
const writeUnitsPerExecution = metered.writeUnits / executions;
const readUnitsPerExecution = metered.readUnits / executions;
const lambdaTasksPerExecution = metered.invocations / executions;
const taskMsPerInvocation = metered.warmMs / Math.max(1, metered.warm);
console.log(`all: ${writeUnitsPerExecution.toFixed(2)} write units, ${readUnitsPerExecution.toFixed(2)} read units, ${lambdaTasksPerExecution.toFixed(2)} Lambda invocations of ${taskMsPerInvocation.toFixed(1)} ms`);

const enroll = phase<Awaited<ReturnType<typeof enrollmentsPerSecond>>>('enroll');
console.log(`\nEnrollments: ${enroll.count} of ${enrollments} started in ${enroll.seconds.toFixed(2)} s → ${(enroll.count / enroll.seconds).toFixed(0)} enrollments/s (local: bus → enroll → DynamoDB record → StartExecution)`);

saveResults('scenarios', {
  transitionsPerStep: perStep,
  transitionsPerExecution: transitions / executions,
  enrollmentsPerSecond: enroll.count / enroll.seconds,
  writeUnitsPerExecution,
  readUnitsPerExecution,
  lambdaTasksPerExecution,
  taskMsPerInvocation,
});
process.exit(0);
