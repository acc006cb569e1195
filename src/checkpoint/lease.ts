import type { Logger } from 'pino';
import { sleep } from '../core/backoff.js';
import { CheckpointConflictError, errorCode, errorMessage } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import {
  advance,
  isCandidate,
  listSince,
  markDone,
  markOffset,
  type ObjectVersion,
  resumeRecord,
  type TrackedObject,
} from './progress.js';
import { type CheckpointState, emptyState } from './state.js';
import type { CheckpointStore } from './store.js';

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
 * One pass over the source's listing. Objects it offers are tracked until markDone, and the
 * watermark never moves past what a pass that is still running, or an object still queued,
 * could hold (see PipelineCheckpoint).
 */
export interface ListingPass {
  /** Give the source this as ListWindow.since. */
  readonly since: Date | null;
  /** True when the object needs reading; it is then tracked until markDone. */
  offer(obj: TrackedObject): boolean;
  /** Call when the listing ran to its end (not when it was interrupted). */
  complete(): void;
}

/**
 * S3 LastModified comes from S3's clock, pass start times from ours; keep the watermark this
 * far behind a pass start so a skewed clock cannot push the window past unseen objects.
 */
const CLOCK_MARGIN_MS = 60_000;

/**
 * What a pipeline runner holds: the lease on its checkpoint and the progress in it.
 *
 * Usage:
 *   await cp.acquire(signal);                       // waits while another task holds the lease
 *   const pass = cp.beginPass();
 *   for await (const obj of source.list({ since: pass.since })) if (pass.offer(obj)) queue(obj);
 *   pass.complete();                                // or, without passes: cp.advance(pollStartedAt) once a
 *                                                   // poll's listing ended and all its objects are done
 *   ... cp.resumeRecord(obj), cp.markOffset(obj, n) after acknowledgements, cp.markDone(obj) ...
 *   cp.lostSignal aborts when another task took over: stop at once.
 *   await cp.release();                             // on clean shutdown
 *
 * Correctness never rests on the lease alone: every save is fenced by the version it read, so
 * a worker that lost the lease (paused, partitioned) cannot overwrite its successor's state.
 * The lease only keeps a second task from doing the same work at the same time.
 *
 * The watermark moves only as far as is safe after a crash: not past the oldest object offered
 * but not done, and not past the start of the last listing pass that ran to its end (objects a
 * running pass has not yielded yet are older than that start, or arrived after it and sit inside
 * the lookback window by assumption).
 */
export class PipelineCheckpoint {
  private current: CheckpointState = emptyState();
  private version: string | null = null;
  private held = false;
  private dirty = false;
  private lostFlag = false;
  private lostHolder: string | null = null;
  private readonly lostController = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private lastSaveAt = 0;
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** Offered, not yet done: `key\netag` -> LastModified. Memory only: after a crash the next pass finds them again. */
  private readonly pending = new Map<string, number>();
  /** Start of the newest listing pass that ran to its end in this process. */
  private completedPassStart: number | null = null;
  private readonly flushIntervalMs: number;
  private readonly labels: { pipeline: string };

  constructor(private readonly options: PipelineCheckpointOptions) {
    if (!(options.leaseMs > 0)) throw new RangeError('leaseMs must be positive');
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.labels = { pipeline: options.pipeline };
  }

  /** The in-memory state (read-only: change it through the mark methods). */
  get state(): Readonly<CheckpointState> {
    return this.current;
  }

  /** True once another owner took the lease; the runner must stop. */
  get lost(): boolean {
    return this.lostFlag;
  }

  /** Aborts when the lease is lost. */
  get lostSignal(): AbortSignal {
    return this.lostController.signal;
  }

  get holding(): boolean {
    return this.held && !this.lostFlag;
  }

