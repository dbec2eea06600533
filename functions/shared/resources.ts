/**
 * The one description of Nurture's stateful resources. CDK (infra/) and local mode (local/) both build
 * tables, streams and buckets from these objects, so the two can never drift apart.
 * Pure data: no AWS SDK and no CDK imports here.
 */

export type AttributeType = 'S' | 'N';

export interface KeyDef {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexDef {
  readonly name: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  /**
   * Non-key attributes copied into the index. An index write costs by the size of the projected entry,
   * so a small projection keeps a frequently re-ranked index near 1 write unit per update.
   */
  readonly include: readonly string[];
}

export interface TableDef {
  /** Construct id in CDK and default physical name suffix locally. */
  readonly id: string;
  /** Environment variable through which functions receive the table name. */
  readonly envVar: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  readonly indexes: readonly IndexDef[];
  /** Attribute holding an epoch-seconds expiry; readers filter expired items (dynalite has no TTL). */
  readonly ttlAttribute?: string;
}

export interface StreamDef {
  readonly id: string;
  readonly envVar: string;
  /** Shards for local mode and for provisioned mode on AWS (on-demand is the AWS default). */
  readonly shardCount: number;
  /** Hours Kinesis keeps records: 24 is the free retention; consumers must keep up within it. */
  readonly retentionHours: number;
}

export interface BucketDef {
  readonly id: string;
  readonly envVar: string;
}

export interface BusDef {
  readonly id: string;
  /** Environment variable through which functions receive the bus name. */
  readonly envVar: string;
}

/**
 * Single-table design. Item families (pk / sk):
 * - identity link:  `id#<kind>#<value>` / `link`   → { profileId, knownAs? }
 * - profile:        `p#<profileId>`     / `profile`
 * - activity:       `p#<profileId>`     / `a#<iso time>#<messageId>`
 * - media registry: `cfg#channels`      / `registry`            (functions/channels/adapters/registry-store.ts)
 * - ad costs:       `cost#<YYYY-MM>`    / `<medium id>`         (functions/channels/adapters/cost-store.ts)
 * - offline ledger: `offline#<row hash>` / `offline`            (functions/channels/adapters/offline-importer.ts)
 * - segment def:    `segdefs`           / `<segment id>`        (functions/segments/adapters/definition-store.ts)
 * - segment member: `seg#<id>#<shard>`  / `<profile id>`        (functions/segments/domain/membership.ts)
 * - member count:   `segcount#<id>`     / `<shard>`
 * - product:        `cat#<productId>`   / `product`             (functions/recommendations/domain/model.ts)
 * - model list:     `rec#<strategy>#<productId>`, `rec#popular#<category|*>` / `top`
 * - build manifest: `recbuild#<family>` / `part#<nnnn>`          (functions/recommendations/adapters/toplist-store.ts)
 * The `byScore` index ranks leads per stage without a scan (gsi1pk = `rank#<stage>`, gsi1sk = score).
 * The sparse `byLifecycleDue` index holds only customers whose lifecycle state will change by time alone
 * (gsi2pk = `due#<shard>`, lifecycleDue = when): the daily sweep reads the due ones, never scanning.
 * The sparse `bySegmentsDue` index holds people whose segment membership changes by time alone
 * (gsi3pk = `sdue#<shard>`, segmentsDue = when); `bySegmentRank` pages a segment shard's members by score
 * (pk, segRank: only member items carry segRank).
 */
export const mainTable: TableDef = {
  id: 'Main',
  envVar: 'TABLE_NAME',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [
    {
      name: 'byScore',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'N' },
      // What the leads list and the dormancy sweep read; denormalized top-level copies on the profile.
      include: ['profileId', 'stage', 'email', 'leadName', 'company', 'fitPoints', 'lastSeenAt'],
    },
    {
      name: 'byLifecycleDue',
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'lifecycleDue', type: 'S' },
      // The sweep loads each due profile whole: its id is all the entry needs.
      include: ['profileId'],
    },
    {
      name: 'bySegmentsDue',
      partitionKey: { name: 'gsi3pk', type: 'S' },
      sortKey: { name: 'segmentsDue', type: 'S' },
      include: ['profileId'],
    },
    {
      name: 'bySegmentRank',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'segRank', type: 'N' },
      // A members page sorted by score lists ids and entry times; the profiles are read separately.
      include: ['profileId', 'enteredAt'],
    },
  ],
  ttlAttribute: 'expiresAt',
};

export const eventsStream: StreamDef = {
  id: 'Events',
  envVar: 'EVENTS_STREAM_NAME',
  shardCount: 2,
  retentionHours: 24,
};

export const contentBucket: BucketDef = {
  id: 'Content',
  envVar: 'CONTENT_BUCKET',
};

/** The EventBridge bus of domain events (functions/shared/domain-events.ts). */
export const eventBus: BusDef = {
  id: 'DomainEvents',
  envVar: 'EVENT_BUS_NAME',
};

export const tables = [mainTable] as const;
export const streams = [eventsStream] as const;
export const buckets = [contentBucket] as const;
