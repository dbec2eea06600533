/**
 * API Gateway's route matching, enough for tests: which deployed route key (`GET /v1/x/{id}`,
 * `ANY /v1/admin/segments/{proxy+}`) serves a documented route. A documented `{param}` segment stands
 * for any value; a deployed `{name+}` takes one or more segments; at the first difference a literal
 * beats a parameter, and a parameter beats a greedy one, as API Gateway chooses.
 */
export function deployedKeyFor(route: { method: string; path: string }, keys: Iterable<string>): string | undefined {
  const want = route.path.split('/').slice(1);
  const candidates: { key: string; rank: number[] }[] = [];
  for (const key of keys) {
    const [method, path] = key.split(' ') as [string, string];
    if (method !== route.method && method !== 'ANY') continue;
    const rank = rankOf(path.split('/').slice(1), want);
    if (rank) candidates.push({ key, rank: [...rank, method === 'ANY' ? 1 : 0] });
  }
  candidates.sort((a, b) => {
    for (const [i, x] of a.rank.entries()) if (x !== b.rank[i]) return x - (b.rank[i] ?? 0);
    return a.rank.length - b.rank.length;
  });
  return candidates[0]?.key;
}

/** Per segment 0 (literal), 1 (parameter), 2 (greedy), or undefined when `template` does not match. */
function rankOf(template: string[], want: string[]): number[] | undefined {
  const rank: number[] = [];
  for (const [i, t] of template.entries()) {
    if (t.endsWith('+}')) return i < want.length ? [...rank, 2] : undefined;
    const w = want[i];
    if (w === undefined) return undefined;
    if (t.startsWith('{')) rank.push(1);
    else if (t === w) rank.push(0);
    else return undefined;
  }
  return template.length === want.length ? rank : undefined;
}
