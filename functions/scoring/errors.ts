/** Errors of scoring. */
import { describeProblem, type Problem } from '../shared/problems.js';

export class ScoringError extends Error {
  override name = 'ScoringError';
}

/** One problem in a rules document: the field (`rules[3].points`), its line and column, a suggestion. */
export type RulesProblem = Problem;

/** A scoring rules document that does not parse or validate; every problem names its field and line. */
export class InvalidRulesError extends ScoringError {
  override name = 'InvalidRulesError';
  constructor(readonly problems: RulesProblem[]) {
    super(problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.field}: ${describeProblem(p)}`).join('\n'));
  }
}

/** Scoring an event failed on its data (the rules engine threw): computing it again fails again. */
export class EventNotApplicableError extends ScoringError {
  override name = 'EventNotApplicableError';
}
