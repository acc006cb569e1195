import type { Logger } from 'pino';
import { CheckpointConflictError, errorCode, errorMessage } from '../core/errors.js';
import type { CheckpointLease } from './lease.js';
import type { PipelineProgress } from './pipeline-progress.js';

export interface CheckpointWriterOptions {
  lease: CheckpointLease;
  progress: PipelineProgress;
  /** Longest time a change stays unsaved. */
  flushIntervalMs: number;
  /** Bound to the pipeline and the owner. */
  logger: Logger;
}

/**
 * Saves the progress through the lease. One save runs at a time; calls made while one runs
 * share the next save, so a burst of finished objects costs two writes, not one each. A timer
 * saves changes within the flush interval and renews the lease when nothing changed.
 */
export class CheckpointWriter {
  private readonly lease: CheckpointLease;
  private readonly progress: PipelineProgress;
  /** Changes made since the last save began. */
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly options: CheckpointWriterOptions) {
    this.lease = options.lease;
    this.progress = options.progress;
    // A lost lease stops the saves at once; the runner stops on the same signal.
    this.lease.lostSignal.addEventListener('abort', () => this.stopTimer(), { once: true });
  }

  /** The progress changed: the next save must write it. */
  markChanged(): void {
    this.dirty = true;
  }

  /** Starts the timer (once the lease is held). */
  start(): void {
    this.stopTimer();
    const renewEveryMs = this.lease.renewEveryMs;
    const tickMs = Math.max(10, Math.min(this.options.flushIntervalMs, renewEveryMs));
    this.timer = setInterval(() => {
      if (!this.lease.holding || this.queued) return;
      if (!this.dirty && !this.lease.renewalDue()) return;
      this.flush().catch((error: unknown) => {
        if (error instanceof CheckpointConflictError) return; // resolveConflict already logged and decided
        this.options.logger.warn(
          { code: errorCode(error), err: errorMessage(error) },
          'checkpoint save failed; retrying',
        );
      });
    }, tickMs);
    this.timer.unref();
  }

  /**
   * Saves the state now, renewing the lease. One save runs at a time; calls made while one
   * runs share the next save. Rejects with CheckpointConflictError once the lease is lost.
   */
  flush(): Promise<void> {
    return this.enqueueSave(false);
  }

  /** Final save with the lease cleared, so the next task starts at once; stops the timer. */
  async release(): Promise<void> {
    this.stopTimer();
    if (!this.lease.holding) {
      await this.inFlight?.catch(() => {});
      return;
    }
    try {
      await this.enqueueSave(true);
    } finally {
      this.lease.letGo();
    }
    this.options.logger.info('released the pipeline lease');
  }

  private enqueueSave(releasing: boolean): Promise<void> {
    const refusal = this.lease.refusal();
    if (refusal) return Promise.reject(refusal);
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
    if (this.lease.lost) throw this.lease.lostError();
    const state = this.progress.stateToSave();
    const wasDirty = this.dirty;
    this.dirty = false;
    try {
      const savedAt = await this.lease.write(state, releasing);
      this.progress.reportLag(savedAt);
    } catch (error) {
      this.dirty = this.dirty || wasDirty;
      if (!(error instanceof CheckpointConflictError)) throw error;
      if (await this.lease.resolveConflict(error)) {
        // Our own earlier write holds what this save held; write again so nothing is left unsaved.
        this.dirty = true;
        if (!retried) return this.saveNow(releasing, true);
      }
      throw this.lease.lost ? this.lease.lostError() : error;
    }
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
