/** Errors of the profile store and its readers. */
export class ProfilesError extends Error {
  override name = 'ProfilesError';
}

/** A chain of merges longer than maxMergeHops: a data fault (merges point at survivors), never looped on. */
export class MergeChainTooLongError extends ProfilesError {
  override name = 'MergeChainTooLongError';
  constructor(
    readonly profileId: string,
    readonly hops: number,
  ) {
    super(`profile ${profileId}: more than ${hops} merges to follow`);
  }
}

/**
 * DynamoDB refused a profile write for what it holds (a ValidationException: a value, size or nesting it
 * cannot store, or a value the client could not marshal): the same write is refused however often it is
 * retried, unlike throttling or a 5xx answer.
 */
export class ProfileWriteRefusedError extends ProfilesError {
  override name = 'ProfileWriteRefusedError';
}
