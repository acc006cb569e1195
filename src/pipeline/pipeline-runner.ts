import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { type ListingPass, PipelineCheckpoint } from '../checkpoint/pipeline-checkpoint.js';
import { backoffDelayMs, sleep } from '../core/backoff.js';
import type { ListWindow } from '../core/components.js';
import { errorCode, errorMessage } from '../core/errors.js';
import type { SourceObject } from '../core/event.js';
import type { Metrics } from '../core/metrics.js';
import type { BuiltPipeline } from './build-pipeline.js';
import { decideObjectFailure, type FailureCounts, NO_FAILURES, quarantineEntry } from './object-failure-policy.js';
import { ObjectOffsets, offsetMarkInterval } from './object-offsets.js';
import { processObject } from './process-object.js';

export type RunMode = { kind: 'live' } | { kind: 'backfill'; from: Date; to: Date | null };

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

export interface RunSummary {
  objects: number;
  failedObjects: number;
  records: number;
  events: number;
  /** Records (and events an output rejected) that went to the dead-letter one by one; quarantines not included. */
  deadLettered: number;
  bytes: number;
  /** Why the run ended. */
  reason: 'drained' | 'completed' | 'lease_lost';
}

/**
 * Runs one pipeline: holds its lease, polls the source for objects that are not done,
 * processes them with bounded concurrency (objects and bytes in flight), and moves the
 * checkpoint only after every record of an object is acknowledged.
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
  /** Failures of objects not finished yet, by key (the failure policy's counts). */
  private readonly failures = new Map<string, FailureCounts>();
  private readonly inFlightKeys = new Set<string>();
  private bytesInFlight = 0;
  private byteWaiters: Array<() => void> = [];

  constructor(
    private readonly pipeline: BuiltPipeline,
    private readonly options: RunnerOptions,
  ) {
    this.logger = options.logger.child({ pipeline: pipeline.id });
  }

  async run(): Promise<RunSummary> {
    const { pipeline, options } = this;
    const labels = { pipeline: pipeline.id };
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
    options.onState?.('running');
    this.logger.info({ owner: options.owner, mode: options.mode.kind }, 'lease held; pipeline running');
    options.metrics.pipelineHealthy.set(labels, 1);

    const queue = new PQueue({ concurrency: pipeline.settings.maxObjectsInFlight });
    try {
      while (!stop.aborted) {
        const pollStarted = Date.now();
        const pass = checkpoint.beginPass();
        let pollComplete = true;
        const seen = new Set<string>();
        const enqueue = async (object: SourceObject): Promise<void> => {
          options.metrics.objectsListed.inc(labels);
          this.inFlightKeys.add(object.key);
          await this.reserveBytes(object.size, stop);
          // Backpressure: listing waits while the queue is full.
          await queue.onSizeLessThan(pipeline.settings.maxObjectsInFlight);
          void queue.add(async () => {
            try {
              const ok = await this.runObject(object, checkpoint, stop);
              if (!ok) pollComplete = false;
            } finally {
              this.releaseBytes(object.size);
              this.inFlightKeys.delete(object.key);
            }
          });
        };
        try {
          for await (const object of pipeline.source.list(this.window(pass.since), stop)) {
            if (stop.aborted) break;
            seen.add(object.key);
            if (pipeline.isOwnKey(object.key) || this.inFlightKeys.has(object.key) || !pass.offer(object)) continue;
            await enqueue(object);
          }
          if (!stop.aborted) await this.resumeUnlisted(checkpoint, pass, seen, enqueue, stop);
          if (!stop.aborted) pass.complete();
        } catch (error) {
          if (!stop.aborted) {
            pollComplete = false;
            options.onState?.('failing', errorMessage(error));
            options.metrics.pipelineHealthy.set(labels, 0);
            this.logger.error({ err: error, code: errorCode(error) }, 'listing failed; retrying next poll');
          }
        }
        await queue.onIdle();
        if (!stop.aborted && pollComplete) {
          options.metrics.pipelineHealthy.set(labels, 1);
          options.onState?.('running');
        }
        // The checkpoint itself sets the lag gauge as it saves.
        if (!checkpoint.lost) await checkpoint.flush();
        if ((options.mode.kind === 'backfill' || options.once) && pollComplete) break;
        const wait = Math.max(0, pipeline.settings.pollIntervalMs - (Date.now() - pollStarted));
        await sleep(pollComplete ? wait : Math.max(wait, 1000), stop).catch(() => undefined);
      }
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
      options.metrics.pipelineHealthy.set(labels, 0);
      options.onState?.('stopped');
    }
    return { ...this.summary };
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
      // A backfill selects objects by the time their key names (the log's own date), not LastModified.
      return { since: mode.from, until: mode.to, selectBy: 'key_time' };
    }
    const start = this.pipeline.settings.startTime;
    if (start && (!since || since < start)) return { since: start };
    return { since };
  }

  /** Processes one object with bounded retries; returns false when it must be tried again in a later poll. */
  private async runObject(object: SourceObject, checkpoint: PipelineCheckpoint, stop: AbortSignal): Promise<boolean> {
    const { pipeline, options } = this;
    const labels = { pipeline: pipeline.id };
    const log = this.logger.child({ bucket: object.bucket, key: object.key });
    if (object.size === 0) {
      options.metrics.objectsSkipped.inc({ ...labels, reason: 'empty' });
      checkpoint.markDone(object);
      return true;
    }
    const resumeAfter = checkpoint.resumeRecord(object);
    if (resumeAfter > 0) log.info({ record: resumeAfter }, 'resuming object after its last acknowledged record');
    const interval = offsetMarkInterval(pipeline.outputs, pipeline.settings.checkpointEveryRecords);
    const offsets = new ObjectOffsets(resumeAfter, interval, (record) => checkpoint.markOffset(object, record));
    try {
      const outcome = await processObject(
        {
          pipeline: pipeline.id,
          source: pipeline.source,
          parser: pipeline.parser,
          filters: pipeline.filters,
          outputs: pipeline.outputs,
          deadLetter: pipeline.deadLetter,
          metrics: options.metrics,
          logger: log,
          maxRecordBytes: pipeline.settings.maxRecordBytes,
          maxBatchesInFlight: pipeline.settings.maxBatchesInFlight,
          deadLetterCap: pipeline.settings.deadLetterCap,
          onDeadLettered: (entries) => {
            this.summary.deadLettered += entries;
          },
          drainSignal: stop,
          onOffset: (record) => offsets.acknowledge(record),
        },
        object,
        resumeAfter,
        stop,
      );
      if (outcome.kind === 'interrupted') {
        checkpoint.markOffset(object, outcome.offset);
        log.info({ record: outcome.offset }, 'drain: object interrupted; offset saved');
        return false;
      }
      checkpoint.markDone(object);
      this.failures.delete(object.key);
      this.summary.objects++;
      this.summary.records += outcome.records;
      this.summary.events += outcome.events;
      this.summary.bytes += object.size;
      options.metrics.objectsProcessed.inc(labels);
      options.onObjectDone?.(object, outcome.events);
      log.debug({ records: outcome.records, events: outcome.events }, 'object done');
      return true;
    } catch (error) {
      // The retry, here or in the next worker, resumes after what this attempt acknowledged.
      offsets.settle();
      if (stop.aborted) return false;
      return this.handleObjectFailure(object, checkpoint, error, log);
    }
  }

  /** Carries out the failure policy's decision; returns false when the object must be tried again later. */
  private async handleObjectFailure(
    object: SourceObject,
    checkpoint: PipelineCheckpoint,
    error: unknown,
    log: Logger,
  ): Promise<boolean> {
    const { pipeline, options } = this;
    const labels = { pipeline: pipeline.id };
    const code = errorCode(error);
    const previous = this.failures.get(object.key) ?? NO_FAILURES;
    const decision = decideObjectFailure(error, previous, pipeline.settings.maxObjectAttempts);
    if (decision.action === 'skip_version') {
      log.warn({ gone: decision.gone }, 'object version no longer exists; skipped');
      options.metrics.objectsSkipped.inc({ ...labels, reason: decision.gone });
      checkpoint.markDone(object, decision.reason);
      this.failures.delete(object.key);
      return true;
    }
    this.failures.set(object.key, decision.counts);
    if (decision.action === 'quarantine') {
      try {
        await pipeline.deadLetter([quarantineEntry(pipeline.id, object, error, decision.reason)]);
      } catch (deadLetterError) {
        // Not the object's fault: it stays unfinished, and is quarantined once the dead-letter takes it.
        return this.handleObjectFailure(object, checkpoint, deadLetterError, log);
      }
      log.error({ code, attempts: decision.counts.object }, 'object quarantined to the dead-letter');
      options.metrics.objectsFailed.inc(labels);
      this.summary.failedObjects++;
      checkpoint.markDone(object, decision.reason);
      this.failures.delete(object.key);
      return true;
    }
    if (decision.action === 'retry') {
      log.warn({ code, attempt: decision.counts.object, err: error }, 'object failed; retrying');
    } else {
      options.onState?.('failing', errorMessage(error));
      options.metrics.pipelineHealthy.set(labels, 0);
      log.error({ code, err: error }, 'object failed on the output side; retried next poll');
    }
    const { attempt, baseMs, capMs } = decision.backoff;
    await sleep(backoffDelayMs(attempt, baseMs, capMs)).catch(() => undefined);
    return false;
  }

  private async reserveBytes(size: number, signal: AbortSignal): Promise<void> {
    const limit = this.pipeline.settings.maxBytesInFlight;
    // One object always fits, however large: it streams.
    while (this.bytesInFlight > 0 && this.bytesInFlight + size > limit && !signal.aborted) {
      await new Promise<void>((resolve) => this.byteWaiters.push(resolve));
    }
    this.bytesInFlight += size;
  }

  private releaseBytes(size: number): void {
    this.bytesInFlight -= size;
    const waiters = this.byteWaiters;
    this.byteWaiters = [];
    for (const wake of waiters) wake();
  }
}
