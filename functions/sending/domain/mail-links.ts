/**
 * What the public links in a sent mail do: the open pixel and tracked clicks feed events back, the
 * unsubscribe link records the choice, and view-in-browser renders the mail again. The token decides
 * everything: a malformed, altered or foreign token is refused before anything is read or written.
 */
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import type { Consent, Profile } from '../../profiles/domain/profile.js';
import { BadRequestError, NotFoundError } from '../../shared/errors.js';
import { emailEvent, revokedConsent, type UnsubscribeScope } from './feedback.js';
import { isRedirectable } from './links.js';
import { type FetchSignals, type MachineReason, machineClick, machineClickTiming, machineOpen, type SendTimes } from './machine.js';
import type { ConsentRecord } from '../../forms/domain/model.js';
import type { SenderIdentity, SendRecord } from './model.js';
import { linkUrls, type TemplateStore, templateVars } from './send.js';
import { composeEmail } from './template.js';
import { recommendationEvent } from './rec-feedback.js';
import { type LinkClaims, type TokenPurpose, verifyToken } from './tokens.js';

/** Ports of the mail-link use cases (adapters: DynamoDB, the content bucket, the events stream). */
export interface MailLinkPorts {
  /** HMAC secret of link tokens. */
  secret: string;
  /** Public base URL of the API, no trailing slash. */
  base: string;
  store: {
    resolveProfile(profileId: string): Promise<{ profileId: string; profile: Profile } | undefined>;
    setConsent(profileId: string, consent: Consent): Promise<boolean>;
    setTopic(profileId: string, topic: string, subscribed: boolean): Promise<void>;
    getRecord(profileId: string, sendId: string): Promise<SendRecord | undefined>;
    /** When a send went out and when its honeypot link was last followed (undefined: no such send). */
    sendTimes(profileId: string, sendId: string): Promise<SendTimes | undefined>;
    /** Records that a send's honeypot link was followed at `at` (nothing if the send is unknown). */
    markHoneypot(profileId: string, sendId: string, at: string): Promise<void>;
    /** Counts a broadcast mail's first open/click/unsubscribe for its broadcast (once per send and kind). */
    markBroadcastFeedback?(profileId: string, sendId: string, broadcastId: string, kind: 'opened' | 'clicked' | 'unsubscribed', at: Date): Promise<boolean>;
  };
  templates: TemplateStore;
  /** Puts events on the events stream; never throws (feeding back must not cost a recipient their click). */
  feed(events: CollectedEvent[]): Promise<void>;
  /** Origins of a page that shows sent mail and loads its images itself (the local SES inbox); none on AWS. */
  inboxOrigins: readonly string[];
  /** The consent ledger (functions/forms/adapters/consent-store.ts): unsubscribing from all mail is recorded there. */
  ledger?: { append(record: ConsentRecord): Promise<void> };
  /** The sender identity view-in-browser renders marketing mail with (as the send did). */
  sender?: SenderIdentity;
  now(): Date;
  /** Where a failed read or write that must not fail the request is reported. */
  log?(message: string, details: Record<string, unknown>): void;
}

/** The claims of a genuine token for `purpose`; a 400 naming `token` otherwise (never redirected). */
export function claimsOf(secret: string, purpose: TokenPurpose, token: string): LinkClaims {
  const claims = verifyToken(secret, purpose, token);
  if (!claims) throw new BadRequestError('token', 'this link is invalid or was altered');
  return claims;
}

const agent = (s: FetchSignals) => (s.userAgent ? { userAgent: s.userAgent } : {});
const machine = (reason: MachineReason | undefined) => (reason ? { machine: reason } : {});

/** Runs a read or write the answer does not depend on: a failure is logged and answers `fallback`. */
async function bestEffort<T>(ports: MailLinkPorts, what: string, work: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await work();
  } catch (err) {
    ports.log?.(`${what} failed`, { error: String(err) });
    return fallback;
  }
}

/** A person's (not a machine's) first open, click or unsubscribe of a broadcast mail counts for the broadcast. */
async function countForBroadcast(ports: MailLinkPorts, claims: LinkClaims, kind: 'opened' | 'clicked' | 'unsubscribed', machineReason: MachineReason | undefined) {
  const mark = ports.store.markBroadcastFeedback?.bind(ports.store);
  if (!claims.b || machineReason || !mark) return;
  await bestEffort(ports, 'broadcast feedback', () => mark(claims.p, claims.s, claims.b!, kind, ports.now()), false);
}

/**
 * Open pixel: feeds "Email Opened" (repeats within a minute are one event), marked as a machine's when a
 * mail proxy, a scanner or the local inbox page fetched it. Answers the same whoever asks.
 */
