import type { Logger } from 'pino';
import { type ListingPass, PipelineCheckpoint } from '../checkpoint/pipeline-checkpoint.js';
import type { ListWindow } from '../core/components.js';
import type { SourceObject } from '../core/event.js';
import type { Metrics } from '../core/metrics.js';
import type { DoneOutcome, WorkFeed, WorkItem } from '../core/work-feed.js';
import type { BuiltPipeline } from './build-pipeline.js';
import type { RunMode } from './run-mode.js';

export interface ListingFeedOptions {
  logger: Logger;
  metrics: Metrics;
  owner: string;
  mode: RunMode;
  /** Told when the feed waits for the lease. */
  onWaiting?: () => void;
}

/**
 * Listing mode: one task holds the pipeline's lease (checkpoint/lease.ts); each round is one
 * listing pass over the window the checkpoint gives, then the objects in progress the listing
 * did not return; done-ness is the checkpoint's done-set and watermark, saved every second.
 */
export class ListingFeed implements WorkFeed {
  readonly kind = 'listing';
  readonly roundIntervalMs: number;
  private readonly checkpoint: PipelineCheckpoint;
  /** Keys handed out and not settled yet: a pass never offers one of them again. */
  private readonly inFlightKeys = new Set<string>();
  private readonly logger: Logger;
  /** Live listings never look below this LastModified (`start_time`); settled once the lease is held. */
  private startFloor: Date | null = null;

  constructor(
    private readonly pipeline: BuiltPipeline,
    private readonly options: ListingFeedOptions,
  ) {
    this.logger = options.logger.child({ pipeline: pipeline.id });
    this.roundIntervalMs = pipeline.settings.pollIntervalMs;
    this.checkpoint = new PipelineCheckpoint({
      store: pipeline.store,
      owner: options.owner,
      leaseMs: pipeline.settings.leaseMs,
      flushIntervalMs: pipeline.settings.flushIntervalMs,
      lookbackMs: pipeline.settings.lookbackMs,
      logger: options.logger,
      metrics: options.metrics,
      pipeline: pipeline.id,
    });
  }

  get lostSignal(): AbortSignal {
    return this.checkpoint.lostSignal;
  }

  get lost(): boolean {
    return this.checkpoint.lost;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.options.onWaiting?.();
    await this.checkpoint.acquire(signal);
    this.logger.info({ owner: this.options.owner, mode: this.options.mode.kind }, 'lease held; pipeline running');
    if (this.options.mode.kind === 'live') {
      this.startFloor = await this.checkpoint.settleStart(this.pipeline.settings.startTime);
    }
  }

  async *round(signal: AbortSignal): AsyncIterable<WorkItem> {
    const { pipeline } = this;
    const pass = this.checkpoint.beginPass();
    const seen = new Set<string>();
    for await (const object of pipeline.source.list(this.window(pass.since), signal)) {
      if (signal.aborted) return;
      seen.add(object.key);
      if (pipeline.isOwnKey(object.key) || this.inFlightKeys.has(object.key) || !pass.offer(object)) continue;
      yield this.item(object);
    }
    if (signal.aborted) return;
    yield* this.resumeUnlisted(pass, seen, signal);
    if (!signal.aborted) pass.complete();
  }

  flush(): Promise<void> {
    return this.checkpoint.lost ? Promise.resolve() : this.checkpoint.flush();
  }

  close(): Promise<void> {
    return this.checkpoint.release();
  }

  /** An object of this pass; settling it only frees its key: the checkpoint keeps what was marked. */
  private item(object: SourceObject): WorkItem {
    const { checkpoint } = this;
    this.inFlightKeys.add(object.key);
    const settle = () => this.inFlightKeys.delete(object.key);
    return {
      object,
      resumeAfter: checkpoint.resumeRecord(object),
      markOffset: (record) => checkpoint.markOffset(object, record),
      markDone: async (outcome?: DoneOutcome) => {
        checkpoint.markDone(object, outcome?.reason);
        settle();
      },
      // Not done: the object stays pending in the pass, and the next pass lists it again.
      putBack: async () => {
        settle();
      },
    };
  }

  /**
   * Objects the checkpoint has in progress that this listing did not return (their partition is
   * outside the window, e.g. a key dated long before its LastModified): read them by key, so
   * no object is ever left half-read. A version that is gone is marked done with the reason.
   */
  private async *resumeUnlisted(
    pass: ListingPass,
    seen: ReadonlySet<string>,
    signal: AbortSignal,
  ): AsyncIterable<WorkItem> {
    const { checkpoint, pipeline } = this;
    for (const [key, entry] of Object.entries(checkpoint.state.in_progress)) {
      if (signal.aborted) return;
      if (seen.has(key) || this.inFlightKeys.has(key) || pipeline.isOwnKey(key)) continue;
      const current = await pipeline.source.stat(key, signal);
      if (!current || current.etag !== entry.etag) {
        const reason = current ? 'rewritten before it was finished' : 'deleted before it was finished';
        this.logger.warn({ key, etag: entry.etag }, `object in progress ${reason}; that version is skipped`);
        checkpoint.markDone({ key, etag: entry.etag, lastModified: entry.last_modified }, reason);
        if (!current) continue;
      }
      if (!pass.offer(current)) continue;
      this.logger.info({ key, record: entry.record }, 'resuming an object in progress that the listing did not return');
      yield this.item(current);
    }
  }

  private window(since: Date | null): ListWindow {
    const mode = this.options.mode;
    if (mode.kind === 'backfill') {
      // A backfill selects objects by the time their key names (the log's own date), not LastModified;
      // start_time bounds the live worker only.
      return { since: mode.from, until: mode.to, selectBy: 'key_time' };
    }
    const floor = this.startFloor;
    return { since: floor && (!since || since < floor) ? floor : since };
  }
}
