/**
 * The operator's broadcast actions: create (and start), list, show, pause, resume, cancel. Ports only
 * (no SDK): the admin function and the CLI wire the same use cases.
 *
 * Status transitions: running → paused → running (resume), running|paused → cancelled, running → done
 * (the finisher, when every shard is done). Pause and cancel take effect at each shard's next page (within
 * pausePollSeconds / maxWaitSeconds of a wait). Resume also starts a new execution when the last one is
 * no longer running (it failed, or was stopped): the new one continues from the shards' committed cursors.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { BadRequestError, NotFoundError } from '../../shared/errors.js';
import { BroadcastStateError } from '../errors.js';
import { type Broadcast, broadcastLimits, type BroadcastStatus, createBroadcastSchema, type FeedbackKind, type ShardState } from './model.js';
import type { BroadcastStorePort, ExecutionStarter } from './page.js';
import { type BroadcastProgress, type BroadcastResults, displayStatus, foldResults, progressOf } from './results.js';
import { scheduleProblem, startOf } from './schedule.js';

export interface BroadcastAdminPorts {
  store: Pick<BroadcastStorePort, 'broadcast' | 'allShards' | 'setStatus' | 'bumpGeneration'> & {
    /** Conditional put; false when the id exists. */
    create(b: Broadcast): Promise<boolean>;
    list(limit: number, cursor?: string): Promise<{ items: Broadcast[]; cursor?: string }>;
    feedback(id: string): Promise<Partial<Record<FeedbackKind, number>>[]>;
  };
  segments: { exists(id: string): Promise<boolean>; count(id: string): Promise<number> };
  starter: ExecutionStarter;
  /** The configured SES rate (sends per second) and default time zone. */
  ratePerSecond: number;
  defaultTimeZone: string;
  now(): Date;
}

export const broadcastIdRe = /^[A-Za-z0-9_-]{1,64}$/;
const newId = () => `b_${randomBytes(12).toString('base64url')}`;

export interface BroadcastView extends Omit<Broadcast, 'status'> {
  status: BroadcastStatus | 'scheduled';
  progress: BroadcastProgress;
  results: BroadcastResults;
}

function parseCreate(body: unknown): z.infer<typeof createBroadcastSchema> & { id?: string } {
  const raw = (body && typeof body === 'object' && !Array.isArray(body) ? body : undefined) as Record<string, unknown> | undefined;
  if (!raw) throw new BadRequestError('body', 'a JSON object { segment, template, schedule }');
  const { id, ...rest } = raw;
  if (id !== undefined && (typeof id !== 'string' || !broadcastIdRe.test(id))) throw new BadRequestError('id', `1-${broadcastLimits.maxIdChars} characters of A-Z, a-z, 0-9, _ and -`);
  const parsed = z.safeParse(createBroadcastSchema, rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    const hint = field.startsWith('schedule') ? ' (schedule: "now", {"at": ISO instant with offset}, or {"localTime": "09:00", "date": "2026-12-10"})' : '';
    throw new BadRequestError(field, `${issue.message}${hint}`);
  }
  return { ...parsed.data, ...(typeof id === 'string' ? { id } : {}) };
}

/** Creates a broadcast and starts its execution. A replay with the same `id` and document answers the stored one. */
export async function createBroadcast(body: unknown, ports: BroadcastAdminPorts): Promise<{ created: boolean; broadcast: BroadcastView }> {
  const req = parseCreate(body);
  const now = ports.now();
  const problem = scheduleProblem(req.schedule, now);
  if (problem) throw new BadRequestError(problem.field, problem.message);
  if (!(await ports.segments.exists(req.segment))) throw new NotFoundError(`segment ${req.segment} not found`, 'segment');
  if (req.id) {
    const existing = await ports.store.broadcast(req.id);
    if (existing) {
      const same = existing.segmentId === req.segment && existing.templateId === req.template && JSON.stringify(existing.schedule) === JSON.stringify(req.schedule);
      if (!same) throw new BadRequestError('id', `broadcast ${req.id} exists with another segment, template or schedule`);
      return { created: false, broadcast: await showBroadcast(req.id, ports) };
    }
  }
  const start = startOf(req.schedule, now);
  const b: Broadcast = {
    id: req.id ?? newId(),
    ...(req.name ? { name: req.name } : {}),
    segmentId: req.segment,
    templateId: req.template,
    schedule: req.schedule,
    capPolicy: req.capPolicy ?? 'skip',
    status: 'running',
    startAt: (start ?? now).toISOString(),
    ratePerSecond: ports.ratePerSecond,
    defaultTimeZone: req.schedule !== 'now' && 'localTime' in req.schedule && req.schedule.defaultTimeZone ? req.schedule.defaultTimeZone : ports.defaultTimeZone,
    members: await ports.segments.count(req.segment),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    generation: 0,
  };
  if (!(await ports.store.create(b))) return { created: false, broadcast: await showBroadcast(b.id, ports) };
  await ports.starter.start(b, 0);
  return { created: true, broadcast: await showBroadcast(b.id, ports) };
}

function viewOf(b: Broadcast, shards: ShardState[], feedback: Partial<Record<FeedbackKind, number>>[], now: Date): BroadcastView {
  const results = foldResults(shards, feedback);
  return { ...b, status: displayStatus(b, shards, now) as BroadcastView['status'], progress: progressOf(shards, b.members, results.targeted), results };
}

export async function showBroadcast(id: string, ports: Pick<BroadcastAdminPorts, 'store' | 'now'>): Promise<BroadcastView> {
  const b = await ports.store.broadcast(id);
  if (!b) throw new NotFoundError(`broadcast ${id} not found`);
  const [shards, feedback] = await Promise.all([ports.store.allShards(id), ports.store.feedback(id)]);
  return viewOf(b, shards, feedback, ports.now());
}

export async function listBroadcasts(limit: number, cursor: string | undefined, ports: Pick<BroadcastAdminPorts, 'store'>) {
  return ports.store.list(limit, cursor);
}

const allowed: Record<'pause' | 'resume' | 'cancel', { to: BroadcastStatus; from: BroadcastStatus[] }> = {
  pause: { to: 'paused', from: ['running'] },
  resume: { to: 'running', from: ['paused', 'running'] },
  cancel: { to: 'cancelled', from: ['running', 'paused'] },
};

/** Pause, resume or cancel. Repeating an action that already holds answers as the first did. */
export async function changeStatus(id: string, action: keyof typeof allowed, ports: BroadcastAdminPorts): Promise<BroadcastView> {
  const b = await ports.store.broadcast(id);
  if (!b) throw new NotFoundError(`broadcast ${id} not found`);
  const rule = allowed[action];
  if (b.status !== rule.to || action === 'resume') {
    if (!rule.from.includes(b.status)) throw new BroadcastStateError(id, b.status, action);
    if (b.status !== rule.to && !(await ports.store.setStatus(id, rule.to, rule.from, ports.now()))) {
      const now = await ports.store.broadcast(id);
      throw new BroadcastStateError(id, now?.status ?? 'gone', action);
    }
  }
  // A stalled broadcast (its execution failed or was stopped) continues in a new execution.
  if (action === 'resume' && !(await ports.starter.running(b, b.generation))) {
    await ports.starter.start(b, b.generation + 1);
    await ports.store.bumpGeneration(id, b.generation);
  }
  return showBroadcast(id, ports);
}
