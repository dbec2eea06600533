import type { SegmentStore, StoredSegment } from '../../../functions/segments/adapters/definition-store.js';
import type { Segment } from '../../../functions/segments/domain/definition.js';

/** An in-memory store with the DynamoDB store's version semantics. */
export function memorySegmentStore(): SegmentStore & { items: Map<string, StoredSegment> } {
  const items = new Map<string, StoredSegment>();
  const put = (segment: Segment, version: number, now: Date) => items.set(segment.id, { segment: structuredClone(segment), version, updatedAt: now.toISOString() });
  return {
    items,
    async list() {
      return [...items.values()].sort((a, b) => (a.segment.id < b.segment.id ? -1 : 1)).map((s) => structuredClone(s));
    },
    async get(id) {
      const s = items.get(id);
      return s && structuredClone(s);
    },
    async create(segment, now = new Date()) {
      if (items.has(segment.id)) return false;
      put(segment, 1, now);
      return true;
    },
    async replace(segment, expected, now = new Date()) {
      if (items.get(segment.id)?.version !== expected) return false;
      put(segment, expected + 1, now);
      return true;
    },
    async remove(id, expected) {
      const s = items.get(id);
      if (!s || (expected !== undefined && s.version !== expected)) return false;
      items.delete(id);
      return true;
    },
  };
}
