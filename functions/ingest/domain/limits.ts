/** Ingest limits. The size limits are Segment's HTTP Tracking API limits, so Segment clients never exceed them. */
export const limits = {
  /** Largest single message, serialized (Segment: 32 KB). */
  messageBytes: 32 * 1024,
  /** Largest request body (Segment: 500 KB). Bigger requests get 413. */
  batchBytes: 500 * 1024,
  /** Records per Kinesis PutRecords call (a Kinesis API limit). */
  putRecordsMax: 500,
  /** Attempts at writing records Kinesis rejected (throttling) before answering 503. */
  putAttempts: 4,
  /** Longest id (anonymousId, userId, messageId, groupId, previousId). */
  idChars: 256,
  /**
   * Longest ad click id kept from a page URL (nurture.clickId, ingest/domain/click-id.ts). Real ids are
   * under 200 (gclid ~100, fbclid ~60-190, msclkid 32, li_fat_id 36); a longer value is ignored, not clipped.
   */
  clickIdChars: 256,
  /** Longest event or page name. */
  nameChars: 256,
  /**
   * Deepest nesting of objects and arrays below a message (`properties.a` is level 2). Segment-style
   * payloads rarely go past 5; 32 leaves room for any real one, while everything that walks a message
   * (validation, the content-derived messageId, the stream processor) stays far from the stack's limit.
   * The batch envelope (`batch` array, `context`) counts as a message for its own fields.
   */
  nestingDepth: 32,
  /** Client timestamps further than this from the corrected time are replaced by receivedAt. */
  maxClockSkewMs: 1000 * 60 * 60 * 24 * 30,
} as const;
