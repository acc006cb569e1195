import type { Logger } from 'pino';
import { backoffDelayMs, sleep } from '../core/backoff.js';
import { ByteBudget } from '../core/byte-budget.js';
import { errorCode, logFields } from '../core/errors.js';
import type { SourceObject } from '../core/event.js';
import type { Metrics } from '../core/metrics.js';
import type { WorkItem } from '../core/work-feed.js';
import type { BuiltPipeline } from './build-pipeline.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { decideObjectFailure, type FailureCounts, NO_FAILURES, quarantineEntry } from './object-failure-policy.js';
import { ObjectOffsets, offsetMarkInterval } from './object-offsets.js';
import { type ObjectContext, processObject } from './process-object.js';

/**
 * How one attempt at an object ended:
 * - `done`: marked done (read, skipped as gone, or quarantined);
 * - `later`: not finished: `retry`, its own failure with attempts left (the backoff was waited);
 *   `stopped`, drained mid-object or no longer this worker's (the offset reached is marked);
 * - `pipeline_fault`: not the object's fault (access denied, an output down, a bug): the pipeline
 *   pauses; the object stays pending and nothing was marked done for it.
 */
export type ObjectResult =
  | { kind: 'done' }
  | { kind: 'later'; why: 'retry' | 'stopped' }
  | { kind: 'pipeline_fault'; error: unknown };

/** What a run has done so far; the object runner adds each finished object. */
export interface RunTotals {
  objects: number;
  failedObjects: number;
  /** Records of every acknowledged batch: of objects done, and those an object wrote before it was quarantined or drained. */
  records: number;
  /** Events handed to the outputs in acknowledged batches, counted the same way. */
  events: number;
  /** Records (and events an output rejected) that went to the dead-letter one by one; quarantines not included. */
  deadLettered: number;
  bytes: number;
}

/** Totals before anything ran. */
export function zeroTotals(): RunTotals {
  return { objects: 0, failedObjects: 0, records: 0, events: 0, deadLettered: 0, bytes: 0 };
}

export interface ObjectRunnerOptions {
  logger: Logger;
  metrics: Metrics;
  totals: RunTotals;
  onObjectDone?: (object: SourceObject, events: number) => void;
}

/**
 * Runs one object end to end and carries out the failure policy (object-failure-policy.ts):
 * keeps each unfinished object's failure counts, retries with backoff, quarantines, skips a
 * version that is gone, and hands a pipeline-level fault back to the runner, which pauses.
 */
export class ObjectRunner {
  /** Failures of objects not finished yet, by bucket and key (the failure policy's counts). */
  private readonly failures = new Map<string, FailureCounts>();
  /**
   * What the dead-letter and each output took of unfinished objects, by object version: a retry
   * after a pause or a failure sends none of it again. Dropped once the object is finished.
   */
  private readonly ledgers = new Map<string, DeliveryLedger>();
  /** Events of every object of this run sent and not yet acknowledged (`max_events_in_flight`). */
  private readonly eventsInFlight: ByteBudget;

  constructor(
    private readonly pipeline: BuiltPipeline,
    private readonly options: ObjectRunnerOptions,
  ) {
    this.eventsInFlight = new ByteBudget(pipeline.settings.maxEventsInFlight);
  }

  /** One attempt at the item's object; `stop` ends it at a batch boundary (drain, lease lost). */
  async run(item: WorkItem, stop: AbortSignal): Promise<ObjectResult> {
    const { pipeline, options } = this;
    const labels = { pipeline: pipeline.id };
    const signal = item.lost ? AbortSignal.any([stop, item.lost]) : stop;
    let object = item.object;
    const log = options.logger.child({ bucket: object.bucket, key: object.key });
    const resumeAfter = item.resumeAfter;
    const interval = offsetMarkInterval(pipeline.outputs, pipeline.settings.checkpointEveryRecords);
    const offsets = new ObjectOffsets(resumeAfter, interval, (record) => item.markOffset(record));
    const version = versionKey(item.object);
    const ledger = this.ledgers.get(version) ?? new DeliveryLedger();
    ledger.forgetThrough(resumeAfter);
    this.ledgers.delete(version);
    try {
      if (item.resolve) object = await item.resolve(signal);
      if (object.size === 0) {
        options.metrics.objectsSkipped.inc({ ...labels, reason: 'empty' });
        await item.markDone();
        return { kind: 'done' };
      }
      if (resumeAfter > 0) log.info({ record: resumeAfter }, 'resuming object after its last acknowledged record');
      const outcome = await processObject(this.context(log, signal, offsets, ledger), object, resumeAfter, signal);
      if (outcome.kind === 'interrupted') {
        item.markOffset(outcome.offset);
        log.info({ record: outcome.offset }, 'drain: object interrupted; offset saved');
        return { kind: 'later', why: 'stopped' };
      }
      await item.markDone();
      this.failures.delete(failureKey(object));
      const { totals } = options;
      totals.objects++;
      totals.bytes += object.size;
      options.metrics.objectsProcessed.inc(labels);
      options.onObjectDone?.(object, outcome.events);
      log.debug({ records: outcome.records, events: outcome.events }, 'object done');
      return { kind: 'done' };
    } catch (error) {
      // The retry, here or in the next worker, resumes after what this attempt acknowledged.
      offsets.settle();
      if (signal.aborted) return { kind: 'later', why: 'stopped' };
      const result = await this.handleFailure(item, object, error, log);
      if (result.kind !== 'done' && !ledger.empty) this.ledgers.set(version, ledger);
      return result;
    }
  }

