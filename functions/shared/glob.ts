/**
 * Path globs, one meaning everywhere (scoring rules, scenario triggers, report parameters): `**` any
 * characters, `*` any characters but `/`, `?` one character but `/`, everything else literal. Pure.
 */

/** The glob as an anchored regular expression source, in the subset JavaScript, RE2 (Athena) and DuckDB read alike. */
export function globPattern(glob: string): string {
  let out = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += /[\\^$.|+()[\]{}]/.test(c) ? `\\${c}` : c;
  }
  return `${out}$`;
}
