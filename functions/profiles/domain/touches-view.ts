/**
 * A lead's touches (GET /v1/admin/profiles/{id}/touches): every visit and offline touch of the person and
 * of the profiles merged into them, oldest first, each with its medium and channel group under the media
 * registry in force. Pure (the lake and the registry are ports).
 */
import type { LakeTouch, LakeTouchesQuery } from '../../analytics/domain/touches-query.js';
import { touchesLimits } from '../../analytics/domain/touches-query.js';
import { effectiveMedia } from '../../channels/domain/registry.js';
import { type ProfileRef, resolveRef, type ProfileViewPorts } from './profile-view.js';

export interface TouchesPorts extends Pick<ProfileViewPorts, 'profiles' | 'linkedProfile' | 'registry' | 'now'> {
  /** The event lake's touches; undefined in a function without a lake. */
  touches?: { read(q: LakeTouchesQuery): Promise<{ touches: LakeTouch[]; truncated: boolean }> };
}

/** The touches of the lead `ref` names over the last `days` days; undefined when `ref` names no profile. */
export async function leadTouches(ref: ProfileRef, query: { days?: number }, ports: TouchesPorts) {
  const p = await resolveRef(ref, ports);
  if (!p) return undefined;
  const days = query.days ?? touchesLimits.defaultDays;
  const since = new Date(ports.now().getTime() - days * 86_400_000).toISOString();
  if (!ports.touches) return { profileId: p.profileId, days, since, touches: [], truncated: false, lake: false };
  const media = effectiveMedia(await ports.registry?.registry());
  const read = await ports.touches.read({ profileIds: [p.profileId, ...(p.merged ?? [])], days, media });
  return { profileId: p.profileId, days, since, ...read };
}
