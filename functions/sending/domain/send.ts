import { createHash } from 'node:crypto';
import type { ActivityEntry, Profile } from '../../profiles/domain/profile.js';
import {
  type CapsItem,
  type Claim,
  type Counter,
  claimOf,
  countersFor,
  describeFull,
  fullCounters,
  reopensAt,
  staleAttributes,
} from './caps.js';
import { type Category, maxContextBytes, type SendInput, type SendResult, sendInputSchema, type SkipReason } from './contract.js';
import { MailRefusedError, SendInProgressError, SendInputError, SendRetryableError, TemplateError } from '../errors.js';
import {
  type OutgoingMail,
  type RecipientState,
  type SenderIdentity,
  type SendingConfig,
  type SendRecord,
  type Suppression,
} from './model.js';
import { type CompiledTemplate, composeEmail, type TemplateVars } from './template.js';
import { type LinkClaims, signToken, type TokenPurpose } from './tokens.js';
import { isTimeZone, quietHoursEnd } from './windows.js';
import * as z from 'zod/mini';

/** Ports of the send use case: DynamoDB, the content bucket and SES behind small interfaces. */
export interface SendStore {
  recipient(profileId: string, sendId: string): Promise<RecipientState>;
  suppression(email: string): Promise<Suppression | undefined>;
  /** One conditional update; undefined when reserved, else the item as it stands (why it failed). */
  reserve(profileId: string, r: { sendId: string; claim: Claim; counters: Counter[]; stale: string[] }): Promise<CapsItem | undefined>;
  /** Gives back a reservation (SES refused): decrements its counters and drops the claim, once. */
  release(profileId: string, sendId: string, claim: Claim): Promise<void>;
  record(r: SendRecord): Promise<void>;
  getRecord(profileId: string, sendId: string): Promise<SendRecord | undefined>;
  capsItem(profileId: string): Promise<CapsItem>;
}

export interface TemplateStore {
  /** The checked, compiled template; TemplateError when missing or failing its check. */
  load(templateId: string): Promise<CompiledTemplate>;
}