  /**
   * Takes the lease: at once when it is free, expired or already ours; otherwise waits, polling
   * at least every min(lease/3, 5 s), until the holder releases it or stops renewing it.
   * Rejects with the signal's reason when aborted.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.lostFlag) throw this.lostError(this.lostHolder);
    if (this.held) return;
    const { store, owner, leaseMs, logger, pipeline } = this.options;
    const pollMs = Math.max(50, Math.min(leaseMs / 3, 5000));
    let announced: string | null = null;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const loaded = await store.load();
      const state = loaded?.state ?? emptyState();
      const version = loaded?.version ?? null;
      const now = Date.now();
      const lease = state.lease;
      if (!lease || lease.expires_at <= now || lease.owner === owner) {
        state.lease = { owner, expires_at: now + leaseMs };
        state.updated_at = now;
        try {
          this.version = await store.save(state, version);
        } catch (error) {
          if (!(error instanceof CheckpointConflictError)) throw error;
          // Another task wrote between our load and save: look again, after a little jitter.
          logger.debug({ pipeline, owner }, 'checkpoint changed while taking the lease; reloading');
          await sleep(Math.floor(Math.random() * Math.min(200, 20 * 2 ** Math.min(attempt, 4))), signal);
          continue;
        }
        this.current = state;
        this.held = true;
        this.lastSaveAt = now;
        this.options.metrics.checkpointSaves.inc(this.labels);
        this.options.metrics.leaseHeld.set(this.labels, 1);
        logger.info(
          {
            pipeline,
            owner,
            checkpoint: store.describe(),
            previous_owner: lease?.owner ?? null,
            watermark: state.watermark === null ? null : new Date(state.watermark).toISOString(),
          },
          lease && lease.owner !== owner ? 'took over the expired pipeline lease' : 'acquired the pipeline lease',
        );
        this.startTimer();
        return;
      }
      if (announced !== lease.owner) {
        announced = lease.owner;
        logger.info(
          {
            pipeline,
            owner,
            holder: lease.owner,
            expires_at: new Date(lease.expires_at).toISOString(),
            checkpoint: store.describe(),
          },
          'another task holds the pipeline lease; waiting for it to be released or to expire',
        );
      }
      await sleep(Math.min(pollMs, Math.max(50, lease.expires_at - now + 10)), signal);
    }
  }

  /** Starts one pass over the listing; see ListingPass. */
  beginPass(): ListingPass {
    const startedAt = Date.now();
    const since = listSince(this.current, this.options.lookbackMs);
    let completed = false;
    return {
      since,
      offer: (obj) => {
        if (!isCandidate(this.current, obj, this.options.lookbackMs)) return false;
        this.pending.set(pendingKey(obj), epochMs(obj.lastModified));
        return true;
      },
      complete: () => {
        if (completed) return;
        completed = true;
        if (this.completedPassStart === null || startedAt > this.completedPassStart) {
          this.completedPassStart = startedAt;
        }
      },
    };
  }

  /**
   * For runners that do not use beginPass: the caller states that a listing which started at
   * `listingStartedAt` (default: now) ran to its end and every object it yielded is done.
   * Moves the watermark at once (saved by the next flush), capped like a completed pass.
   */
  advance(listingStartedAt: number = Date.now()): void {
    let ceiling = listingStartedAt - CLOCK_MARGIN_MS;
    ceiling = Math.min(ceiling, this.oldestUnfinished());
    advance(this.current, this.options.lookbackMs, ceiling);
    this.dirty = true;
  }

  /** LastModified (epoch ms) of the newest object fully done, for the lag metric; null before any. */
  newestDone(): number | null {
    let newest = this.current.watermark;
    for (const entry of Object.values(this.current.done)) {
      if (newest === null || entry.last_modified > newest) newest = entry.last_modified;
    }
    return newest;
  }

  isCandidate(obj: TrackedObject): boolean {
    return isCandidate(this.current, obj, this.options.lookbackMs);
  }

  resumeRecord(obj: ObjectVersion): number {
    return resumeRecord(this.current, obj);
  }

  listSince(): Date | null {
    return listSince(this.current, this.options.lookbackMs);
  }

  /** Every record up to and including `record` of this object is acknowledged. */
  markOffset(obj: TrackedObject, record: number): void {
    markOffset(this.current, obj, record);
    this.dirty = true;
  }

  /** The object is finished: all records acknowledged, or quarantined with `failedReason`. Also for skipped objects. */
  markDone(obj: TrackedObject, failedReason?: string): void {
    markDone(this.current, obj, failedReason);
    this.pending.delete(pendingKey(obj));
    this.dirty = true;
  }

  /**
   * Saves the state now, renewing the lease. One save runs at a time; calls made while one
   * runs share the next save. Rejects with CheckpointConflictError once the lease is lost.
   */
  flush(): Promise<void> {
    return this.enqueueSave(false);
  }

  /** Final save with the lease cleared, so the next task starts at once; stops the timers. */
  async release(): Promise<void> {
    this.stopTimer();
    if (!this.held || this.lostFlag) {
      await this.inFlight?.catch(() => {});
      return;
    }
    try {
      await this.enqueueSave(true);
    } finally {
      this.held = false;
      this.options.metrics.leaseHeld.set(this.labels, 0);
    }
    this.options.logger.info(
      { pipeline: this.options.pipeline, owner: this.options.owner },
      'released the pipeline lease',
    );
  }

  private enqueueSave(releasing: boolean): Promise<void> {
    if (this.lostFlag) return Promise.reject(this.lostError(this.lostHolder));
    if (!this.held) {
      return Promise.reject(
        new CheckpointConflictError('the pipeline lease is not held: call acquire() first', {
          pipeline: this.options.pipeline,
        }),
      );
    }
    // A release must not merge into an ordinary save already queued: it changes what is written.
    if (this.queued && !releasing) return this.queued;
    const previous = this.queued ?? this.inFlight;
    const run = async (): Promise<void> => {
      await previous?.catch(() => {});
      if (this.queued === promise) this.queued = null;
      const saving = this.saveNow(releasing);
      this.inFlight = saving;
      try {
        await saving;
      } finally {
        if (this.inFlight === saving) this.inFlight = null;
      }
    };
    const promise = run();
    this.queued = promise;
    return promise;
  }

