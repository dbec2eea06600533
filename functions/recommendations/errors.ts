/** Recommendations' errors: a base class and the named failures the build and the catalog raise. */
export class RecommendationsError extends Error {
  override name = 'RecommendationsError';
}

/** The lake gave more count rows than one build holds in memory (lake-counts.ts lakeCountLimits.maxRows). */
export class ModelTooLargeError extends RecommendationsError {
  override name = 'ModelTooLargeError';
}
