/**
 * Errors of scenarios. Names are stable: logs, alarms and Step Functions' Retry/Catch match on them.
 */
import { describeProblem } from '../shared/problems.js';

/** Base of the scenario module's errors. */
export class ScenarioModuleError extends Error {
  override name = 'ScenarioModuleError';
}

/** One problem in a scenario document, with the path of the field at fault (`steps[2].next`) and its line. */
export interface ScenarioIssue {
  path: string;
  message: string;
  /** 1-based line (and column) in the file, when the document came from text. */
  line?: number;
  column?: number;
  /** The key, value or step id probably meant, for a misspelt one. */
  suggestion?: string;
}

/** A scenario document that does not validate; `issues` names every bad field. */
export class ScenarioError extends ScenarioModuleError {
  override name = 'ScenarioError';
  constructor(
    readonly source: string,
    readonly issues: ScenarioIssue[],
  ) {
    super(`${source}: ${issues.map((i) => `${i.line ? `line ${i.line}: ` : ''}${i.path || '(document)'}: ${describeProblem(i)}`).join('; ')}`);
  }
}

/** A handler was invoked with input it cannot act on (names the field). */
export class ScenarioInputError extends ScenarioModuleError {
  override name = 'ScenarioInputError';
  constructor(
    readonly field: string,
    /** What is wrong with the field (the message without the field's name). */
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}
