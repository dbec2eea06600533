import type { Profile, ProfileItem } from '../../profiles/domain/profile.js';
import type { CapsConfig } from './caps.js';
import type { Category } from './contract.js';
import type { QuietHours } from './windows.js';

/** Deployment settings of the send function (from its environment). */
export interface SendingConfig {
  /** The SES identity mail is sent from (`From:` address). */
  senderAddress: string;
  /** SES configuration set whose event destination reports bounces and complaints. */
  configurationSet?: string;
  caps: CapsConfig;
  /** Marketing mail is deferred to their end in the recipient's time zone. */
  quietHours: QuietHours;
  /** For recipients whose profile has no (valid) time zone. */
  defaultTimeZone: string;
  /**
   * `opt-out`: a known address may get marketing mail until it unsubscribes (consent revoked);
   * `opt-in`: only with consent granted (GDPR-style).
   */
  consentMode: 'opt-out' | 'opt-in';
  /** Base URL of the public API (unsubscribe, tracked links, view in browser). */
  publicApiUrl: string;
  /**
   * Who sends: the name and postal address marketing mail must show (Japan's 特定電子メール法 art. 4,
   * GDPR art. 13), as `{{ sender.name }}` / `{{ sender.address }}`. Empty strings when not configured.
   */
  sender?: SenderIdentity;
}

/** The sender's name and postal address as templates see them. */
export interface SenderIdentity {
  name: string;
  address: string;
}

/** One sent mail, kept on the recipient's partition (pk `p#<id>`, sk `send#<sendId>`): the send history. */
export interface SendRecord {
  sendId: string;
  idempotencyKey: string;
  profileId: string;
  templateId: string;
  category: Category;
  topic: string;
  scenarioId?: string;
  /** The broadcast that sent it (its feedback counters count this mail's first open, click, unsubscribe, bounce). */
  broadcastId?: string;
  messageId: string;
  email: string;
  subject: string;
  sentAt: string;
  context?: Record<string, unknown>;
  /** The products the mail showed (at most 10), so view-in-browser shows the same ones. */
  recommendations?: unknown[];
  /** When a link scanner last followed the mail's hidden honeypot link (set by the mail-links function). */
  honeypotAt?: string;
}

export type SuppressionReason = 'bounce' | 'complaint' | 'manual';

/** An address Nurture must not mail (pk `sup#email#<email>`). */
export interface Suppression {
  email: string;
  reason: SuppressionReason;
  at: string;
  /** What caused it: an SES feedback id, `operator`, … */
  source: string;
  detail?: string;
  profileId?: string;
}

/** The recipient as the send function reads it, merged profiles already followed. */
export interface RecipientState {
  /** The profile id mail and counters are kept under (the survivor of any merge). */
  profileId: string;
  /** The profile as stored; `recent` (its latest business events) feeds recommendations in mail. */
  profile?: Profile & Partial<Pick<ProfileItem, 'recent'>>;
  /** The recipient's send counter item (empty when none yet). */
  caps: Record<string, unknown>;
  /** An earlier completed send with the same send id. */
  record?: SendRecord;
}

export interface OutgoingMail {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  headers: { name: string; value: string }[];
  /** SES message tags (they come back in bounce and complaint events). */
  tags: Record<string, string>;
  configurationSet?: string;
}
