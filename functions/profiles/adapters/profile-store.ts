import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  duePartition,
  emptyState,
  processorAttributes,
  profilePk,
  profileSk,
  quantizedRankKey,
  rankPartition,
  type ScoringState,
  type StoredProfile,
  type Consent,
} from '../domain/profile.js';
import { segmentsDuePartition } from '../../segments/domain/membership.js';
import { ProfileWriteRefusedError } from '../errors.js';

/**
 * Kinesis shard ids become top-level attribute names `ck_<shardId>` (a map attribute would have to exist
 * before SET could write into it). Names go through ExpressionAttributeNames, so any characters work.
 */
const ckAttr = (shard: string) => `ck_${shard}`;

function fromItem<O>(profileId: string, item: Record<string, unknown> | undefined): StoredProfile<O> {
  const state = emptyState(profileId);
  if (!item) return { state, version: 0, checkpoints: {} };
  for (const f of processorAttributes) if (item[f] !== undefined) (state as unknown as Record<string, unknown>)[f] = item[f];
  const checkpoints: Record<string, string> = {};
  for (const [k, v] of Object.entries(item)) if (k.startsWith('ck_')) checkpoints[k.slice(3)] = String(v);
  return {
    state,
    version: Number(item.v ?? 0),
    checkpoints,
    ...(item.mergedInto ? { mergedInto: String(item.mergedInto) } : {}),
    ...(item.outbox ? { outbox: (typeof item.outbox === 'string' ? JSON.parse(item.outbox) : item.outbox) as O } : {}),
    ...(item.waitingFor ? { waitingFor: new Set(item.waitingFor as Iterable<string>) } : {}),
    ...(item.consent ? { consent: item.consent as Consent } : {}),
    ...(item.gsi1pk !== undefined && item.gsi1sk !== undefined ? { rank: { pk: String(item.gsi1pk), key: Number(item.gsi1sk) } } : {}),
  };
}

/** Outboxes are compared by content: an update that owes nothing stores no outbox attribute. */
const owesNothing = (outbox: unknown) => {
  const o = outbox as { events?: unknown[]; tombstones?: unknown[] } | undefined;
  return !o || ((o.events?.length ?? 0) === 0 && (o.tombstones?.length ?? 0) === 0);
};

/**
 * A write DynamoDB refuses however often it is retried, as a domain error: a ValidationException (a number
 * beyond DynamoDB's range of 1e-130 to 1e126, nesting deeper than 32 levels, an item over 400 KB), or an
 * error raised while the request was marshalled, before anything was sent (the SDK's retry step stamps
 * `$metadata` on every error after that point, network failures included). Anything else (throttling,
 * 5xx, no answer) is rethrown as it is: retrying may succeed.
 */
function refused(err: unknown): unknown {
  if (!(err instanceof Error) || (err.name !== 'ValidationException' && '$metadata' in err)) return err;
  return new ProfileWriteRefusedError(`${err.name}: ${err.message}`, { cause: err });
}

/** Counts DynamoDB requests by kind, for the benchmark's writes-per-event figure. */
export interface RequestCounter {
  reads: number;
  writes: number;
}

/**
 * The profile store: the stream processor's writes to profile items (one conditional UpdateItem per
 * profile per batch, see scoring/domain/process-batch.ts), merge tombstones, and the
 * dormancy sweep's stage change. `Outbox` is the type of the effects the processor stores with an update.
 */
