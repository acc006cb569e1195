import type { Logger } from 'pino';
import { sleep } from '../core/backoff.js';
import { CheckpointConflictError, errorMessage } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import { type CheckpointState, emptyState } from './state.js';
import type { CheckpointStore, VersionedState } from './store.js';

export interface CheckpointLeaseOptions {
  store: CheckpointStore;
  /** Unique per process (see createOwnerId): two tasks must never share it. */
  owner: string;
  leaseMs: number;
  pipeline: string;
  /** Bound to the pipeline and the owner (logger.child({ pipeline, owner })). */
  logger: Logger;
  metrics: Metrics;
}

/**
 * The lease on one pipeline's checkpoint, kept in the checkpoint document itself (owner and
 * expiry), and the fenced writes that carry it: every write renews the lease or clears it.
 *
 * Correctness never rests on the lease alone: every save is fenced by the version it read, so
 * a worker that lost the lease (paused, partitioned) cannot overwrite its successor's state.
 * The lease only keeps a second task from doing the same work at the same time.
 */
export class CheckpointLease {
  private version: string | null = null;
  private held = false;
  private lostFlag = false;
  private lostHolder: string | null = null;
  private readonly lostController = new AbortController();
  /** When the stored lease was last written by us (taken or renewed). */
  private renewedAt = 0;
  private readonly labels: { pipeline: string };

  constructor(private readonly options: CheckpointLeaseOptions) {
    if (!(options.leaseMs > 0)) throw new RangeError('leaseMs must be positive');
    this.labels = { pipeline: options.pipeline };
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

  /** The lease is renewed every third of its time, so two renewals may fail before it expires. */
  get renewEveryMs(): number {
    return this.options.leaseMs / 3;
  }

  /** True when the last write of the lease is a renewal interval old. */
  renewalDue(now = Date.now()): boolean {
    return now - this.renewedAt >= this.renewEveryMs;
  }

  /**
   * Takes the lease: at once when it is free, expired or already ours; otherwise waits, polling
   * at least every min(lease/3, 5 s), until the holder releases it or stops renewing it.
   * Resolves with the stored state (the progress to continue from). Rejects with the signal's
   * reason when aborted.
   */
  async acquire(signal?: AbortSignal): Promise<CheckpointState> {
    if (this.lostFlag) throw this.lostError();
    const { store, owner, leaseMs, logger } = this.options;
    const pollMs = Math.max(50, Math.min(leaseMs / 3, 5000));
    let announced: string | null = null;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const loaded = await store.load();
      const state = loaded?.state ?? emptyState();
      const now = Date.now();
      const lease = state.lease;
      if (!lease || lease.expires_at <= now || lease.owner === owner) {
        if (await this.take(state, loaded?.version ?? null, now)) return state;
        // Another task wrote between our load and save: look again, after a little jitter.
        logger.debug('checkpoint changed while taking the lease; reloading');
        await sleep(Math.floor(Math.random() * Math.min(200, 20 * 2 ** Math.min(attempt, 4))), signal);
        continue;
      }
      if (announced !== lease.owner) {
        announced = lease.owner;
        logger.info(
          {
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

  /**
   * A fenced write of `state` that renews the lease, or clears it when `releasing`; resolves
   * with the time written. Throws CheckpointConflictError when someone else wrote since (see
   * resolveConflict).
   */
  async write(state: CheckpointState, releasing: boolean): Promise<number> {
    const { store, owner, leaseMs, metrics } = this.options;
    const now = Date.now();
    const ours = { owner, expires_at: now + leaseMs };
    state.lease = releasing ? null : ours;
    state.updated_at = now;
    try {
      // The store serializes `state` before its first await: later marks go into the next save.
      this.version = await store.save(state, this.version);
      this.renewedAt = now;
      metrics.checkpointSaves.inc(this.labels);
      return now;
    } finally {
      // Keep the in-memory lease truthful if the release failed and we still run.
      if (releasing) state.lease = ours;
    }
  }

  /**
   * A fenced save failed: someone else wrote. If the stored lease is still ours, that write
   * was our own (an SDK retry of a save whose first attempt succeeded): adopt its version and
   * return true, since our memory holds everything it held; the caller saves again. Otherwise
   * our view is stale: the lease is lost (lostSignal aborts). False also when the checkpoint
   * cannot be reloaded: the next save tries again and meets the conflict again.
   */
  async resolveConflict(conflict: CheckpointConflictError): Promise<boolean> {
    const { store, owner, logger, metrics } = this.options;
    metrics.checkpointConflicts.inc(this.labels);
    let loaded: VersionedState | null;
    try {
      loaded = await store.load();
    } catch (error) {
      logger.warn({ err: errorMessage(error) }, 'cannot reload the checkpoint after a conflict');
      return false;
    }
    if (loaded?.state.lease?.owner === owner) {
      this.version = loaded.version;
      logger.warn('checkpoint save met its own earlier write; adopted that version');
      return true;
    }
    this.lostFlag = true;
    this.held = false;
    metrics.leaseHeld.set(this.labels, 0);
    this.lostHolder = loaded?.state.lease?.owner ?? null;
    logger.error(
      { holder: this.lostHolder, code: conflict.code, checkpoint: store.describe() },
      'lost the pipeline lease: another task wrote the checkpoint; stopping this pipeline',
    );
    this.lostController.abort(this.lostError());
    return false;
  }

  /** After the release save (whether it succeeded or not): this process no longer holds the lease. */
  letGo(): void {
    this.held = false;
    this.options.metrics.leaseHeld.set(this.labels, 0);
  }

  /** Why a save may not run now (lease lost, or never taken); null when it may. */
  refusal(): CheckpointConflictError | null {
    if (this.lostFlag) return this.lostError();
    if (this.held) return null;
    return new CheckpointConflictError('the pipeline lease is not held: call acquire() first', {
      pipeline: this.options.pipeline,
    });
  }

  lostError(): CheckpointConflictError {
    const { pipeline, owner } = this.options;
    const holder = this.lostHolder;
    return new CheckpointConflictError(`pipeline ${pipeline}: the lease was lost${holder ? ` to ${holder}` : ''}`, {
      pipeline,
      owner,
      holder: holder ?? undefined,
    });
  }

  /** Writes the lease into the loaded state; false when another task wrote first. */
  private async take(state: CheckpointState, version: string | null, now: number): Promise<boolean> {
    const { store, owner, leaseMs, logger, metrics } = this.options;
    const previous = state.lease;
    state.lease = { owner, expires_at: now + leaseMs };
    state.updated_at = now;
    try {
      this.version = await store.save(state, version);
    } catch (error) {
      if (error instanceof CheckpointConflictError) return false;
      throw error;
    }
    this.held = true;
    this.renewedAt = now;
    metrics.checkpointSaves.inc(this.labels);
    metrics.leaseHeld.set(this.labels, 1);
    logger.info(
      {
        checkpoint: store.describe(),
        previous_owner: previous?.owner ?? null,
        watermark: state.watermark === null ? null : new Date(state.watermark).toISOString(),
      },
      previous && previous.owner !== owner ? 'took over the expired pipeline lease' : 'acquired the pipeline lease',
    );
    return true;
  }
}
