/**
 * EventBridge event pattern matching, for the local bus. Supports what Nurture's rules use and the
 * common operators: exact values, prefix, suffix, anything-but, numeric ranges, exists,
 * equals-ignore-case, wildcard, nested fields and arrays in the event (any element may match).
 */
export type Pattern = { [key: string]: Pattern | unknown[] };

export function matches(pattern: Pattern, event: unknown): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    const value = event && typeof event === 'object' ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(rule)) {
      if (!matchesField(rule, value)) return false;
    } else if (rule && typeof rule === 'object') {
      if (!matches(rule as Pattern, value)) return false;
    } else {
      return false;
    }
  }
  return true;
}

function matchesField(rules: unknown[], value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (rule && typeof rule === 'object') return matchesOperator(rule as Record<string, unknown>, value, values);
    return value !== undefined && values.some((v) => v === rule);
  });
}

function matchesOperator(op: Record<string, unknown>, raw: unknown, values: unknown[]): boolean {
  if ('exists' in op) return op.exists ? raw !== undefined : raw === undefined;
  if (raw === undefined) return false;
  if ('prefix' in op) return values.some((v) => typeof v === 'string' && v.startsWith(String(op.prefix)));
  if ('suffix' in op) return values.some((v) => typeof v === 'string' && v.endsWith(String(op.suffix)));
  if ('equals-ignore-case' in op) {
    const want = String(op['equals-ignore-case']).toLowerCase();
    return values.some((v) => typeof v === 'string' && v.toLowerCase() === want);
  }
  if ('wildcard' in op) {
    const re = new RegExp(`^${String(op.wildcard).split('*').map(escapeRe).join('.*')}$`);
    return values.some((v) => typeof v === 'string' && re.test(v));
  }
  if ('anything-but' in op) {
    const but = op['anything-but'];
    if (but && typeof but === 'object' && !Array.isArray(but)) {
      return !matchesOperator(but as Record<string, unknown>, raw, values);
    }
    const excluded = Array.isArray(but) ? but : [but];
    return values.every((v) => !excluded.includes(v));
  }
  if ('numeric' in op) {
    const conds = op.numeric as unknown[];
    return values.some((v) => {
      if (typeof v !== 'number') return false;
      for (let i = 0; i < conds.length; i += 2) {
        const bound = conds[i + 1] as number;
        const ok =
          conds[i] === '<' ? v < bound : conds[i] === '<=' ? v <= bound : conds[i] === '>' ? v > bound :
          conds[i] === '>=' ? v >= bound : conds[i] === '=' ? v === bound : false;
        if (!ok) return false;
      }
      return true;
    });
  }
  return false;
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
