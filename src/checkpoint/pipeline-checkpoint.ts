import type { Logger } from 'pino';
import type { Metrics } from '../core/metrics.js';
import type { StartTime } from '../core/pipeline-settings.js';
import { CheckpointWriter } from './checkpoint-writer.js';
import { CheckpointLease } from './lease.js';
import { type ListingPass, PipelineProgress } from './pipeline-progress.js';
import type { ObjectVersion, TrackedObject } from './progress.js';
import type { CheckpointState } from './state.js';
import type { CheckpointStore } from './store.js';

export type { ListingPass } from './pipeline-progress.js';

export interface PipelineCheckpointOptions {
  store: CheckpointStore;
  /** Unique per process (see createOwnerId): two tasks must never share it. */
  owner: string;
  leaseMs: number;
  lookbackMs: number;
  logger: Logger;
  metrics: Metrics;
  pipeline: string;
  /** Longest time a change stays unsaved (default 1 s). */
  flushIntervalMs?: number;
}

/**
 * What a pipeline runner holds: the lease on its checkpoint (lease.ts), the progress in it
 * (pipeline-progress.ts), and the saves that write one with the other (checkpoint-writer.ts).
 *
 * Usage:
 *   await cp.acquire(signal);                       // waits while another task holds the lease
 *   const pass = cp.beginPass();
 *   for await (const obj of source.list({ since: pass.since })) if (pass.offer(obj)) queue(obj);
 *   pass.complete();                                // the listing ran to its end
 *   ... cp.resumeRecord(obj), cp.markOffset(obj, n) after acknowledgements, cp.markDone(obj) ...
 *   cp.lostSignal aborts when another task took over: stop at once.
 *   await cp.release();                             // on clean shutdown
 */
export class PipelineCheckpoint {
  private readonly lease: CheckpointLease;
  private readonly progress: PipelineProgress;
  private readonly writer: CheckpointWriter;
  private readonly logger: Logger;

  constructor(options: PipelineCheckpointOptions) {
    const { store, owner, leaseMs, pipeline, metrics } = options;
    const logger = options.logger.child({ pipeline, owner });
    this.logger = logger;
    this.lease = new CheckpointLease({ store, owner, leaseMs, pipeline, logger, metrics });
    this.progress = new PipelineProgress(options.lookbackMs, metrics, pipeline);
    this.writer = new CheckpointWriter({
      lease: this.lease,
      progress: this.progress,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      logger,
    });
  }

  /** The in-memory state (read-only: change it through the mark methods). */
  get state(): Readonly<CheckpointState> {
    return this.progress.state;
  }

  /** True once another owner took the lease; the runner must stop. */
  get lost(): boolean {
    return this.lease.lost;
  }

  /** Aborts when the lease is lost. */
  get lostSignal(): AbortSignal {
    return this.lease.lostSignal;
  }

  get holding(): boolean {
    return this.lease.holding;
  }

  /** Takes the lease, waiting while another task holds it (see CheckpointLease.acquire), and loads the progress. */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.lease.holding) return;
    this.progress.resume(await this.lease.acquire(signal));
    this.writer.start();
  }

  /**
   * The LastModified below which live listings never look, from `start_time`. A first start
   * with `now` records its instant in the checkpoint and saves it before anything is listed,
   * so a crash and restart keep the same floor.
   */
  async settleStart(setting: StartTime): Promise<Date | null> {
    const { floor, recorded } = this.progress.settleStart(setting);
    if (recorded) {
      this.writer.markChanged();
      await this.writer.flush();
    }
    if (setting.kind === 'now' && floor === null) {
      this.logger.info('start_time is now, but the checkpoint already holds progress: it goes on from there');
    } else if (floor) {
      this.logger.info(
        { startTime: floor.toISOString(), recorded },
        'objects last modified before start_time are not read (sluice backfill reads them)',
      );
    }
    return floor;
  }

  /** Starts one pass over the listing; see ListingPass. */
  beginPass(): ListingPass {
    return this.progress.beginPass();
  }

  /** The last acknowledged record of this version, to resume after; 0 when none. */
  resumeRecord(obj: ObjectVersion): number {
    return this.progress.resumeRecord(obj);
  }

  /** Every record up to and including `record` of this object is acknowledged. */
  markOffset(obj: TrackedObject, record: number): void {
    this.progress.markOffset(obj, record);
    this.writer.markChanged();
  }

  /** The object is finished: all records acknowledged, or quarantined with `failedReason`. Also for skipped objects. */
  markDone(obj: TrackedObject, failedReason?: string): void {
    this.progress.markDone(obj, failedReason);
    this.writer.markChanged();
  }

  /**
   * Saves the state now, renewing the lease. One save runs at a time; calls made while one
   * runs share the next save. Rejects with CheckpointConflictError once the lease is lost.
   */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Final save with the lease cleared, so the next task starts at once; stops the timers. */
  release(): Promise<void> {
    return this.writer.release();
  }
}
