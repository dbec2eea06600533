/**
 * Events the stream processor could not apply, kept for replay (README "Events that cannot be applied").
 * Pure. An event is set aside alone, only when applying it fails for a reason that retrying cannot
 * change (DynamoDB refused to store what it carries, or the rules engine failed on its data); the rest of
 * its batch and of its profile's events are applied as usual.
 */
import type { CollectedEvent } from '../../ingest/domain/enrich.js';

/**
 * Largest event kept whole on its record (JSON bytes). Collect accepts messages of at most 32 KB and
 * enrichment adds well under 1 KB, so every accepted event fits; the bound keeps the record far below
 * DynamoDB's 400 KB item size whatever reaches the stream.
 */
export const maxSetAsideEventBytes = 64 * 1024;
/** Longest error description kept on a record (a stack of causes is summarized, not stored). */
export const maxSetAsideErrorChars = 1024;
/** Days a record is kept for replay: as long as the failure queue keeps a failed batch (14 days). */
export const setAsideKeptDays = 14;

/** An event set aside, as stored and listed. */
export interface SetAsideEvent {
  profileId: string;
  messageId: string;
  /** Where the stream held it (readable there for the stream's retention, 24 h). */
  shard: string;
  seq: string;
  /** Event time and receipt time (ISO). */
  timestamp: string;
  receivedAt: string;
  /** The event as the stream carried it (JSON); absent only when over maxSetAsideEventBytes. */
  event?: string;
  eventBytes: number;
  /** Why it could not be applied: `<error name>: <message>` and its causes, at most maxSetAsideErrorChars. */
  error: string;
  setAsideAt: string;
  /** Epoch seconds after which the record is gone (DynamoDB TTL; readers skip it before). */
  expiresAt: number;
}

/** `Name: message` of an error and its causes, cut to maxSetAsideErrorChars. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 4; depth++) {
    const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    // A domain error usually quotes its cause already.
    if (!parts.some((p) => p.includes(text))) parts.push(text);
    e = e instanceof Error ? e.cause : undefined;
  }
  const text = parts.join(' <- ');
  return text.length > maxSetAsideErrorChars ? `${text.slice(0, maxSetAsideErrorChars - 1)}…` : text;
}

/** The record of one event set aside at `now`. */
export function setAsideRecord(
  r: { profileId: string; shard: string; seq: string; event: CollectedEvent; error: unknown },
  now: Date,
): SetAsideEvent {
  const json = JSON.stringify(r.event);
  const bytes = Buffer.byteLength(json, 'utf8');
  return {
    profileId: r.profileId,
    messageId: r.event.messageId,
    shard: r.shard,
    seq: r.seq,
    timestamp: String(r.event.timestamp),
    receivedAt: String(r.event.receivedAt),
    ...(bytes <= maxSetAsideEventBytes ? { event: json } : {}),
    eventBytes: bytes,
    error: describeError(r.error),
    setAsideAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + setAsideKeptDays * 86_400,
  };
}