export interface Mailer {
  /** Resolves with SES's message id; MailRefusedError when SES answered no; anything else: outcome unknown. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

/** The recipient's recommended products for a template that asks for them (functions/recommendations/mail.ts). */
export type RecommendationSource = (
  recipient: { profileId: string; recent: ActivityEntry[] },
  spec: NonNullable<CompiledTemplate['recommendations']>,
) => Promise<{ items: unknown[]; recId?: string; strategy?: string; variant?: string }>;

export interface SendPorts {
  config: SendingConfig;
  store: SendStore;
  templates: TemplateStore;
  mailer: Mailer;
  /** HMAC secret of link tokens. */
  linkSecret: string;
  /** Fills `recommendations` when a template's front matter asks for it; without it the list stays empty. */
  recommendations?: RecommendationSource;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** Reservation attempts when a failed condition no longer shows its cause (only under heavy contention). */
const reserveAttempts = 3;

/** How long a call that finds its key claimed waits for the first call's result before answering "in progress". */
export const duplicateWaitMs = 5_000;
const duplicatePollMs = 100;
/**
 * The lease of a claim without a send record: past it, its call is known to be dead, because the lease is
 * longer than the send function's timeout (30 s, infra/sending.ts; a test keeps it under half the lease),
 * so a live call is never mistaken for a dead one. A dead call's outcome is unknown (it reserves right
 * before calling SES, so it almost surely died while calling SES or before recording, perhaps after SES
 * accepted): the next call with the same key answers `outcome-unknown` and that key is never sent again.
 * At most once, without a second write per mail to tell "died before SES" from "died during it" (that
 * window is one round trip). Scenario send steps retry SendInProgressError for longer than this
 * (scenarios' retry-policy.ts), so a retry gets that final answer and the journey moves on.
 */
export const claimLeaseMs = 120_000;

/** Deterministic send id: the same profile and idempotency key always name the same send. */
export function sendIdOf(profileId: string, idempotencyKey: string): string {
  return `s_${createHash('sha256').update(`${profileId}\n${idempotencyKey}`).digest('base64url').slice(0, 22)}`;
}

/** Parses the input against the contract; SendInputError names the first bad field. */
export function parseSendInput(raw: unknown): SendInput {
  const parsed = z.safeParse(sendInputSchema, raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'input';
    throw new SendInputError(`${field}: ${issue.message}`, field);
  }
  if (parsed.data.context && Buffer.byteLength(JSON.stringify(parsed.data.context)) > maxContextBytes) {
    throw new SendInputError(`context: larger than ${maxContextBytes} bytes`, 'context');
  }
  return parsed.data;
}

/** Why this recipient must not get this mail, if anything. */
export function ineligibility(
  category: Category,
  topic: string,
  profile: Profile,
  suppression: Suppression | undefined,
  consentMode: SendingConfig['consentMode'],
): SkipReason | undefined {
  // A hard-bounced address does not exist and an operator's suppression is absolute: no mail at all.
  if (suppression?.reason === 'bounce') return 'suppressed-bounce';
  if (suppression?.reason === 'manual') return 'suppressed-manual';
  if (category === 'transactional') return undefined;
  if (suppression?.reason === 'complaint') return 'suppressed-complaint';
  if (profile.consent?.status === 'revoked') return 'unsubscribed';
  if (consentMode === 'opt-in' && profile.consent?.status !== 'granted') return 'no-consent';
  if (profile.subscriptions?.[topic] === false) return 'topic-unsubscribed';
  return undefined;
}

/** `"Name" <address>`, with an RFC 2047 encoded word for non-ASCII names. */
export function fromHeader(name: string | undefined, address: string): string {
  if (!name) return address;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range test
  const encoded = /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/["\\]/g, '\\$&')}"`
    : `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  return `${encoded} <${address}>`;
}

/** SES tag values allow only [A-Za-z0-9_.@-], at most 256 characters. */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);
}

/** The public URLs of one send: unsubscribe, view in browser, tracked clicks, the open pixel. */
export function linkUrls(base: string, secret: string, claims: LinkClaims, rec?: LinkClaims['r']) {
  const url = (purpose: TokenPurpose, path: string, extra: Partial<LinkClaims> = {}) =>
    `${base}/v1/${path}/${signToken(secret, purpose, { ...claims, ...extra })}`;
  const view = url('view', 'v');
  return {
    unsubscribe: url('unsubscribe', 'u'),
    view,
    // A mail with products: its open is their impression (domain/rec-feedback.ts).
    pixel: url('open', 't/o', rec ? { r: rec } : {}),
    click: (target: string) => url('click', 't/c', { u: target }),
    // The hidden link scanners follow: it redirects to the mail in the browser, a page that changes nothing.
    honeypot: url('click', 't/c', { u: view, h: 1 }),
  };
}

/** The variables a template renders with, for a real profile. */
export function templateVars(
  profileId: string,
  profile: Profile,
  input: Pick<SendInput, 'templateId' | 'scenarioId' | 'context'>,
  sendId: string,
  links: { unsubscribe: string; view: string },
  filled?: unknown[],
  sender: SenderIdentity = noSender,
): TemplateVars {
  const recommendations = filled ?? input.context?.recommendations;
  return {
    profile: {
      id: profileId,
      ...(profile.email ? { email: profile.email } : {}),
      traits: profile.traits ?? {},
      score: Math.round(profile.score?.value ?? 0),
      stage: profile.stage,
      ...(profile.timezone ? { timezone: profile.timezone } : {}),
      known: profile.known,
    },
    context: input.context ?? {},
    unsubscribe_url: links.unsubscribe,
    view_url: links.view,
    recommendations: Array.isArray(recommendations) ? recommendations : [],
    send: { id: sendId, template: input.templateId, ...(input.scenarioId ? { scenario: input.scenarioId } : {}) },
    sender: { name: sender.name, address: sender.address },
  };
}

/** What templates see when the deployment sets no sender identity (the template check still requires the references). */
export const noSender: SenderIdentity = { name: '', address: '' };

/**
 * Sends one mail to one profile, at most once per idempotency key: load the recipient, refuse suppressed
 * or non-consenting recipients, defer in quiet hours, render, reserve every cap window in one conditional
 * write, send through SES, record the send. A template problem throws TemplateError before anything is
 * reserved or sent.
 */
export async function send(raw: unknown, ports: SendPorts): Promise<SendResult> {
  const input = parseSendInput(raw);
  const { config, store } = ports;
  const now = (ports.now ?? (() => new Date()))();
  const sendId = sendIdOf(input.profileId, input.idempotencyKey);

  const state = await store.recipient(input.profileId, sendId);
  if (state.record) return sentResult(state.record);
  const profile = state.profile;
  if (!profile) return { status: 'skipped', reason: 'unknown-profile', detail: `no profile ${input.profileId}` };

  const template = await ports.templates.load(input.templateId);
  if (template.category !== input.category) {
    throw new TemplateError(input.templateId, `is ${template.category} mail, but the send asked for ${input.category}`);
  }
  if (!profile.email) return { status: 'skipped', reason: 'no-email' };
  const refusal = ineligibility(input.category, template.topic, profile, await store.suppression(profile.email), config.consentMode);
  if (refusal) return { status: 'skipped', reason: refusal };

  const timeZone = isTimeZone(profile.timezone) ? profile.timezone : config.defaultTimeZone;
  const marketing = input.category === 'marketing';
  const quietUntil = (at: Date) => (marketing ? quietHoursEnd(at, timeZone, config.quietHours) : undefined);
  const quiet = quietUntil(now);
  if (quiet) return { status: 'deferred', until: quiet.toISOString(), reason: 'quiet-hours', detail: `recipient time zone ${timeZone}` };

  // A claim already there: another call holds this send, or held it and died.
  if (claimOf(state.caps, sendId)) return duplicate(state.profileId, sendId, ports, now);
  const counters = countersFor(now, timeZone, input.category, input.scenarioId, config.caps);
  const overCap = (full: Counter[]): SendResult => {
    if (input.capPolicy !== 'defer') return { status: 'skipped', reason: 'cap-reached', detail: describeFull(full) };
    const opens = reopensAt(full);
    const until = quietUntil(opens) ?? opens;
    return { status: 'deferred', until: until.toISOString(), reason: 'cap-reached', detail: describeFull(full) };
  };
  // Already full as read: answer without spending a (failing) conditional write.
  const fullAsRead = fullCounters(counters, state.caps);
  if (fullAsRead.length > 0) return overCap(fullAsRead);

  const claims: LinkClaims = {
    p: state.profileId,
    s: sendId,
    t: input.templateId,
    c: input.category,
    k: template.topic,
    ...(input.scenarioId ? { sc: input.scenarioId } : {}),
    ...(input.broadcastId ? { b: input.broadcastId } : {}),
  };
  // More reads per mail, only for templates that ask; their links are tracked like any other.
  const recs =
    template.recommendations && ports.recommendations
      ? await ports.recommendations({ profileId: state.profileId, recent: profile.recent ?? [] }, template.recommendations)
      : undefined;
  const shown = recs?.recId && recs.strategy && recs.variant && recs.items.length > 0 ? { i: recs.recId, s: recs.strategy, v: recs.variant } : undefined;
  const links = linkUrls(config.publicApiUrl, ports.linkSecret, claims, shown);
  const mail = await composeEmail(template, templateVars(state.profileId, profile, input, sendId, links, recs?.items, config.sender), {
    base: config.publicApiUrl,
    click: links.click,
    pixel: links.pixel,
    ...(input.category === 'marketing' ? { honeypot: links.honeypot } : {}),
  });

  // Reserved last, right before SES: a call that dies holding a claim almost surely died calling SES.
  const claim: Claim = { at: now.getTime(), counters: counters.map((c) => c.attr) };
  let seen = state.caps;
  for (let attempt = 1; ; attempt++) {
    const failed = await store.reserve(state.profileId, { sendId, claim, counters, stale: staleAttributes(seen, counters, now) });
    if (!failed) break;
    if (claimOf(failed, sendId)) return duplicate(state.profileId, sendId, ports, now);
    const full = fullCounters(counters, failed);
    if (full.length > 0) return overCap(full);
    // The item read after the failure no longer shows why (a reservation was given back meanwhile): try again.
    if (attempt >= reserveAttempts) throw new SendInProgressError('the send counter kept changing while reserving; retry');
    seen = failed;
  }

  let messageId: string;
  try {
    ({ messageId } = await ports.mailer.send({
      from: fromHeader(template.fromName, config.senderAddress),
      to: profile.email,
      ...(template.replyTo ? { replyTo: template.replyTo } : {}),
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      headers: marketing
        ? [
            // RFC 8058 one-click unsubscribe; RFC 2369 List-Unsubscribe.
            { name: 'List-Unsubscribe', value: `<${links.unsubscribe}>` },
            { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
          ]
        : [],
      tags: {
        profileId: tagValue(state.profileId),
        sendId: tagValue(sendId),
        templateId: tagValue(input.templateId),
        category: input.category,
        ...(input.scenarioId ? { scenarioId: tagValue(input.scenarioId) } : {}),
        ...(input.broadcastId ? { broadcastId: tagValue(input.broadcastId) } : {}),
      },
      ...(config.configurationSet ? { configurationSet: config.configurationSet } : {}),
    }));
  } catch (err) {
    if (!(err instanceof MailRefusedError)) throw err; // No answer from SES: the claim stays, never resent.
    await store.release(state.profileId, sendId, claim);
    if (err.retryable) throw new SendRetryableError(`SES refused for now: ${err.message}`, { cause: err });
    return { status: 'skipped', reason: 'rejected', detail: err.message };
  }

  const record: SendRecord = {
    sendId,
    idempotencyKey: input.idempotencyKey,
    profileId: state.profileId,
    templateId: input.templateId,
    category: input.category,
    topic: template.topic,
    messageId,
    email: profile.email,
    subject: mail.subject,
    sentAt: now.toISOString(),
    ...(input.scenarioId ? { scenarioId: input.scenarioId } : {}),
    ...(input.broadcastId ? { broadcastId: input.broadcastId } : {}),
    ...(input.context ? { context: input.context } : {}),
    ...(recs && recs.items.length > 0 ? { recommendations: recs.items } : {}),
  };
  await store.record(record);
  return sentResult(record);
}

function sentResult(record: SendRecord): SendResult {
  return { status: 'sent', sendId: record.sendId, messageId: record.messageId };
}

/**
 * Another call holds this send's claim: wait briefly for its record and answer with it. Past the claim's
 * lease (claimLeaseMs) its holder is dead and its outcome unknown: the key is never sent again.
 */
async function duplicate(profileId: string, sendId: string, ports: SendPorts, now: Date): Promise<SendResult> {
  const sleep = ports.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let waited = 0; ; waited += duplicatePollMs) {
    const record = await ports.store.getRecord(profileId, sendId);
    if (record) return sentResult(record);
    const claim = claimOf(await ports.store.capsItem(profileId), sendId);
    if (!claim) throw new SendInProgressError('a call with the same idempotency key gave its reservation back; retry');
    if (now.getTime() - claim.at > claimLeaseMs) {
      return { status: 'skipped', reason: 'outcome-unknown', detail: 'an earlier call with this idempotency key stopped while sending, before recording its result' };
    }
    if (waited >= duplicateWaitMs) throw new SendInProgressError('a call with the same idempotency key is still sending; retry');
    await sleep(duplicatePollMs);
  }
}