export class ProfileStore<Outbox = unknown> {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    readonly counter: RequestCounter = { reads: 0, writes: 0 },
  ) {}

  async load(profileIds: string[]): Promise<Map<string, StoredProfile<Outbox>>> {
    const out = new Map<string, StoredProfile<Outbox>>();
    const unique = [...new Set(profileIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map((id) => ({ pk: profilePk(id), sk: profileSk }));
      for (let round = 0; keys && keys.length > 0; round++) {
        if (round >= 8) throw new Error('profile read left unprocessed keys after 8 rounds');
        this.counter.reads++;
        const res: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of res.Responses?.[this.tableName] ?? []) {
          const id = String(item.pk).slice(2);
          out.set(id, fromItem<Outbox>(id, item));
        }
        keys = res.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    for (const id of unique) if (!out.has(id)) out.set(id, fromItem<Outbox>(id, undefined));
    return out;
  }

  /**
   * Stores the state if nobody else changed the item since it was read (version check), together with
   * the shard checkpoint and the outbox. False when the version moved: reload and recompute.
   */
  async save(
    stored: StoredProfile<Outbox>,
    next: ScoringState,
    opts: { shard?: string; seq?: string; outbox: Outbox; rank?: { pk: string; key: number } },
  ): Promise<boolean> {
    const names: Record<string, string> = { '#v': 'v', '#outbox': 'outbox', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':v': stored.version + 1, ':updatedAt': new Date().toISOString() };
    const sets = ['#v = :v', '#updatedAt = :updatedAt'];
    // A stream update records its shard checkpoint; the lifecycle sweep's update has none.
    if (opts.shard !== undefined && opts.seq !== undefined) {
      names['#ck'] = ckAttr(opts.shard);
      values[':ck'] = opts.seq;
      sets.push('#ck = :ck');
    }
    const removes: string[] = [];
    if (owesNothing(opts.outbox)) removes.push('#outbox');
    else {
      // As JSON text: the outbox carries events' properties as they came, which DynamoDB could not
      // always store as a map (numbers beyond its range, deep nesting, any key). Items written before
      // hold a map; both are read.
      values[':outbox'] = JSON.stringify(opts.outbox);
      sets.push('#outbox = :outbox');
    }
    processorAttributes.forEach((f, i) => {
      if (f === 'profileId') return;
      names[`#f${i}`] = f;
      const value = next[f];
      if (value === undefined) removes.push(`#f${i}`);
      else {
        values[`:f${i}`] = value;
        sets.push(`#f${i} = :f${i}`);
      }
    });
    names['#pid'] = 'profileId';
    values[':pid'] = next.profileId;
    sets.push('#pid = :pid');
    // Small top-level copies for the ranking index projection (see resources.ts).
    const denormalized: Record<string, unknown> = {
      leadName: typeof next.traits.name === 'string' ? next.traits.name.slice(0, 128) : undefined,
      company: typeof next.traits.company === 'string' ? next.traits.company.slice(0, 128) : undefined,
      fitPoints: next.score.fit,
    };
    for (const [attr, value] of Object.entries(denormalized)) {
      names[`#${attr}`] = attr;
      if (value === undefined) removes.push(`#${attr}`);
      else {
        values[`:${attr}`] = value;
        sets.push(`#${attr} = :${attr}`);
      }
    }
    // The ranking index entry is rewritten only when it moves: DynamoDB bills an index write (two when
    // the key changes) for every update that touches an indexed attribute.
    const rank = opts.rank && { pk: opts.rank.pk, key: quantizedRankKey(opts.rank.key) };
    if (rank && (rank.pk !== stored.rank?.pk || rank.key !== stored.rank?.key)) {
      Object.assign(names, { '#gpk': 'gsi1pk', '#gsk': 'gsi1sk' });
      Object.assign(values, { ':gpk': rank.pk, ':gsk': rank.key });
      sets.push('#gpk = :gpk', '#gsk = :gsk');
    } else if (!rank && stored.rank) {
      Object.assign(names, { '#gpk': 'gsi1pk', '#gsk': 'gsi1sk' });
      removes.push('#gpk', '#gsk');
    }
    // The lifecycle due index entry (its sort key, lifecycleDue, is a processor attribute above): the
    // partition is set once when a customer gets a due time and removed when they no longer have one.
    if (next.lifecycleDue !== undefined && stored.state.lifecycleDue === undefined) {
      names['#g2pk'] = 'gsi2pk';
      values[':g2pk'] = duePartition(next.profileId);
      sets.push('#g2pk = :g2pk');
    } else if (next.lifecycleDue === undefined && stored.state.lifecycleDue !== undefined) {
      names['#g2pk'] = 'gsi2pk';
      removes.push('#g2pk');
    }
    // The segments due index entry, likewise (segmentsDue is a processor attribute).
    if (next.segmentsDue !== undefined && stored.state.segmentsDue === undefined) {
      names['#g3pk'] = 'gsi3pk';
      values[':g3pk'] = segmentsDuePartition(next.profileId);
      sets.push('#g3pk = :g3pk');
    } else if (next.segmentsDue === undefined && stored.state.segmentsDue !== undefined) {
      names['#g3pk'] = 'gsi3pk';
      removes.push('#g3pk');
    }
    let condition = 'attribute_not_exists(#v)';
    if (stored.version > 0) {
      condition = '#v = :expected';
      values[':expected'] = stored.version;
    }
    this.counter.writes++;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: profilePk(next.profileId), sk: profileSk },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw refused(err);
    }
  }

  /**
   * Marks the outbox of `version` done after its effects ran. Skipped (no error) when a later update
   * already replaced it.
   */
  async clearOutbox(profileId: string, version: number): Promise<void> {
    await this.conditionally(profileId, { UpdateExpression: 'REMOVE outbox', ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': version } });
  }

  /** Marks a merged profile so its id keeps resolving to the survivor. Idempotent; the first merge stands. */
  async tombstone(mergedId: string, survivorId: string): Promise<void> {
    await this.conditionally(mergedId, {
      UpdateExpression: 'SET mergedInto = :s, profileId = :id REMOVE gsi1pk, gsi1sk, gsi2pk, gsi3pk',
      ConditionExpression: 'attribute_not_exists(mergedInto) OR mergedInto = :s',
      ExpressionAttributeValues: { ':s': survivorId, ':id': mergedId },
    });
  }

  /**
   * Makes a lead dormant unless it was active since it was read (conditional on lastSeenAt and stage).
   * False when it was: the sweep leaves it alone.
   */
  markDormant(profileId: string, from: string, lastSeenAt: unknown): Promise<boolean> {
    return this.conditionally(profileId, {
      // Bumping v makes a concurrent processor update re-read and see the new stage.
      UpdateExpression: 'SET stage = :dormant, stageBeforeDormant = :stage, gsi1pk = :pk, v = v + :one',
      ConditionExpression: 'lastSeenAt = :seen AND stage = :stage',
      ExpressionAttributeValues: { ':dormant': 'dormant', ':stage': from, ':pk': rankPartition('dormant', profileId), ':one': 1, ':seen': lastSeenAt },
    });
  }

  /** A conditional update of a profile item; false when its condition did not hold. */
  private async conditionally(
    profileId: string,
    update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>,
  ): Promise<boolean> {
    this.counter.writes++;
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: profilePk(profileId), sk: profileSk }, ...update }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
