/**
 * "Did you mean …?" for a misspelt key or value: the closest candidate by edit distance, when it is close
 * enough to be a typo rather than a different word.
 */

/** Most edits (insert, delete, substitute, swap two neighbours) a typo may be away from the word meant. */
export const maxSuggestionEdits = 2;
/** …and at most one edit per this many characters, so `id` never "means" `in` and short words stay exact. */
export const charsPerEdit = 3;

/** Damerau–Levenshtein distance (optimal string alignment): `pionts` → `points` is 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word` (ignoring case), or undefined when none is a plausible typo of it. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(w, candidate.toLowerCase());
    const allowed = Math.min(maxSuggestionEdits, Math.floor(Math.max(w.length, candidate.length) / charsPerEdit));
    if (distance <= allowed && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
