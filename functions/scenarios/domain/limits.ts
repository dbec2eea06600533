/**
 * Limits of scenario documents, each with its reason. Validation names the limit a document breaks.
 */
export const scenarioLimits = {
  /** Steps per scenario: a journey longer than this is several journeys; also keeps ASL far below 1 MB. */
  maxSteps: 50,
  /** Paths of one branch (before `else`). */
  maxPaths: 10,
  /** Leaf conditions in one branch or trigger `who`: each costs a read at run time. */
  maxConditions: 20,
  /** Longest wait or waitFor timeout: a Standard workflow execution lives at most one year. */
  maxWaitSeconds: 365 * 86_400,
  /** Shortest waitFor timeout: below this the event is likely still in the stream when it times out. */
  minWaitForSeconds: 60,
  /** Longest behaviour window: the activity history is queried over this range. */
  maxWithinSeconds: 365 * 86_400,
  /** Activity items a behaviour condition reads at most (1 MB query pages); more are not counted. */
  maxActivityItems: 2_000,
  /** Scenario ids become state machine names (80 chars with the stack prefix). */
  maxIdChars: 40,
} as const;

/** Scenario and step ids: lower-case words joined by dashes. */
export const idRe = /^[a-z0-9][a-z0-9-]*$/;
