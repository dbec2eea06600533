/**
 * The deployed segments as the stream processor and the sweeps evaluate them: the stored definitions,
 * read at most every `definitionsCacheMs` per warm function (one Query of the `segdefs` partition), put in
 * evaluation order. A set that no longer checks (a hand-edited item) keeps the last good one in force and
 * is reported through `onError`.
 */
import type { SegmentStore } from './definition-store.js';
import { definitionsCacheMs, deploySegments, type DeployedSegments } from '../domain/step.js';

export class DeployedSegmentsSource {
  private cached?: { at: number; deployed: DeployedSegments };

  constructor(
    private readonly store: Pick<SegmentStore, 'list'>,
    private readonly onError: (message: string, details: Record<string, unknown>) => void = () => {},
    private readonly clock: () => number = Date.now,
  ) {}

  async current(): Promise<DeployedSegments> {
    const now = this.clock();
    if (this.cached && now - this.cached.at < definitionsCacheMs) return this.cached.deployed;
    try {
      const deployed = deploySegments((await this.store.list()).map((s) => s.segment));
      this.cached = { at: now, deployed };
      return deployed;
    } catch (err) {
      if (!this.cached) throw err;
      this.onError('segment definitions unreadable; the last good set stays in force', { error: (err as Error).message });
      this.cached = { at: now, deployed: this.cached.deployed };
      return this.cached.deployed;
    }
  }
}
