/**
 * Segment's reserved name traits kept consistent: `name` from `firstName` and `lastName`, and the reverse,
 * so templates that greet by first name work whether a form sends one full-name field or two.
 *
 * Rules (a trait the message gives is never overwritten):
 * - `name` without `firstName`/`lastName`: split at the first run of white space (the ideographic space
 *   U+3000 counts). Names written in Han, Hiragana or Katakana put the family name first (山田 太郎 →
 *   lastName 山田, firstName 太郎); others put it last (Ada King Lovelace → Ada / King Lovelace). A name
 *   of one word is a first name, except a Japanese one without a space (山田太郎), which cannot be split
 *   safely and stays whole in `name` only.
 * - `firstName` and/or `lastName` without `name`: joined in the same order rules.
 */

const japanese = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
/** Longest name part kept (characters); longer values are not split or joined. */
export const maxNamePartLength = 100;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() && v.length <= maxNamePartLength * 2 ? v.trim() : undefined);

export function withNameTraits<T extends Record<string, unknown>>(traits: T): T {
  const name = text(traits.name);
  const first = text(traits.firstName);
  const last = text(traits.lastName);
  if (name && !first && !last) {
    const parts = name.split(/[\s\u3000]+/u);
    if (parts.length === 1) return japanese.test(name) ? traits : { ...traits, firstName: name };
    const [head, ...tail] = parts as [string, ...string[]];
    if (japanese.test(name)) return { ...traits, lastName: head, firstName: tail.join(' ') };
    return { ...traits, firstName: head, lastName: tail.join(' ') };
  }
  if (!name && (first || last)) {
    const ordered = japanese.test(`${first ?? ''}${last ?? ''}`) ? [last, first] : [first, last];
    return { ...traits, name: ordered.filter(Boolean).join(' ') };
  }
  return traits;
}
