import type { CollectedEvent } from '../../functions/ingest/domain/enrich.js';

let n = 0;

/** A collected (enriched) event as the stream carries it. */
export function collected(partial: Partial<CollectedEvent> & { path?: string; at?: string }): CollectedEvent {
  const { path, at, ...rest } = partial;
  const timestamp = at ?? rest.timestamp ?? '2026-06-01T10:00:00.000Z';
  return {
    type: 'track',
    messageId: `msg-${++n}`,
    anonymousId: 'anon-1',
    receivedAt: timestamp,
    source: 'test_write_key',
    ...rest,
    timestamp,
    context: { ...(path ? { page: { path, url: `https://www.example.com${path}` } } : {}), ...(rest.context ?? {}) },
    nurture: { v: 1, bot: false, ...(rest.nurture ?? {}) },
  } as CollectedEvent;
}

export const pageView = (path: string, at?: string, extra: Partial<CollectedEvent> = {}) =>
  collected({ type: 'page', path, ...(at ? { at } : {}), ...extra });

export const track = (event: string, properties: Record<string, unknown> = {}, at?: string, extra: Partial<CollectedEvent> = {}) =>
  collected({ type: 'track', event, properties, ...(at ? { at } : {}), ...extra });

/** An ISO time `days` after a fixed origin (2026-06-01T10:00Z). */
export const day = (days: number, hours = 0) =>
  new Date(Date.parse('2026-06-01T10:00:00.000Z') + days * 86_400_000 + hours * 3_600_000).toISOString();
