import { createHash } from 'node:crypto';
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { userAgentInfo } from '../../ingest/domain/enrich.js';
import type { Consent } from '../../profiles/domain/profile.js';
import type { MachineReason } from './machine.js';
import type { LinkClaims } from './tokens.js';

/**
 * What opens, clicks and unsubscribes feed back: events on the events stream in the collect envelope,
 * resolved by `nurture.profileId`, so scoring counts them like any other event.
 */

export type EmailEventName = 'Email Opened' | 'Email Link Clicked' | 'Unsubscribed';

/** `source` of events Nurture makes itself from mail. */
export const emailEventSource = 'nurture:email';

/**
 * Repeats within this bucket are one event (an image reloaded, a double click); distinct visits later are
 * distinct events, which scoring's own per-rule limits then govern.
 */
export const repeatBucketMs = 60_000;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 12);
}

export function emailEvent(
  name: EmailEventName,
  claims: LinkClaims,
  opts: { now: Date; userAgent?: string; url?: string; scope?: string; machine?: MachineReason },
): CollectedEvent {
  const bucket = Math.floor(opts.now.getTime() / repeatBucketMs);
  // A machine's fetch has ids of its own: a person's click in the same minute as a scanner's is no repeat.
  const messageId =
    name === 'Unsubscribed'
      ? `email-unsub-${claims.s}-${opts.scope ?? 'all'}`
      : `email-${name === 'Email Opened' ? 'open' : 'click'}${opts.machine ? '-m' : ''}-${claims.s}-${opts.url ? `${shortHash(opts.url)}-` : ''}${bucket}`;
  const agent = opts.userAgent ? userAgentInfo(opts.userAgent) : undefined;
  const at = opts.now.toISOString();
  return {
    type: 'track',
    event: name,
    messageId,
    properties: {
      templateId: claims.t,
      sendId: claims.s,
      category: claims.c,
      topic: claims.k,
      ...(claims.sc ? { scenarioId: claims.sc } : {}),
      ...(opts.url ? { url: opts.url } : {}),
      ...(opts.scope ? { scope: opts.scope } : {}),
      ...(opts.machine ? { machine: true, machineReason: opts.machine } : {}),
    },
    context: { ...(opts.userAgent ? { userAgent: opts.userAgent } : {}) },
    timestamp: at,
    receivedAt: at,
    source: emailEventSource,
    nurture: {
      v: 1,
      // An open or click no person made (domain/machine.ts) is flagged like a bot's: the stream processor
      // skips bot events, so it never scores, resumes a scenario's wait or reaches a scenario's goal.
      // Opens and clicks are judged there alone (it knows isbot, and the proxies that open for a person,
      // e.g. Gmail's, which isbot calls bots); an unsubscribe by isbot.
      bot: name === 'Unsubscribed' ? (agent?.bot ?? false) : opts.machine !== undefined,
      ...(agent ? { ua: { ...agent.ua } } : {}),
      profileId: claims.p,
    },
  };
}

export type UnsubscribeScope = 'all' | 'topic';

/** The consent record an unsubscribe leaves. */
export function revokedConsent(source: string, now: Date): Consent {
  return { status: 'revoked', source, at: now.toISOString() };
}
