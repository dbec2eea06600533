/** Exponential decay of behaviour points with a half-life. Pure math. */

const dayMs = 86_400_000;

/** Multiplier that takes a value at `from` to its decayed value at `to` (1 without a half-life). */
export function decayFactor(fromIso: string, toIso: string, halfLifeDays: number | undefined): number {
  if (!halfLifeDays) return 1;
  const days = (Date.parse(toIso) - Date.parse(fromIso)) / dayMs;
  return 2 ** (-days / halfLifeDays);
}

/** Reference instant for rank keys. Any fixed instant works; a recent one keeps the numbers small. */
export const rankEpoch = Date.parse('2026-01-01T00:00:00.000Z');

/** Rank key for a non-positive score: below every positive one. */
export const rankFloor = -1_000_000;

/**
 * A ranking key that orders profiles by their decayed score at EVERY moment without being rewritten:
 * with exponential decay, s(t) = s(a)·2^(−(t−a)/h), so log2 s(a) + (a − epoch)/h is the same for all t
 * and monotone in s(t). (The value s·2^(a/h) itself would overflow DynamoDB numbers within years.)
 */
export function rankKey(value: number, asOfIso: string, halfLifeDays: number | undefined): number {
  if (!(value > 0)) return rankFloor;
  const age = halfLifeDays ? (Date.parse(asOfIso) - rankEpoch) / dayMs / halfLifeDays : 0;
  return Math.round((Math.log2(value) + age) * 1e9) / 1e9;
}

/** The score a rank key stands for at time `atIso` (inverse of rankKey). */
export function scoreFromRankKey(key: number, atIso: string, halfLifeDays: number | undefined): number {
  if (key <= rankFloor) return 0;
  const age = halfLifeDays ? (Date.parse(atIso) - rankEpoch) / dayMs / halfLifeDays : 0;
  return 2 ** (key - age);
}
