/**
 * Receiving one inbound CRM event (`POST /v1/crm/events`), with its ports: signature, parse, replay guard,
 * the lead by email, then the effects as stream events. No I/O of its own: the route wires the ports.
 */
import { type CollectedEvent, enrich } from '../../ingest/domain/enrich.js';
import type { SegmentMessage } from '../../ingest/domain/schema.js';
import type { Problem } from '../../shared/validation.js';
import { type InboundEffects, inboundEffects, inboundSource, parseInboundEvent } from './inbound.js';
import { type SignatureFailure, verifySignature } from './signature.js';

/** How long (seconds) an event id is kept against replays: far beyond the 300 s signature tolerance. */
export const replayGuardSeconds = 2 * 24 * 3600;

/** What receiving needs; the route wires them once at cold start. */
export interface InboundPorts {
  /** The shared secrets (the current one first; two during a rotation). */
  secrets(): Promise<readonly string[]>;
  /** Records the event id until `expiresAt` (unix seconds); false when it was recorded before. */
  guard(id: string, expiresAt: number): Promise<boolean>;
  /** Forgets the id again (the event could not be applied: the sender's retry must not be a duplicate). */
  release(id: string): Promise<void>;
  /** The profile of an email, created (with its identity link) when new. */
  profileOfEmail(email: string, at: string): Promise<string>;
  putEvents(events: CollectedEvent[]): Promise<void>;
  now(): Date;
}

export type InboundOutcome =
  | { kind: 'unsigned'; reason: SignatureFailure }
  | { kind: 'invalid'; problems: Problem[] }
  | { kind: 'unresolvable'; field: string; message: string }
  | { kind: 'duplicate'; id: string }
  | { kind: 'applied'; id: string; profileId: string; messageId: string };

/** The stream events of an event's effects for its profile, enriched as collect enriches (pure). */
export function inboundEvents(effects: InboundEffects, profileId: string, receivedAt: Date): CollectedEvent[] {
  // enrich keeps occurredAt unless it is in the future or older than ingest's clock-skew bound (then: now).
  const common = { timestamp: effects.timestamp, context: {} };
  const message: SegmentMessage | undefined = effects.track
    ? ({ ...common, type: 'track', messageId: effects.messageId, event: effects.track.event, properties: effects.track.properties } as SegmentMessage)
    : effects.identify
      ? ({ ...common, type: 'identify', messageId: effects.messageId, traits: { ...effects.identify.traits, ...(effects.contact.email ? { email: effects.contact.email } : {}) } } as SegmentMessage)
      : undefined;
  if (!message) return [];
  const event = enrich(message, { receivedAt, writeKey: inboundSource });
  // Only Nurture builds `nurture`: enrich dropped anything else, the profile and the stage floor are ours.
  event.nurture.profileId = profileId;
  if (effects.minStage) event.nurture.minStage = effects.minStage;
  return [event];
}

/**
 * Receives one raw request. Order matters: the signature over the raw bytes first (nothing is parsed for
 * an unsigned caller), then the body, then the guard on the id (a repeat does nothing), then the lead and
 * the events; when those fail the guard is released so the sender's retry is applied, not dropped.
 */
export async function receiveInbound(raw: string, signature: string | undefined, ports: InboundPorts): Promise<InboundOutcome> {
  const now = ports.now();
  const check = verifySignature(await ports.secrets(), signature, raw, now);
  if (!check.ok) return { kind: 'unsigned', reason: check.reason };
  const parsed = parseInboundEvent(raw);
  if (!parsed.data) return { kind: 'invalid', problems: parsed.problems };
  const effects = inboundEffects(parsed.data);
  const email = effects.contact.email;
  // A CRM id alone cannot find a lead yet: no identity link keys a CRM id (README: comes later).
  if (!email) return { kind: 'unresolvable', field: 'contact.email', message: 'needed to find the lead (lookup by crmId alone is not supported yet)' };
  const id = parsed.data.id;
  if (!(await ports.guard(id, Math.floor(now.getTime() / 1000) + replayGuardSeconds))) return { kind: 'duplicate', id };
  try {
    const profileId = await ports.profileOfEmail(email, effects.timestamp);
    await ports.putEvents(inboundEvents(effects, profileId, now));
    return { kind: 'applied', id, profileId, messageId: effects.messageId };
  } catch (err) {
    await ports.release(id);
    throw err;
  }
}
