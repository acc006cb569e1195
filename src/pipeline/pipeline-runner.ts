import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { type ListingPass, PipelineCheckpoint } from '../checkpoint/pipeline-checkpoint.js';
import { backoffDelayMs, sleep } from '../core/backoff.js';
import { ByteBudget } from '../core/byte-budget.js';
import type { ListWindow } from '../core/components.js';
import { describeError, errorCode, logFields } from '../core/errors.js';
import type { SourceObject } from '../core/event.js';
import type { Metrics } from '../core/metrics.js';
import type { BuiltPipeline } from './build-pipeline.js';
import { BOUNDED_RUN_PAUSES, pipelinePauseBackoff } from './object-failure-policy.js';
import { ObjectRunner, type RunTotals } from './object-runner.js';
import type { RunMode } from './run-mode.js';

export type { RunMode } from './run-mode.js';

export interface RunnerOptions {
  logger: Logger;
  metrics: Metrics;
  /** Identifies this worker in leases (task id, host and pid). */
  owner: string;
  mode: RunMode;
  /** Live mode only: stop after one complete poll (demo, cron-style runs). */
  once?: boolean;
  /** Aborted on SIGTERM: stop listing, finish or checkpoint what is in flight, release the lease. */
  drainSignal: AbortSignal;
  /** Told about state changes (health endpoint). */
  onState?: (state: PipelineState, detail?: string) => void;
  /** Told after every object (progress reporting). */
  onObjectDone?: (object: SourceObject, events: number) => void;
}

export type PipelineState = 'starting' | 'waiting_for_lease' | 'running' | 'draining' | 'stopped' | 'failing';

/** A pipeline-level fault the run was paused on when it ended: its code and what to fix. */
export interface PauseReport {
  code: string;
  reason: string;
}

export interface RunSummary extends RunTotals {
  /**
   * Why the run ended. `paused`: a run that must end (`--once`, a backfill) gave up after
   * BOUNDED_RUN_PAUSES pipeline-level faults in a row; `paused` says which.
   */
  reason: 'drained' | 'completed' | 'lease_lost' | 'paused';
  /** Set when the pipeline was paused on a fault as the run ended (whatever the reason). */
  paused?: PauseReport;
}

/** How one poll ended: complete (every listed object done), and the pipeline-level fault that cut it short. */
interface PollResult {
  complete: boolean;
  fault?: { error: unknown };
}

/**
 * Runs one pipeline: holds its lease, polls the source for objects that are not done,
 * processes them with bounded concurrency (objects and bytes in flight), and moves the
 * checkpoint only after every record of an object is acknowledged. A pipeline-level fault
 * (access denied, refused credentials, an output down) pauses it: the poll stops offering
 * objects, nothing more is marked done, readiness says what to fix, and the next poll comes
 * after a backoff that doubles up to `max_pause_seconds`; it resumes by itself once fixed.
 */
export class PipelineRunner {
  private readonly logger: Logger;
  private readonly summary: RunSummary = {
    objects: 0,
    failedObjects: 0,
    records: 0,
    events: 0,
    deadLettered: 0,
    bytes: 0,
    reason: 'completed',
  };
  private readonly objects: ObjectRunner;
  private readonly inFlightKeys = new Set<string>();
  private readonly budget: ByteBudget;
  /** Live listings never look below this LastModified (`start_time`); settled once the lease is held. */
  private startFloor: Date | null = null;

  constructor(
    private readonly pipeline: BuiltPipeline,
    private readonly options: RunnerOptions,
  ) {
    this.logger = options.logger.child({ pipeline: pipeline.id });
    this.budget = new ByteBudget(pipeline.settings.maxBytesInFlight);
    this.objects = new ObjectRunner(pipeline, {
      logger: this.logger,
      metrics: options.metrics,
      totals: this.summary,
      onObjectDone: options.onObjectDone,
    });
  }