  private context(log: Logger, signal: AbortSignal, offsets: ObjectOffsets, ledger: DeliveryLedger): ObjectContext {
    const { pipeline, options } = this;
    return {
      pipeline: pipeline.id,
      source: pipeline.source,
      parser: pipeline.parser,
      filters: pipeline.filters,
      rename: pipeline.rename,
      outputs: pipeline.outputs,
      deadLetter: pipeline.deadLetter,
      metrics: options.metrics,
      logger: log,
      maxRecordBytes: pipeline.settings.maxRecordBytes,
      maxBatchesInFlight: pipeline.settings.maxBatchesInFlight,
      eventsInFlight: this.eventsInFlight,
      deadLetterCap: pipeline.settings.deadLetterCap,
      onDeadLettered: (entries) => {
        options.totals.deadLettered += entries;
      },
      // Counted as acknowledged: the records an object wrote before it was quarantined or drained count too.
      onAcknowledged: (records, events) => {
        options.totals.records += records;
        options.totals.events += events;
      },
      drainSignal: signal,
      onOffset: (record) => offsets.acknowledge(record),
      ledger,
      ...(pipeline.threads ? { threads: pipeline.threads } : {}),
      ...(pipeline.encoding ? { encoding: pipeline.encoding } : {}),
    };
  }

  /** Carries out the failure policy's decision. */
  private async handleFailure(
    item: WorkItem,
    object: SourceObject,
    error: unknown,
    log: Logger,
  ): Promise<ObjectResult> {
    const { pipeline, options } = this;
    const labels = { pipeline: pipeline.id };
    const code = errorCode(error);
    const key = failureKey(object);
    const previous = this.failures.get(key) ?? NO_FAILURES;
    const decision = decideObjectFailure(error, previous, pipeline.settings.maxObjectAttempts);
    if (decision.action === 'skip_version') {
      log.warn({ gone: decision.gone }, 'object version no longer exists; skipped');
      options.metrics.objectsSkipped.inc({ ...labels, reason: decision.gone });
      await item.markDone({ kind: 'skipped', reason: decision.reason });
      this.failures.delete(key);
      return { kind: 'done' };
    }
    this.failures.set(key, decision.counts);
    if (decision.action === 'pause_pipeline') return { kind: 'pipeline_fault', error };
    if (decision.action === 'quarantine') {
      try {
        await pipeline.deadLetter([quarantineEntry(pipeline.id, object, error, decision.reason)]);
      } catch (deadLetterError) {
        // Not the object's fault: it stays unfinished, and is quarantined once the dead-letter takes it.
        return this.handleFailure(item, object, deadLetterError, log);
      }
      log.error(
        { code, attempts: decision.counts.object, reason: decision.reason },
        'object quarantined to the dead-letter',
      );
      options.metrics.objectsFailed.inc(labels);
      options.totals.failedObjects++;
      await item.markDone({ kind: 'quarantined', reason: decision.reason });
      this.failures.delete(key);
      return { kind: 'done' };
    }
    log.warn({ ...logFields(error), attempt: decision.counts.object }, 'object failed; retrying');
    const { attempt, baseMs, capMs } = decision.backoff;
    await sleep(backoffDelayMs(attempt, baseMs, capMs)).catch(() => undefined);
    return { kind: 'later', why: 'retry' };
  }
}

/** A ledger follows one object version: a rewrite is new content, framed anew. */
function versionKey(object: SourceObject): string {
  return `${object.bucket}\n${object.key}\n${object.etag}`;
}

/** Failure counts follow an object by bucket and key (a rewrite keeps them, as a listing would). */
function failureKey(object: SourceObject): string {
  return `${object.bucket}\n${object.key}`;
}
