/**
 * The profile: one person (or one anonymous browser until identified). Stored as one DynamoDB item,
 * pk `p#<profileId>`, sk `profile`. Writers update their own attributes with UpdateItem SET/ADD, never
 * by replacing the item, so the stream processor, the send function and scenarios never overwrite each
 * other.
 *
 * Attribute ownership:
 * - stream processor (identity & scoring): everything below except `consent`, `subscriptions` and `email*`
 *   fields listed under sending;
 * - sending: `consent`, `subscriptions` (and its own items: send counters, suppressions, send log).
 */

export const stages = ['anonymous', 'known', 'mql', 'sql', 'customer', 'dormant'] as const;
export type Stage = (typeof stages)[number];

export interface ScoreState {
  /** Score at `asOf` (decay applied up to then). */
  value: number;
  /** ISO time the value was computed for. */
  asOf: string;
  /** Points from fit (attribute) rules, not decayed. */
  fit: number;
  /** Points by interest category at `asOf`. */
  categories: Record<string, number>;
}

export interface Consent {
  status: 'granted' | 'revoked';
  source: string;
  at: string;
}

export interface Profile {
  profileId: string;
  createdAt: string;
  updatedAt: string;
  /** Time of the latest event (drives dormancy). */
  lastSeenAt?: string;
  /** Set once the profile has a user id or email. */
  known: boolean;
  userId?: string;
  /** Normalized email address, if known. */
  email?: string;
  /** IANA time zone from traits.timezone or the browser's context.timezone. */
  timezone?: string;
  traits: Record<string, unknown>;
  stage: Stage;
  score: ScoreState;
  /** When merged into another profile: the survivor. Reads follow it. */
  mergedInto?: string;
  /** Marketing-mail consent (owned by sending). */
  consent?: Consent;
  /** Per-category subscription preferences (owned by sending); absent category = subscribed. */
  subscriptions?: Record<string, boolean>;
}

export function profilePk(profileId: string): string {
  return `p#${profileId}`;
}

export const profileSk = 'profile';
