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
