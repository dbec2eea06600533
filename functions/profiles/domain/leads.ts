/** Hot leads, best first, from the ranking index: a few small queries, never a scan. Pure (reads are ports). */
import { scoreFromRankKey } from '../../scoring/domain/decay.js';
import type { RulesDoc } from '../../scoring/domain/rules.js';
import { rankShards, type Stage } from './profile.js';
import type { ProfileReads } from './reads.js';

/** Most leads one request lists. */
export const maxLeads = 200;
/** Leads listed when the request does not say. */
export const defaultLeads = 50;
/**
 * The ranking index orders by engagement (decayed behaviour points); the list is ordered by total score
 * (plus fit points) among this many times the requested number of most engaged leads per partition.
 */
export const leadsOverfetch = 3;

/** Stages listed without `stage`: every known one (anonymous visitors on request). */
const knownStages: Stage[] = ['known', 'mql', 'sql', 'customer'];

export interface LeadsQuery {
  stage?: Stage;
  limit?: number;
  includeAnonymous?: boolean;
}

export interface LeadsPorts {
  profiles: Pick<ProfileReads, 'rankPage'>;
  rules(): Promise<RulesDoc>;
  now(): Date;
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function hotLeads(q: LeadsQuery, ports: LeadsPorts) {
  const limit = Math.min(q.limit ?? defaultLeads, maxLeads);
  const wanted = q.stage ? [q.stage] : [...knownStages, ...(q.includeAnonymous ? (['anonymous'] as const) : [])];
  const rules = await ports.rules();
  const now = ports.now().toISOString();
  // The index orders by engagement; fetching more than asked lets fit points reorder the page.
  const pages = await Promise.all(wanted.flatMap((stage) => Array.from({ length: rankShards }, (_, shard) => ports.profiles.rankPage(stage, shard, limit * leadsOverfetch))));
  const leads = pages
    .flat()
    .map((row) => {
      const behaviour = scoreFromRankKey(Number(row.rankKey), now, rules.halfLifeDays);
      return {
        profileId: row.profileId,
        stage: row.stage,
        score: round(behaviour + (row.fitPoints ?? 0)),
        behaviour: round(behaviour),
        ...(row.email ? { email: row.email } : {}),
        ...(row.name ? { name: row.name } : {}),
        ...(row.company ? { company: row.company } : {}),
        lastSeenAt: row.lastSeenAt,
      };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
  return { leads, asOf: now, order: 'score' as const };
}
