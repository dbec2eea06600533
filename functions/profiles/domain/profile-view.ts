/**
 * A lead as the admin API shows it: profile, identities, score with its breakdown, and a page of
 * activity. Pure (reads are ports).
 */
import type { RegistryReader } from '../../channels/domain/ports.js';
import { classifier, effectiveMedia, ruleRows } from '../../channels/domain/registry.js';
import { anonymousProfileId, type IdentityKey, normalizeEmail } from '../../identity/domain/keys.js';
import { decayFactor } from '../../scoring/domain/decay.js';
import type { RulesDoc } from '../../scoring/domain/rules.js';
import type { ActivityEntry, ProfileItem } from './profile.js';
import type { ProfileReads } from './reads.js';
import type { Touch } from './touch.js';

/** Activity entries per page of the profile view. */
export const activityPageSize = 50;

/** What `{id}` names: a profile id (`p_…`), or an identity whose link names the profile. */
export type ProfileRef = { profileId: string } | { key: IdentityKey };

/** `email:…`, `user:…`, `anon:…` name an identity; anything else is a profile id. Undefined: a bad email. */
export function parseProfileRef(id: string): ProfileRef | undefined {
  const m = /^(email|user|anon):(.+)$/.exec(id);
  if (!m) return { profileId: id };
  const value = m[1] === 'email' ? normalizeEmail(m[2]) : m[2];
  return value ? { key: { kind: m[1] as IdentityKey['kind'], value } } : undefined;
}

export interface ProfileViewPorts {
  profiles: Pick<ProfileReads, 'resolve' | 'activity'>;
  /** The profile an identity link names, if the identity is linked. */
  linkedProfile(key: IdentityKey): Promise<string | undefined>;
  rules(): Promise<RulesDoc>;
  /** The operator's media registry (channels); without it, touches are classified by the defaults. */
  registry?: RegistryReader;
  now(): Date;
}

/** The profile `ref` names, resolved through merges; undefined when there is none. */
export async function resolveRef(ref: ProfileRef, ports: Pick<ProfileViewPorts, 'profiles' | 'linkedProfile'>): Promise<ProfileItem | undefined> {
  let profileId: string | undefined;
  if ('profileId' in ref) profileId = ref.profileId;
  else {
    // An anonymous visitor who never identified has the profile derived from its id.
    profileId = (await ports.linkedProfile(ref.key)) ?? (ref.key.kind === 'anon' ? anonymousProfileId(ref.key.value) : undefined);
  }
  return profileId === undefined ? undefined : ports.profiles.resolve(profileId);
}

/** A stored touch with its medium and channel group under the registry in force (`classification`). */
function classified(touch: Touch | undefined, classify: ReturnType<typeof classifier>) {
  if (!touch) return null;
  // The click id type comes with touches recorded since click ids are kept (absent on older ones).
  const c = classify({ ...touch, clickIdType: (touch as { clickIdType?: string }).clickIdType ?? null });
  return { ...touch, classification: { medium: c.medium, mediumName: c.mediumName, channel: c.group } };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The view of a lead; undefined when `ref` names no profile. */
export async function profileView(ref: ProfileRef, query: { before?: string; beforeId?: string }, ports: ProfileViewPorts) {
  const p = await resolveRef(ref, ports);
  if (!p) return undefined;
  const [rules, registry] = await Promise.all([ports.rules(), ports.registry?.registry()]);
  const classify = classifier(ruleRows(effectiveMedia(registry)));
  const now = ports.now().toISOString();
  const f = decayFactor(p.score.asOf, now, rules.halfLifeDays);
  const behaviour = p.score.value * f;
  const descriptions = new Map(rules.rules.map((r) => [r.id, r.description]));
  const byRule = [
    ...Object.entries(p.score.rules ?? {}).map(([ruleId, v]) => ({ ruleId, kind: 'behaviour', points: round(v * f) })),
    ...Object.entries(p.score.fitRules ?? {}).map(([ruleId, v]) => ({ ruleId, kind: 'fit', points: v })),
  ]
    .map((r) => ({ ...r, ...(descriptions.get(r.ruleId) ? { description: descriptions.get(r.ruleId) } : {}) }))
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
  const cursor = query.before ? { before: query.before, ...(query.beforeId ? { beforeId: query.beforeId } : {}) } : {};
  const activity: ActivityEntry[] = await ports.profiles.activity(p, { limit: activityPageSize, ...cursor });
  const last = activity.at(-1);
  return {
    profile: {
      profileId: p.profileId,
      known: p.known,
      stage: p.stage,
      ...(p.email ? { email: p.email } : {}),
      ...(p.userId ? { userId: p.userId } : {}),
      ...(p.timezone ? { timezone: p.timezone } : {}),
      traits: p.traits,
      // Marketing consent as sending, a form or an offline import recorded it (status, source, time).
      ...(p.consent ? { consent: p.consent } : {}),
      createdAt: p.createdAt,
      lastSeenAt: p.lastSeenAt,
      // The customer lifecycle as stored by the last update (absent: a prospect, no order counted).
      lifecycle: p.lifecycle ?? 'prospect',
      ...(p.lifecycleSince ? { lifecycleSince: p.lifecycleSince } : {}),
      ...(p.purchases ? { purchases: { orders: p.purchases.orders, revenue: round(p.purchases.revenue), firstOrderAt: p.purchases.firstAt, lastOrderAt: p.purchases.lastAt } } : {}),
    },
    touches: { first: classified(p.firstTouch, classify), last: classified(p.lastTouch, classify) },
    identities: {
      ...(p.userId ? { userId: p.userId } : {}),
      ...(p.email ? { email: p.email } : {}),
      anonymousIds: p.anonymousIds ?? [],
      mergedProfiles: p.merged ?? [],
    },
    score: {
      total: round(behaviour + p.score.fit),
      behaviour: round(behaviour),
      fit: p.score.fit,
      asOf: now,
      halfLifeDays: rules.halfLifeDays ?? null,
      byCategory: Object.fromEntries(Object.entries(p.score.categories ?? {}).map(([k, v]) => [k, round(v * f)])),
      byRule,
    },
    activity,
    // Time and id: entries of one batch often share their time, and a page may end among them.
    ...(activity.length === activityPageSize && last ? { next: `?before=${encodeURIComponent(last.t)}&beforeId=${encodeURIComponent(last.id)}` } : {}),
  };
}
