/**
 * Errors of segments. Names are stable: logs and alarms match on them.
 */
import { describeProblem } from '../shared/problems.js';

/** Base of the segment module's errors. */
export class SegmentModuleError extends Error {
  override name = 'SegmentModuleError';
}

/** One problem in a segment definition: the path of the field at fault (`conditions[1].any[0].gte`). */
export interface SegmentIssue {
  path: string;
  message: string;
  /** 1-based line (and column) in the file, when the definition came from text. */
  line?: number;
  column?: number;
  /** The key, value or segment id probably meant, for a misspelt one. */
  suggestion?: string;
}

/** A problem of a set of segments (a reference, a cycle): which segment, and where in it. */
export interface SegmentSetIssue extends SegmentIssue {
  segment: string;
}

/** A segment definition (or set of them) that does not validate; `issues` names every bad field. */
export class SegmentError extends SegmentModuleError {
  override name = 'SegmentError';
  constructor(
    readonly source: string,
    readonly issues: (SegmentIssue | SegmentSetIssue)[],
  ) {
    super(`${source}: ${issues.map((i) => `${'segment' in i ? `${i.segment}: ` : ''}${i.line ? `line ${i.line}: ` : ''}${i.path || '(document)'}: ${describeProblem(i)}`).join('; ')}`);
  }
}

/** A members cursor that is not one the list answered, or one of another sort (the route answers 400 naming `cursor`). */
export class BadCursorError extends SegmentModuleError {
  override name = 'BadCursorError';
}
