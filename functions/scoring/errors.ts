/** Errors of scoring. */
export class ScoringError extends Error {
  override name = 'ScoringError';
}

export interface RulesProblem {
  /** Dotted path of the bad field, e.g. rules[3].points. */
  field: string;
  /** 1-based line in the YAML source, when known. */
  line?: number;
  message: string;
}

/** A scoring rules document that does not parse or validate; each problem names its field and line. */
export class InvalidRulesError extends ScoringError {
  override name = 'InvalidRulesError';
  constructor(readonly problems: RulesProblem[]) {
    super(problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.field}: ${p.message}`).join('\n'));
  }
}
