/**
 * Durations in scenario documents: `90s`, `30m`, `4h`, `3d`, `2w`, or combined largest first (`1d12h`).
 * Months are not accepted: their length varies, and a marketer who means "30 days" should say so.
 */
const unitSeconds = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 } as const;
const durationRe = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds in a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = durationRe.exec(text.trim());
  if (!m || text.trim() === '') return undefined;
  const [, w, d, h, min, s] = m;
  const total =
    Number(w ?? 0) * unitSeconds.w +
    Number(d ?? 0) * unitSeconds.d +
    Number(h ?? 0) * unitSeconds.h +
    Number(min ?? 0) * unitSeconds.m +
    Number(s ?? 0) * unitSeconds.s;
  return total;
}

/** Seconds in a duration string known to be valid (validated documents only). */
export function durationSeconds(text: string): number {
  const s = parseDuration(text);
  if (s === undefined) throw new Error(`not a duration: ${text}`);
  return s;
}

/** `9d`, `4h30m`: a number of seconds in days, hours, minutes and seconds. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = Math.round(seconds);
  let out = '';
  for (const [unit, size] of Object.entries(unitSeconds).filter(([u]) => u !== 'w')) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
