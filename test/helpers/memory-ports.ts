import type { CollectedEvent } from '../../functions/ingest/domain/enrich.js';
import type { IngestPorts } from '../../functions/ingest/domain/ingest.js';
import { identify, type LinkStore } from '../../functions/identity/domain/identify.js';
import { type IdentityKey, keyString } from '../../functions/identity/domain/keys.js';
import type { Link } from '../../functions/identity/domain/resolve.js';
import { emptyState, rankPartition, type ScoringState, type StoredProfile } from '../../functions/profiles/domain/profile.js';
import type { Outbox, ProcessorPorts, SaveOptions, Stored } from '../../functions/scoring/domain/process-batch.js';
import type { RulesDoc } from '../../functions/scoring/domain/rules.js';
import type { DomainEventOut } from '../../functions/scoring/domain/score.js';
import type { SetAsideEvent } from '../../functions/scoring/domain/set-aside.js';

/** A LinkStore in memory with the same conditional semantics as the DynamoDB adapter. */
export class MemoryLinkStore implements LinkStore {
  readonly items = new Map<string, Link & { asOf: string }>();
  async get(keys: IdentityKey[]) {
    const out = new Map<string, Link>();
    for (const k of keys) {
      const item = this.items.get(keyString(k));
      if (item) out.set(keyString(k), { profileId: item.profileId, ...(item.knownAs ? { knownAs: item.knownAs } : {}) });
    }
    return out;
  }
  async create(key: IdentityKey, link: Link, at: string) {
    if (this.items.has(keyString(key))) return false;
    this.items.set(keyString(key), { ...link, asOf: at });
    return true;
  }
  async point(key: IdentityKey, link: Link, at: string) {
    const current = this.items.get(keyString(key));
    if (current && current.asOf > at) return;
    this.items.set(keyString(key), { ...link, asOf: at });
  }
}

/** Ingest ports backed by memory: what was stored is in `events`. */
export function memoryPorts(writeKeys = ['key_12345678']) {
  const events: CollectedEvent[] = [];
  const links = new MemoryLinkStore();
  const ports: IngestPorts = {
    putEvents: async (batch) => {
      events.push(...batch);
    },
    identify: (call) => identify(call, links),
    writeKeys: new Set(writeKeys),
  };
  return { ports, events, links };
}

/**
 * The stream processor's profile store in memory, with the DynamoDB adapter's semantics: a save succeeds
 * only on the version it read, and stores the shard checkpoint and outbox with the state. `beforeSave`
 * may throw to stand in for DynamoDB refusing or throttling a write.
 */
export class MemoryProfileStore {
  readonly items = new Map<string, StoredProfile<Outbox>>();
  /** Successful saves, to tell what an update wrote. */
  saves = 0;
  beforeSave?: (next: ScoringState) => void;

  async load(ids: string[]): Promise<Map<string, Stored>> {
    return new Map(ids.map((id) => [id, structuredClone(this.items.get(id) ?? { state: emptyState(id), version: 0, checkpoints: {} })]));
  }
  async save(stored: Stored, next: ScoringState, opts: Omit<SaveOptions, 'shard' | 'seq'> & Partial<Pick<SaveOptions, 'shard' | 'seq'>>): Promise<boolean> {
    this.beforeSave?.(next);
    const current = this.items.get(next.profileId);
    if ((current?.version ?? 0) !== stored.version) return false;
    this.items.set(next.profileId, {
      ...current,
      state: structuredClone(next),
      version: stored.version + 1,
      checkpoints: { ...current?.checkpoints, ...(opts.shard && opts.seq ? { [opts.shard]: opts.seq } : {}) },
      outbox: structuredClone(opts.outbox),
      ...(opts.rank ? { rank: opts.rank } : {}),
    });
    this.saves++;
    return true;
  }
  async tombstone(mergedId: string, survivorId: string): Promise<void> {
    const item = this.items.get(mergedId) ?? { state: emptyState(mergedId), version: 0, checkpoints: {} };
    this.items.set(mergedId, { ...item, mergedInto: item.mergedInto ?? survivorId });
  }
  async clearOutbox(profileId: string, version: number): Promise<void> {
    const item = this.items.get(profileId);
    if (item?.version === version) delete item.outbox;
  }
}

/** Stream processor ports backed by memory: profiles in `profiles`, events set aside in `setAside`, the bus in `published`. */
export function memoryProcessorPorts(rules: RulesDoc) {
  const links = new MemoryLinkStore();
  const profiles = new MemoryProfileStore();
  const setAside: SetAsideEvent[] = [];
  const published: DomainEventOut[] = [];
  const ports: ProcessorPorts = {
    links,
    identify: (call) => identify(call, links),
    profiles,
    rankPartition,
    setAside: async (record) => {
      setAside.push(record);
    },
    publish: async (events) => {
      published.push(...events);
    },
    rules: async () => rules,
    now: () => new Date(),
  };
  return { ports, profiles, links, setAside, published };
}
