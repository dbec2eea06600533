/**
 * The shapes a destination delivery is made of (the event, its lead facts, the request) and the helpers
 * every preset shares. Pure, no I/O.
 */
import type { EventFilter } from './definition.js';

/** What the lead looks like when the event is delivered (read from the profile by the delivery). */
export interface LeadSnapshot {
  email?: string;
  firstName?: string;
  lastName?: string;
  /** A full name when the profile has no first/last (`name` trait). */
  name?: string;
  company?: string;
  phone?: string;
  stage?: string;
  score?: number;
}

/** One domain event as EventBridge carries it, plus the lead snapshot. */
export interface DeliveryEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  lead?: LeadSnapshot;
}

/** What rendering needs from its surroundings. */
export interface DeliveryContext {
  /** The lead's page in the console. */
  leadUrl(profileId: string): string;
  /** Reserved; no preset reads the clock, so a replay renders what the first delivery did. */
  now: Date;
}

/** The request to make: path is appended to the definition's endpoint; headers hold no secret. */
export interface Delivery {
  method: 'POST' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  /** JSON-serializable object, or the exact bytes to send (the signed webhook). */
  body: Record<string, unknown> | string;
}

/** What every preset reads: the event's facts, merged with the lead snapshot. */
export interface LeadFacts {
  profileId: string;
  messageId: string;
  occurredAt: string;
  detailType: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  company?: string;
  phone?: string;
  stage?: string;
  score?: number;
  /** Why the lead is delivered, in one line ("Stage changed from known to mql"; a hand-off's reason). */
  reason: string;
  /** The lead's page in the console. */
  url: string;
}

export const jsonHeaders: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The one-line reason of an event (what sales reads first). */
export function reasonOf(detailType: string, detail: Record<string, unknown>): string {
  switch (detailType) {
    case 'lead.stage_changed':
      return `Stage changed from ${str(detail.from) ?? '?'} to ${str(detail.to) ?? '?'}`;
    case 'lead.lifecycle_changed':
      return `Lifecycle changed from ${str(detail.from) ?? '?'} to ${str(detail.to) ?? '?'}`;
    case 'lead.handoff':
      return str(detail.reason) ?? 'Handed off to sales';
    case 'lead.identified':
      return 'Lead identified';
    case 'segment.entered':
      return `Entered segment ${str(detail.segmentId) ?? '?'}`;
    case 'segment.exited':
      return `Left segment ${str(detail.segmentId) ?? '?'}`;
    default:
      return detailType;
  }
}

/** The facts of an event; undefined when it names no profile (nothing to deliver). */
export function leadFacts(event: DeliveryEvent, ctx: DeliveryContext): LeadFacts | undefined {
  const d = event.detail;
  const profileId = str(d.profileId);
  if (!profileId) return undefined;
  const lead = event.lead ?? {};
  const stage = event.detailType === 'lead.stage_changed' ? (str(d.to) ?? lead.stage) : lead.stage;
  const score = num(d.score) ?? lead.score;
  const email = lead.email ?? str(d.email);
  return {
    profileId,
    messageId: str(d.messageId) ?? '',
    occurredAt: str(d.occurredAt) ?? '', // never the clock: a replay must render the same bytes
    detailType: event.detailType,
    ...(email !== undefined ? { email } : {}),
    ...(lead.firstName !== undefined ? { firstName: lead.firstName } : {}),
    ...(lead.lastName !== undefined ? { lastName: lead.lastName } : {}),
    ...(lead.name !== undefined ? { name: lead.name } : {}),
    ...(lead.company !== undefined ? { company: lead.company } : {}),
    ...(lead.phone !== undefined ? { phone: lead.phone } : {}),
    ...(stage !== undefined ? { stage } : {}),
    ...(score !== undefined ? { score } : {}),
    reason: reasonOf(event.detailType, d),
    url: ctx.leadUrl(profileId),
  };
}

/** Whether an event passes an entry's filter (to/from on changes, segments on segment events). */
export function passesFilter(filter: EventFilter | undefined, detail: Record<string, unknown>): boolean {
  if (!filter) return true;
  if (filter.to && !filter.to.includes(String(detail.to))) return false;
  if (filter.from && !filter.from.includes(String(detail.from))) return false;
  if (filter.segments && !filter.segments.includes(String(detail.segmentId))) return false;
  return true;
}

/** The generic webhook's body: `{id, type, occurredAt, data}` with the event's messageId as id. */
export function webhookEnvelope(event: DeliveryEvent): { id: string; type: string; occurredAt: string; data: Record<string, unknown> } {
  return { id: String(event.detail.messageId ?? ''), type: event.detailType, occurredAt: String(event.detail.occurredAt ?? ''), data: event.detail };
}