  async run(): Promise<RunSummary> {
    const { pipeline, options } = this;
    options.metrics.initPipeline(pipeline.id);
    const checkpoint = new PipelineCheckpoint({
      store: pipeline.store,
      owner: options.owner,
      leaseMs: pipeline.settings.leaseMs,
      flushIntervalMs: pipeline.settings.flushIntervalMs,
      lookbackMs: pipeline.settings.lookbackMs,
      logger: options.logger,
      metrics: options.metrics,
      pipeline: pipeline.id,
    });
    // Listing and reading stop on drain and when another worker took the lease.
    const stop = AbortSignal.any([options.drainSignal, checkpoint.lostSignal]);
    options.onState?.('waiting_for_lease');
    try {
      await checkpoint.acquire(options.drainSignal);
    } catch (error) {
      if (options.drainSignal.aborted) {
        options.onState?.('stopped');
        return { ...this.summary, reason: 'drained' };
      }
      throw error;
    }
    this.setHealthy();
    this.logger.info({ owner: options.owner, mode: options.mode.kind }, 'lease held; pipeline running');
    const queue = new PQueue({ concurrency: pipeline.settings.maxObjectsInFlight });
    try {
      if (options.mode.kind === 'live') this.startFloor = await checkpoint.settleStart(pipeline.settings.startTime);
      await this.pollUntilDone(checkpoint, queue, stop);
    } finally {
      options.onState?.('draining');
      await queue.onIdle();
      if (checkpoint.lost) {
        this.summary.reason = 'lease_lost';
        this.logger.warn('lease lost to another worker; stopped without saving');
      } else {
        await checkpoint.release().catch((error: unknown) => {
          this.logger.error(
            { err: error },
            'final checkpoint save failed; the next worker repeats some work (no duplicates: ids are deterministic)',
          );
        });
        if (options.drainSignal.aborted) this.summary.reason = 'drained';
      }
      options.metrics.pipelineHealthy.set({ pipeline: pipeline.id }, 0);
      options.onState?.('stopped');
    }
    return { ...this.summary };
  }

  /** Polls until stopped, or, in a run that must end, until a complete poll or too many pauses in a row. */
  private async pollUntilDone(checkpoint: PipelineCheckpoint, queue: PQueue, stop: AbortSignal): Promise<void> {
    const { pipeline, options } = this;
    const bounded = options.mode.kind === 'backfill' || options.once === true;
    let pauses = 0;
    while (!stop.aborted) {
      const pollStarted = Date.now();
      const poll = await this.poll(checkpoint, queue, stop);
      // The checkpoint itself sets the lag gauge as it saves.
      if (!checkpoint.lost) await checkpoint.flush();
      if (stop.aborted) return;
      if (poll.fault) {
        pauses++;
        const { attempt, baseMs, capMs } = pipelinePauseBackoff(pauses, pipeline.settings.maxPauseMs);
        const delay = backoffDelayMs(attempt, baseMs, capMs);
        const giveUp = bounded && pauses >= BOUNDED_RUN_PAUSES;
        this.pause(poll.fault.error, pauses, giveUp ? undefined : delay);
        if (giveUp) {
          this.summary.reason = 'paused';
          return;
        }
        await sleep(delay, stop).catch(() => undefined);
        continue;
      }
      if (pauses > 0 || this.summary.paused) this.resume(pauses);
      pauses = 0;
      if (poll.complete) this.setHealthy();
      if (bounded && poll.complete) return;
      const wait = Math.max(0, pipeline.settings.pollIntervalMs - (Date.now() - pollStarted));
      await sleep(poll.complete ? wait : Math.max(wait, 1000), stop).catch(() => undefined);
    }
  }

