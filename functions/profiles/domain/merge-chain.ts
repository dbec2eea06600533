/**
 * Following a merged profile to its survivor. A merge leaves `mergedInto` on the merged profile's item;
 * every reader of a profile by id goes through here, with one hop limit. Pure (reads are ports).
 */
import { MergeChainTooLongError } from '../errors.js';

/**
 * Most `mergedInto` pointers followed from an id (A merged into B merged into C is 2). A merge points at
 * the survivor of the moment, so a chain grows only when a survivor is itself merged later: 1-2 in
 * practice. The limit turns a fault (a cycle no writer makes) into an error instead of a loop.
 */
export const maxMergeHops = 5;

export interface Mergeable {
  mergedInto?: string;
}

const next = (id: string, item: Mergeable | undefined) => (item?.mergedInto && item.mergedInto !== id ? item.mergedInto : undefined);

/**
 * The survivor `id` resolves to and its item, reading one item per hop; undefined when an item on the
 * way does not exist. Throws MergeChainTooLongError past maxMergeHops.
 */
export async function followMerges<T extends Mergeable>(
  id: string,
  read: (id: string) => Promise<T | undefined>,
): Promise<{ profileId: string; item: T } | undefined> {
  let current = id;
  for (let hop = 0; ; hop++) {
    const item = await read(current);
    if (!item) return undefined;
    const to = next(current, item);
    if (!to) return { profileId: current, item };
    if (hop >= maxMergeHops) throw new MergeChainTooLongError(id, maxMergeHops);
    current = to;
  }
}

/**
 * The survivor of each id, for many ids at once: `items` holds what is loaded already, `load` reads the
 * missing survivors (one call per hop, and adds them to `items`). An id whose chain is longer than
 * maxMergeHops is reported in `unresolved` and left at the last id reached.
 */
export async function survivorsOf<T extends Mergeable>(
  ids: readonly string[],
  items: Map<string, T>,
  load: (ids: string[]) => Promise<Map<string, T>>,
): Promise<{ survivor: Map<string, string>; unresolved: string[] }> {
  const survivor = new Map(ids.map((id) => [id, id]));
  for (let hop = 0; hop < maxMergeHops; hop++) {
    const moving = [...survivor].filter(([, at]) => next(at, items.get(at)));
    if (moving.length === 0) return { survivor, unresolved: [] };
    const missing = [...new Set(moving.map(([, at]) => next(at, items.get(at))!))].filter((t) => !items.has(t));
    if (missing.length > 0) for (const [k, v] of await load(missing)) items.set(k, v);
    for (const [id, at] of moving) survivor.set(id, next(at, items.get(at))!);
  }
  const unresolved = [...survivor].filter(([, at]) => next(at, items.get(at))).map(([id]) => id);
  return { survivor, unresolved };
}
