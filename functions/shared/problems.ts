/**
 * The shape every document check reports in (scoring rules, scenarios, templates), and how a terminal shows
 * it. No dependencies, so error classes that Lambdas load can use it without bringing in the validator.
 */

/** One problem in a document. */
export interface Problem {
  /** Path of the field at fault, e.g. `rules[3].points`; `(yaml)` for a syntax error, `(document)` for the whole. */
  field: string;
  /** 1-based line in the file, when the document came from text. */
  line?: number;
  /** 1-based column of the mistake on that line. */
  column?: number;
  message: string;
  /** The key or value probably meant, for a misspelt one. */
  suggestion?: string;
}

/** By line (problems without one last), stable otherwise. */
export function sortProblems<P extends { line?: number; column?: number }>(problems: P[]): P[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || (a.p.column ?? 0) - (b.p.column ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}

/** `message (did you mean "x"?)`. */
export function describeProblem(p: Pick<Problem, 'message' | 'suggestion'>): string {
  return `${p.message}${p.suggestion ? ` (did you mean "${p.suggestion}"?)` : ''}`;
}

/** One line for a terminal: `file:line:column  field  message (did you mean "x"?)`. */
export function formatProblem(file: string, p: Problem): string {
  const where = p.line ? `${file}:${p.line}${p.column ? `:${p.column}` : ''}` : file;
  return `${where}  ${p.field}  ${describeProblem(p)}`;
}