  /**
   * One listing pass: offers every listed object that is not done, with backpressure, and waits
   * for them. A pipeline-level fault (from the listing or from an object) stops offering more:
   * what was not started stays pending, and the pass is not complete (the watermark stays).
   */
  private async poll(checkpoint: PipelineCheckpoint, queue: PQueue, stop: AbortSignal): Promise<PollResult> {
    const { pipeline, options } = this;
    const labels = { pipeline: pipeline.id };
    const result: PollResult = { complete: true };
    const faulted = new AbortController();
    const listStop = AbortSignal.any([stop, faulted.signal]);
    const onFault = (error: unknown) => {
      result.complete = false;
      result.fault ??= { error };
      faulted.abort();
    };
    const pass = checkpoint.beginPass();
    const seen = new Set<string>();
    const enqueue = async (object: SourceObject): Promise<void> => {
      options.metrics.objectsListed.inc(labels);
      const reserved = await this.budget.reserve(object.size, listStop).then(
        () => true,
        () => false,
      );
      // Backpressure: listing waits while the queue is full.
      if (reserved) await queue.onSizeLessThan(pipeline.settings.maxObjectsInFlight);
      if (!reserved || listStop.aborted) {
        if (reserved) this.budget.release(object.size);
        result.complete = false;
        return;
      }
      this.inFlightKeys.add(object.key);
      void queue.add(async () => {
        try {
          const outcome = result.fault ? { kind: 'later' as const } : await this.objects.run(object, checkpoint, stop);
          if (outcome.kind === 'later') result.complete = false;
          if (outcome.kind === 'pipeline_fault') onFault(outcome.error);
        } finally {
          this.budget.release(object.size);
          this.inFlightKeys.delete(object.key);
        }
      });
    };
    try {
      for await (const object of pipeline.source.list(this.window(pass.since), listStop)) {
        if (listStop.aborted) break;
        seen.add(object.key);
        if (pipeline.isOwnKey(object.key) || this.inFlightKeys.has(object.key) || !pass.offer(object)) continue;
        await enqueue(object);
      }
      if (!listStop.aborted) await this.resumeUnlisted(checkpoint, pass, seen, enqueue, listStop);
      if (!listStop.aborted) pass.complete();
    } catch (error) {
      if (!listStop.aborted) onFault(error);
    }
    await queue.onIdle();
    if (listStop.aborted) result.complete = false;
    return result;
  }

  /** Reports a pipeline-level fault: readiness and the log say what is wrong and what to fix. */
  private pause(error: unknown, pauses: number, retryInMs: number | undefined): void {
    const { options, pipeline } = this;
    const reason = describeError(error);
    this.summary.paused = { code: errorCode(error), reason };
    const next =
      retryInMs === undefined
        ? `gave up after ${pauses} tries in a row`
        : `try ${pauses}, next in ${Math.ceil(retryInMs / 1000)} s`;
    options.onState?.('failing', `paused (${next}): ${reason}`);
    options.metrics.pipelineHealthy.set({ pipeline: pipeline.id }, 0);
    this.logger.error(
      { ...logFields(error), pauses, ...(retryInMs === undefined ? {} : { retryInMs }) },
      `pipeline paused: ${reason}`,
    );
  }

  private resume(pauses: number): void {
    this.summary.paused = undefined;
    this.logger.info({ pauses }, 'pipeline resumed: the fault it was paused on is gone');
    this.setHealthy();
  }

  private setHealthy(): void {
    this.options.metrics.pipelineHealthy.set({ pipeline: this.pipeline.id }, 1);
    this.options.onState?.('running');
  }

  /**
   * Objects the checkpoint has in progress that this listing did not return (their partition is
   * outside the window, e.g. a key dated long before its LastModified): read them by key, so
   * no object is ever left half-read. A version that is gone is marked done with the reason.
   */
  private async resumeUnlisted(
    checkpoint: PipelineCheckpoint,
    pass: ListingPass,
    seen: ReadonlySet<string>,
    enqueue: (object: SourceObject) => Promise<void>,
    stop: AbortSignal,
  ): Promise<void> {
    for (const [key, entry] of Object.entries(checkpoint.state.in_progress)) {
      if (stop.aborted) return;
      if (seen.has(key) || this.inFlightKeys.has(key) || this.pipeline.isOwnKey(key)) continue;
      const current = await this.pipeline.source.stat(key, stop);
      if (!current || current.etag !== entry.etag) {
        const reason = current ? 'rewritten before it was finished' : 'deleted before it was finished';
        this.logger.warn({ key, etag: entry.etag }, `object in progress ${reason}; that version is skipped`);
        checkpoint.markDone({ key, etag: entry.etag, lastModified: entry.last_modified }, reason);
        if (!current) continue;
      }
      if (!pass.offer(current)) continue;
      this.logger.info({ key, record: entry.record }, 'resuming an object in progress that the listing did not return');
      await enqueue(current);
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