export async function recordOpen(token: string, signals: FetchSignals, ports: MailLinkPorts): Promise<void> {
  const claims = claimsOf(ports.secret, 'open', token);
  const reason = machineOpen(signals, ports.inboxOrigins);
  await countForBroadcast(ports, claims, 'opened', reason);
  const opened = emailEvent('Email Opened', claims, { now: ports.now(), ...agent(signals), ...machine(reason) });
  const viewed = reason ? undefined : recommendationEvent(opened, claims);
  await ports.feed(viewed ? [opened, viewed] : [opened]);
}

/**
 * Tracked link: feeds "Email Link Clicked", marked as a machine's when a scanner, the honeypot, the time
 * since the send or the local inbox page says so, and answers the target signed into the token: a scanner
 * is redirected like a person. The send's times are read only when the request alone does not tell.
 */
export async function recordClick(token: string, signals: FetchSignals, ports: MailLinkPorts): Promise<string> {
  const claims = claimsOf(ports.secret, 'click', token);
  // A genuine token names its own target; anything but an absolute http(s) URL is refused all the same.
  if (!claims.u || !isRedirectable(claims.u)) throw new BadRequestError('token', 'this link is invalid or was altered');
  const now = ports.now();
  let reason: MachineReason | undefined;
  if (claims.h) {
    reason = 'honeypot';
    await bestEffort(ports, 'honeypot mark', () => ports.store.markHoneypot(claims.p, claims.s, now.toISOString()), undefined);
  } else {
    reason = machineClick(signals, ports.inboxOrigins);
    reason ??= machineClickTiming(await bestEffort(ports, 'send times read', () => ports.store.sendTimes(claims.p, claims.s), undefined), now);
  }
  // The honeypot's target is the mail's view-in-browser link: a credential to the mail, kept off the stream.
  await countForBroadcast(ports, claims, 'clicked', reason);
  const url = claims.h ? {} : { url: claims.u };
  const clicked = emailEvent('Email Link Clicked', claims, { now, ...url, ...agent(signals), ...machine(reason) });
  const rec = reason ? undefined : recommendationEvent(clicked, claims, claims.u);
  await ports.feed(rec ? [clicked, rec] : [clicked]);
  return claims.u;
}

/**
 * Unsubscribes from all marketing mail or from the mail's topic, and feeds "Unsubscribed". Idempotent.
 * `oneClick`: the RFC 8058 POST a mail client sends (recorded as such).
 */
export async function unsubscribe(token: string, choice: { scope: UnsubscribeScope; oneClick: boolean }, ports: MailLinkPorts): Promise<LinkClaims> {
  const claims = claimsOf(ports.secret, 'unsubscribe', token);
  const found = await ports.store.resolveProfile(claims.p);
  if (!found) throw new NotFoundError('this recipient is no longer known', 'token');
  const now = ports.now();
  if (choice.scope === 'all') {
    const consent = revokedConsent(choice.oneClick ? 'list-unsubscribe-one-click' : 'unsubscribe-page', now);
    // The consent ledger (forms' model) keeps the withdrawal, once: a repeated unsubscribe changes nothing.
    if ((await ports.store.setConsent(found.profileId, consent)) && ports.ledger) {
      await ports.ledger.append({
        profileId: found.profileId,
        purpose: 'email',
        consentId: 'email',
        status: 'revoked',
        method: 'unsubscribe',
        textVersion: consent.source,
        text: choice.oneClick ? 'List-Unsubscribe one-click (RFC 8058)' : 'Unsubscribe page: all marketing email',
        locale: 'en',
        at: consent.at,
      });
    }
  }
  else await ports.store.setTopic(found.profileId, claims.k, false);
  await countForBroadcast(ports, claims, 'unsubscribed', undefined);
  await ports.feed([emailEvent('Unsubscribed', { ...claims, p: found.profileId }, { now, scope: choice.scope })]);
  return claims;
}

/** View in browser: the mail as sent, rendered again from its send record and the current profile. */
export async function viewMail(token: string, ports: MailLinkPorts): Promise<string> {
  const claims = claimsOf(ports.secret, 'view', token);
  const record = await ports.store.getRecord(claims.p, claims.s);
  const found = await ports.store.resolveProfile(claims.p);
  if (!record || !found) throw new NotFoundError('this email is no longer available', 'token');
  const template = await ports.templates.load(record.templateId);
  const links = linkUrls(ports.base, ports.secret, claims);
  const vars = templateVars(found.profileId, found.profile, { templateId: record.templateId, scenarioId: record.scenarioId, context: record.context }, record.sendId, links, record.recommendations, ports.sender);
  const mail = await composeEmail(template, vars, { base: ports.base, click: links.click });
  return mail.html;
}
