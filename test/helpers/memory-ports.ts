import type { CollectedEvent } from '../../functions/ingest/domain/enrich.js';
import type { IngestPorts } from '../../functions/ingest/domain/ingest.js';
import { identify, type LinkStore } from '../../functions/identity/domain/identify.js';
import { type IdentityKey, keyString } from '../../functions/identity/domain/keys.js';
import type { Link } from '../../functions/identity/domain/resolve.js';

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
