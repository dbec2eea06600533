/**
 * Dry run: walks a scenario for one person on a simulated clock and reports every step and decision,
 * sending nothing. Pure: the caller supplies the profile, its activity, and the events that will happen
 * (clicks, opens, the goal) at offsets from the start. Branch conditions use the same evaluator as the
 * deployed journey; only the clock and the inputs are simulated.
 */
import { nextLocalTime } from './calendar.js';
import {
  type Activity,
  activityMatches,
  atomsOf,
  combine,
  describeCondition,
  describeWhere,
  evaluateAtoms,
  isBehaviour,
  matchesWhere,
  type ProfileView,
  windowStart,
} from './conditions.js';
import { durationSeconds } from './duration.js';
import type { Scenario, Step } from './schema.js';
import { describeTrigger } from './patterns.js';
import { edgesOf } from './validate.js';

/** Something the person will do during the simulation, `after` (a duration) from the start. */
export interface FutureEvent {
  after: string;
  event: string;
  properties?: Record<string, unknown>;
}

export interface SimulationInput {
  scenario: Scenario;
  profile: ProfileView & { profileId?: string };
  /** Past activity (what behaviour conditions count). */
  activity?: Activity[];
  /** What happens during the journey. */
  events?: FutureEvent[];
  start?: Date;
}

export interface SimulationLine {
  at: Date;
  stepId?: string;
  text: string;
}

export interface SimulationResult {
  lines: SimulationLine[];
  /** How the journey ended. */
  outcome: 'completed' | 'exited' | 'goal' | 'not-enrolled' | 'step-limit';
  /** Templates that would have been sent, in order. */
  sends: string[];
}

/** Steps a simulation walks at most (a loop through a wait would otherwise never end). */
export const maxSimulatedSteps = 500;

