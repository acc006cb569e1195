import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { backoffDelayMs, sleep } from '../core/backoff.js';
import { ByteBudget } from '../core/byte-budget.js';
import { describeError, errorCode, errorMessage, logFields } from '../core/errors.js';
import type { SourceObject } from '../core/event.js';
import type { Metrics } from '../core/metrics.js';
import type { PutBackReason, RoundContext, WorkFeed, WorkItem } from '../core/work-feed.js';
import type { BuiltPipeline } from './build-pipeline.js';
import { BOUNDED_RUN_PAUSES, pipelinePauseBackoff } from './object-failure-policy.js';
import { type ObjectResult, ObjectRunner, type RunTotals, zeroTotals } from './object-runner.js';
import type { RunMode } from './run-mode.js';
import { createWorkFeed } from './work-feeds.js';

export type { RunMode } from './run-mode.js';

export interface RunnerOptions {
  logger: Logger;
  metrics: Metrics;
  /** Identifies this worker in leases (task id, host and pid). */
  owner: string;
  mode: RunMode;
  /** Live mode only: stop after one complete round (a listing pass; notifications: the queue empty). */
  once?: boolean;
  /** Aborted on SIGTERM: stop taking work, finish or checkpoint what is in flight, release the lease or claims. */
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

/** How one round ended: complete (every object it offered done), and the pipeline-level fault that cut it short. */
interface RoundResult {
  complete: boolean;
  fault?: { error: unknown };
}

/**
 * Runs one pipeline: takes work from its feed (core/work-feed.ts: a listing under the lease, or
 * S3 event notifications with per-object claims), processes it with bounded concurrency
 * (objects and bytes in flight), and records an object done only after every record of it is
 * acknowledged. A pipeline-level fault (access denied, refused credentials, an output down)
 * pauses it: the round stops taking work, nothing more is marked done, readiness says what to
 * fix, and the next round comes after a backoff that doubles up to `max_pause_seconds`; it
 * resumes by itself once fixed.
 */
export class PipelineRunner {
  private readonly logger: Logger;
  private readonly summary: RunSummary = { ...zeroTotals(), reason: 'completed' };
  private readonly objects: ObjectRunner;
  private readonly budget: ByteBudget;
  /** Pauses in a row; the first round (or, with notifications, object) that gets through resets it. */
  private pauses = 0;

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
    const feed = createWorkFeed(pipeline, {
      logger: options.logger,
      metrics: options.metrics,
      owner: options.owner,
      mode: options.mode,
      onWaiting: () => options.onState?.('waiting_for_lease'),
    });
    // Taking work and reading stop on drain and when another worker took the lease.
    const stop = AbortSignal.any([options.drainSignal, feed.lostSignal]);
    try {
      await feed.start(options.drainSignal);
    } catch (error) {
      if (options.drainSignal.aborted) {
        options.onState?.('stopped');
        return { ...this.summary, reason: 'drained' };
      }
      throw error;
    }
    this.setHealthy();
    const queue = new PQueue({ concurrency: pipeline.settings.maxObjectsInFlight });
    try {
      await this.roundsUntilDone(feed, queue, stop);
    } finally {
      options.onState?.('draining');
      await queue.onIdle();
      if (feed.lost) {
        this.summary.reason = 'lease_lost';
        this.logger.warn('lease lost to another worker; stopped without saving');
      } else {
        await feed.close().catch((error: unknown) => {
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

  /** Rounds until stopped, or, in a run that must end, until a complete round or too many pauses in a row. */
  private async roundsUntilDone(feed: WorkFeed, queue: PQueue, stop: AbortSignal): Promise<void> {
    const { pipeline, options } = this;
    const bounded = options.mode.kind === 'backfill' || options.once === true;
    while (!stop.aborted) {
      const roundStarted = Date.now();
      const round = await this.round(feed, queue, stop, bounded);
      // The checkpoint itself sets the lag gauge as it saves.
      if (!feed.lost) await feed.flush();
      if (stop.aborted) return;
      if (round.fault) {
        this.pauses++;
        const { attempt, baseMs, capMs } = pipelinePauseBackoff(this.pauses, pipeline.settings.maxPauseMs);
        const delay = backoffDelayMs(attempt, baseMs, capMs);
        const giveUp = bounded && this.pauses >= BOUNDED_RUN_PAUSES;
        this.pause(round.fault.error, this.pauses, giveUp ? undefined : delay);
        if (giveUp) {
          this.summary.reason = 'paused';
          return;
        }
        await sleep(delay, stop).catch(() => undefined);
        continue;
      }
      this.markHealthy();
      if (round.complete) this.setHealthy();
      if (bounded && round.complete) return;
      const wait = Math.max(0, feed.roundIntervalMs - (Date.now() - roundStarted));
      await sleep(round.complete ? wait : Math.max(wait, 1000), stop).catch(() => undefined);
    }
  }

  /**
   * One round: offers every item the feed yields, with backpressure, and waits for them. A
   * pipeline-level fault (from the feed or from an object) stops offering more: what was not
   * started is put back, and the round is not complete (a listing's watermark stays).
   */
  private async round(feed: WorkFeed, queue: PQueue, stop: AbortSignal, bounded: boolean): Promise<RoundResult> {
    const { pipeline, options } = this;
    const labels = { pipeline: pipeline.id };
    const result: RoundResult = { complete: true };
    const faulted = new AbortController();
    const roundStop = AbortSignal.any([stop, faulted.signal]);
    const onFault = (error: unknown) => {
      result.complete = false;
      result.fault ??= { error };
      faulted.abort();
    };
    const putBackReason = (): PutBackReason =>
      result.fault ? 'paused' : options.drainSignal.aborted ? 'drained' : 'stopped';
    const putBack = (item: WorkItem, reason: PutBackReason) =>
      item.putBack(reason).catch((error: unknown) => {
        this.logger.warn({ key: item.object.key, err: errorMessage(error) }, 'could not hand an object back');
      });
    const enqueue = async (item: WorkItem): Promise<void> => {
      const { size } = item.object;
      options.metrics.objectsListed.inc(labels);
      const reserved = await this.budget.reserve(size, roundStop).then(
        () => true,
        () => false,
      );
      // Backpressure: the feed waits while the queue is full.
      if (reserved) await queue.onSizeLessThan(pipeline.settings.maxObjectsInFlight);
      if (!reserved || roundStop.aborted) {
        if (reserved) this.budget.release(size);
        result.complete = false;
        await putBack(item, putBackReason());
        return;
      }
      void queue.add(async () => {
        try {
          const outcome = result.fault ? STOPPED : await this.runObject(item, stop);
          if (outcome.kind === 'done') return;
          result.complete = false;
          if (outcome.kind === 'pipeline_fault') onFault(outcome.error);
          const retry = outcome.kind === 'later' && outcome.why === 'retry' && !roundStop.aborted;
          await putBack(item, retry ? 'retry' : putBackReason());
        } finally {
          this.budget.release(size);
        }
      });
    };
    const context: RoundContext = { afterPause: this.pauses > 0, bounded, onHealthy: () => this.markHealthy() };
    try {
      for await (const item of feed.round(roundStop, context)) {
        if (roundStop.aborted) {
          result.complete = false;
          await putBack(item, putBackReason());
          break;
        }
        await enqueue(item);
      }
    } catch (error) {
      if (!roundStop.aborted) onFault(error);
    }
    await queue.onIdle();
    if (roundStop.aborted) result.complete = false;
    return result;
  }

  /** One object; a failure to record its outcome (a claim that cannot be written) is a pipeline-level fault. */
  private runObject(item: WorkItem, stop: AbortSignal): Promise<ObjectResult> {
    return this.objects.run(item, stop).catch((error: unknown) => ({ kind: 'pipeline_fault', error }) as const);
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

  /** The feed got through: a pause is over. */
  private markHealthy(): void {
    if (this.pauses > 0 || this.summary.paused) {
      this.summary.paused = undefined;
      this.logger.info({ pauses: this.pauses }, 'pipeline resumed: the fault it was paused on is gone');
      this.setHealthy();
    }
    this.pauses = 0;
  }

  private setHealthy(): void {
    this.options.metrics.pipelineHealthy.set({ pipeline: this.pipeline.id }, 1);
    this.options.onState?.('running');
  }
}

const STOPPED: ObjectResult = { kind: 'later', why: 'stopped' };