  private async saveNow(releasing: boolean, retried = false): Promise<void> {
    if (this.lostFlag) throw this.lostError(this.lostHolder);
    const { store, leaseMs, lookbackMs, owner, metrics } = this.options;
    const now = Date.now();
    const state = this.current;
    advance(state, lookbackMs, this.watermarkCeiling());
    state.lease = releasing ? null : { owner, expires_at: now + leaseMs };
    state.updated_at = now;
    const wasDirty = this.dirty;
    this.dirty = false;
    try {
      // The store serializes `state` before its first await: later marks go into the next save.
      this.version = await store.save(state, this.version);
      this.lastSaveAt = now;
      metrics.checkpointSaves.inc(this.labels);
      this.updateLag(now);
    } catch (error) {
      this.dirty = this.dirty || wasDirty;
      if (!(error instanceof CheckpointConflictError)) throw error;
      if ((await this.onConflict(error)) && !retried) return this.saveNow(releasing, true);
      throw this.lostFlag ? this.lostError(this.lostHolder) : error;
    } finally {
      if (releasing && state.lease === null && !this.lostFlag) {
        // Keep the in-memory lease truthful if the release failed and we still run.
        state.lease = { owner, expires_at: now + leaseMs };
      }
    }
  }

  /**
   * A fenced save failed: someone else wrote. If the stored lease is still ours, that write
   * was our own (an SDK retry of a save whose first attempt succeeded): adopt its version and
   * carry on, since our memory holds everything it held. Otherwise our view is stale: lost.
   */
  private async onConflict(conflict: CheckpointConflictError): Promise<boolean> {
    const { store, owner, logger, pipeline, metrics } = this.options;
    metrics.checkpointConflicts.inc(this.labels);
    let loaded: Awaited<ReturnType<CheckpointStore['load']>>;
    try {
      loaded = await store.load();
    } catch (error) {
      logger.warn({ pipeline, owner, err: errorMessage(error) }, 'cannot reload the checkpoint after a conflict');
      return false; // the next save tries again and meets the conflict again
    }
    if (loaded?.state.lease?.owner === owner) {
      this.version = loaded.version;
      this.dirty = true;
      logger.warn({ pipeline, owner }, 'checkpoint save met its own earlier write; adopted that version');
      return true;
    }
    this.lostFlag = true;
    this.held = false;
    this.stopTimer();
    metrics.leaseHeld.set(this.labels, 0);
    const holder = loaded?.state.lease?.owner ?? null;
    logger.error(
      { pipeline, owner, holder, code: conflict.code, checkpoint: store.describe() },
      'lost the pipeline lease: another task wrote the checkpoint; stopping this pipeline',
    );
    this.lostHolder = holder;
    this.lostController.abort(this.lostError(holder));
    return false;
  }

  /** How far the watermark may move when saving (see the class comment). */
  private watermarkCeiling(): number {
    if (this.completedPassStart === null) return this.current.watermark ?? Number.NEGATIVE_INFINITY;
    return Math.min(this.completedPassStart - CLOCK_MARGIN_MS, this.oldestUnfinished());
  }

  /** Oldest LastModified among objects offered but not done, and objects in progress. */
  private oldestUnfinished(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const lastModified of this.pending.values()) if (lastModified < oldest) oldest = lastModified;
    for (const entry of Object.values(this.current.in_progress)) {
      if (entry.last_modified < oldest) oldest = entry.last_modified;
    }
    return oldest;
  }

  private updateLag(now: number): void {
    const newest = this.newestDone();
    if (newest !== null) this.options.metrics.lagSeconds.set(this.labels, Math.max(0, (now - newest) / 1000));
  }

  private startTimer(): void {
    this.stopTimer();
    const renewEveryMs = this.options.leaseMs / 3;
    const tickMs = Math.max(10, Math.min(this.flushIntervalMs, renewEveryMs));
    this.timer = setInterval(() => {
      if (!this.holding || this.queued) return;
      if (!this.dirty && Date.now() - this.lastSaveAt < renewEveryMs) return;
      this.flush().catch((error: unknown) => {
        if (error instanceof CheckpointConflictError) return; // onConflict already logged and decided
        this.options.logger.warn(
          { pipeline: this.options.pipeline, code: errorCode(error), err: errorMessage(error) },
          'checkpoint save failed; retrying',
        );
      });
    }, tickMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private lostError(holder?: string | null): CheckpointConflictError {
    return new CheckpointConflictError(
      `pipeline ${this.options.pipeline}: the lease was lost${holder ? ` to ${holder}` : ''}`,
      { pipeline: this.options.pipeline, owner: this.options.owner, holder: holder ?? undefined },
    );
  }
}

function pendingKey(obj: ObjectVersion): string {
  return `${obj.key}\n${obj.etag}`;
}

function epochMs(value: Date | number): number {
  return typeof value === 'number' ? value : value.getTime();
}