export function simulate(input: SimulationInput): SimulationResult {
  const { scenario } = input;
  let clock = input.start ?? new Date();
  const start = clock;
  const profile: ProfileView = structuredClone(input.profile);
  const history: Activity[] = [...(input.activity ?? [])];
  const future = (input.events ?? [])
    .map((e) => ({ ...e, at: new Date(start.getTime() + durationSeconds(e.after) * 1000) }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const lines: SimulationLine[] = [];
  const sends: string[] = [];
  const say = (text: string, stepId?: string) => lines.push({ at: clock, ...(stepId ? { stepId } : {}), text });
  let lastSendAt: string | undefined;

  const goal = scenario.goal;
  const isGoal = (e: { event: string; properties?: Record<string, unknown> }) =>
    goal?.event !== undefined && e.event === goal.event && matchesWhere(goal.where, { properties: e.properties ?? {} });
  /** Moves the clock, recording what happened meanwhile; returns the goal event if one came. */
  const advance = (to: Date) => {
    for (const e of future) {
      if (e.at <= clock || e.at > to) continue;
      history.push({ event: e.event, occurredAt: e.at.toISOString(), ...(typeof e.properties?.path === 'string' ? { path: e.properties.path } : {}) });
      if (isGoal(e)) {
        clock = e.at;
        return e;
      }
    }
    clock = to;
    return undefined;
  };
  const timeZone = profile.timezone ?? 'UTC';

  say(`enrolled on ${describeTrigger(scenario.trigger)} (re-entry: ${typeof scenario.reentry === 'string' ? scenario.reentry : `after ${scenario.reentry.after}`})`);
  if (scenario.trigger.who) {
    const ok = evaluateAll(scenario.trigger.who);
    say(`who: ${scenario.trigger.who.map(describeCondition).join(' and ')} → ${ok ? 'yes' : 'no'}`);
    if (!ok) return { lines, outcome: 'not-enrolled', sends };
  }

  function evaluateAll(conditions: Parameters<typeof atomsOf>[0]): boolean {
    const atoms = atomsOf(conditions);
    const counts = new Map<number, number>();
    atoms.forEach((a, i) => {
      if (isBehaviour(a)) {
        const from = windowStart(a, clock);
        counts.set(i, history.filter((h) => h.occurredAt >= from && h.occurredAt <= clock.toISOString() && activityMatches(a, h)).length);
      }
    });
    const after = lastSendAt ? history.filter((h) => h.occurredAt >= lastSendAt!) : [];
    const lastEmail = lastSendAt
      ? { opened: after.some((h) => h.event === 'Email Opened' || h.event === 'Email Link Clicked'), clicked: after.some((h) => h.event === 'Email Link Clicked') }
      : undefined;
    return combine(conditions, evaluateAtoms(atoms, { profile, behaviourCounts: counts, ...(lastEmail ? { lastEmail } : {}) }));
  }

  const byId = new Map(scenario.steps.map((s, i) => [s.id, i]));
  let index: number | undefined = 0;
  for (let n = 0; index !== undefined; n++) {
    if (n >= maxSimulatedSteps) {
      say(`stopped after ${maxSimulatedSteps} steps (a loop?)`);
      return { lines, outcome: 'step-limit', sends };
    }
    const step: Step = scenario.steps[index]!;
    const edges = edgesOf(scenario.steps, index);
    let target: string | undefined = edges[0]?.target;
    switch (step.type) {
      case 'wait': {
        const to = step.for
          ? new Date(clock.getTime() + durationSeconds(step.for) * 1000)
          : nextLocalTime(clock, timeZone, step.until!.time, step.until!.days);
        say(step.for ? `wait ${step.for} (until ${to.toISOString()})` : `wait until ${step.until!.time} ${timeZone} → ${to.toISOString()}`, step.id);
        const g = advance(to);
        if (g) {
          say(`goal reached: "${g.event}" → the journey stops`);
          return { lines, outcome: 'goal', sends };
        }
        break;
      }
      case 'send':
        say(`send "${step.template}" (${step.category}, cap policy ${step.capPolicy}) — dry run, nothing sent`, step.id);
        sends.push(step.template);
        lastSendAt = clock.toISOString();
        break;
      case 'branch': {
        const taken = step.paths.findIndex((p) => evaluateAll(p.when));
        step.paths.forEach((p, i) => say(`${p.name ?? `path ${i + 1}`}: ${p.when.map(describeCondition).join(' and ')} → ${evaluateAll(p.when) ? 'yes' : 'no'}`, step.id));
        target = taken >= 0 ? step.paths[taken]!.next : edges.at(-1)!.target;
        say(`→ ${taken >= 0 ? (step.paths[taken]!.name ?? `path ${taken + 1}`) : 'else'}: ${target ?? 'end'}`, step.id);
        break;
      }
      case 'waitFor': {
        const deadline = new Date(clock.getTime() + durationSeconds(step.timeout) * 1000);
        const hit = future.find(
          (e) => e.at > clock && e.at <= deadline && e.event === step.event && matchesWhere(step.where, { properties: e.properties ?? {} }),
        );
        const what = `"${step.event}"${step.where ? ` where ${describeWhere(step.where)}` : ''}`;
        say(`wait up to ${step.timeout} for ${what}`, step.id);
        const g = advance(hit?.at ?? deadline);
        if (g) {
          say(`goal reached: "${g.event}" → the journey stops`);
          return { lines, outcome: 'goal', sends };
        }
        say(hit ? `${what} came ${fmt(clock.getTime() - start.getTime())} after enrollment → then` : `no ${what} within ${step.timeout} → else`, step.id);
        target = hit ? edges[0]!.target : edges[1]!.target;
        break;
      }
      case 'update': {
        const changes: string[] = [];
        if (step.traits) {
          profile.traits = { ...profile.traits, ...step.traits };
          changes.push(...Object.entries(step.traits).map(([k, v]) => `traits.${k} = ${JSON.stringify(v)}`));
        }
        if (step.stage) {
          profile.stage = step.stage;
          changes.push(`stage = ${step.stage}`);
        }
        if (step.points !== undefined) {
          profile.score = { ...profile.score, value: (profile.score?.value ?? 0) + step.points };
          changes.push(`${step.points > 0 ? '+' : ''}${step.points} points (scoring adds them)`);
        }
        say(`update ${changes.join(', ')}`, step.id);
        break;
      }
      case 'notify':
        say(`notify sales: ${step.reason}`, step.id);
        break;
      case 'exit':
        say('exit', step.id);
        return { lines, outcome: 'exited', sends };
    }
    index = target === undefined ? undefined : byId.get(target);
  }
  say('journey complete');
  return { lines, outcome: 'completed', sends };
}

function fmt(ms: number): string {
  const h = Math.round(ms / 3_600_000);
  return h >= 48 ? `${Math.round(h / 24)}d` : `${h}h`;
}
