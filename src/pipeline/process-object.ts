import type { Logger } from 'pino';
import type { ByteBudget } from '../core/byte-budget.js';
import type { DeadLetterEntry, Filter, ParserFactory, Source } from '../core/components.js';
import type { Doc, LogEvent, SourceObject } from '../core/event.js';
import type { Metrics } from '../core/metrics.js';
import type { DeadLetterCap } from '../core/pipeline-settings.js';
import { frameParquet, type RangeReader } from '../parsers/framing/frame-parquet.js';
import { frameRecords } from '../parsers/framing/frame-records.js';
import type { FramedBatch } from '../parsers/framing/framed-batch.js';
import { decodeObjectStream } from '../sources/decompress.js';
import { AckTracker } from './ack-tracker.js';
import { DeadLetterCapError, deadLetterCapExceeded } from './dead-letter-cap.js';
import { RecordLoop } from './record-loop.js';
import type { RoutedOutput } from './routed-output.js';

export interface ObjectContext {
  pipeline: string;
  source: Source;
  parser: ParserFactory;
  filters: Filter[];
  /** `schema: ecs`: the record loop's last step on every kept event. */
  rename?: (doc: Doc) => Doc;
  outputs: RoutedOutput[];
  deadLetter: (entries: DeadLetterEntry[]) => Promise<void>;
  metrics: Metrics;
  logger: Logger;
  maxRecordBytes: number;
  /** How many batches of one object may wait for acknowledgement at once (pipelining to the outputs). */
  maxBatchesInFlight: number;
  /**
   * The pipeline's events sent and not yet acknowledged, over all its objects (in events): a batch
   * waits for room before it is sent, so objects read at once cannot pile up more than this.
   */
  eventsInFlight: ByteBudget;
  /** How many of the object's records may go to the dead-letter one by one before it is quarantined. */
  deadLetterCap: DeadLetterCap;
  /** Called with the contiguous acknowledged record offset as it moves, so the checkpoint can save it. */
  onOffset: (record: number) => void;
  /** Told how many of the object's records (and events outputs rejected) the dead-letter stored, as it does. */
  onDeadLettered?: (entries: number) => void;
  /** Aborted when the worker drains: reading stops at a batch boundary, acknowledged work is kept. */
  drainSignal: AbortSignal;
}

export type ObjectOutcome = { kind: 'done'; records: number; events: number } | { kind: 'interrupted'; offset: number };

/**
 * Reads one object end to end: stream, decompress, frame, then the record loop (parse,
 * filter), then hands each batch's events to the outputs and its failures to the dead-letter.
 * Resolves only when every record is acknowledged by every output it was routed to, or handed
 * to the dead-letter. Records at or before `resumeAfter` were acknowledged before a restart
 * and are not sent again (the record loop skips them). A batch that would take the object past
 * its dead-letter cap is not sent: the object fails with DeadLetterCapError (quarantined at once),
 * and the batches acknowledged before it stay.
 */
export async function processObject(
  context: ObjectContext,
  object: SourceObject,
  resumeAfter: number,
  signal: AbortSignal,
): Promise<ObjectOutcome> {
  const { pipeline, metrics } = context;
  const labels = { pipeline };
  const { bucket, key } = object;
  const loop = new RecordLoop({
    parser: context.parser,
    filters: context.filters,
    rename: context.rename,
    object: { pipeline, bucket, key, etag: object.etag, lastModified: object.lastModified.getTime() },
    resumeAfter,
    maxRecordBytes: context.maxRecordBytes,
  });
  const tracker = new AckTracker(resumeAfter);
  const batches = new BatchesInFlight(context, tracker);
  let records = 0;
  let events = 0;
  let read = 0;
  let failed = 0;
  let capError: DeadLetterCapError | undefined;

  const framed = await openBatches(context, object, loop, signal);
  try {
    for await (const batch of framed) {
      if (batches.failed) break;
      const result = loop.run(batch);
      if (result === null) continue;
      read += result.read;
      failed += result.failures.length;
      const passed = deadLetterCapExceeded(context.deadLetterCap, failed + batches.rejected, read);
      if (passed !== undefined) {
        capError = new DeadLetterCapError(passed, { pipeline, bucket, key, record: batch.firstRecord });
        break;
      }
      metrics.recordsParsed.inc(labels, result.records);
      if (result.dropped > 0) metrics.eventsDropped.inc(labels, result.dropped);
      records += result.records;
      events += result.events.length;
      if (!(await batches.admit(result.events.length))) {
        // The drain came while the batch waited for room: it was not sent, its records are read again later.
        await batches.settled();
        return { kind: 'interrupted', offset: tracker.offset };
      }
      batches.send(batch.lastRecord, result.events, result.failures);
      await batches.waitBelow(context.maxBatchesInFlight);
      if (context.drainSignal.aborted) {
        await batches.settled();
        return { kind: 'interrupted', offset: tracker.offset };
      }
    }
  } catch (error) {
    await batches.settled().catch(() => undefined);
    throw error;
  }
  await batches.settled();
  if (capError) throw capError;
  return { kind: 'done', records, events };
}

/** The object's records: streamed, decompressed and framed, or (Parquet) read by byte ranges. */
async function openBatches(
  context: ObjectContext,
  object: SourceObject,
  loop: RecordLoop,
  signal: AbortSignal,
): Promise<AsyncIterable<FramedBatch>> {
  const { pipeline, source, parser } = context;
  const { bucket, key } = object;
  if (parser.framing === 'parquet') {
    const reader: RangeReader = {
      size: object.size,
      read: (start, end) => source.readRange(object, start, end, signal),
    };
    return frameParquet(reader, loop.framing, { pipeline, bucket, key });
  }
  const raw = await source.open(object, signal);
  return frameRecords(decodeObjectStream(raw, { pipeline, bucket, key }), parser.framing, loop.framing);
}

/** The batches of one object sent and not yet acknowledged, and what their acknowledgements said. */
class BatchesInFlight {
  private readonly pending = new Set<Promise<void>>();
  private firstError: unknown;
  private hasFailed = false;
  /** Events the outputs handed to the dead-letter so far (they count towards the cap). */
  rejected = 0;

  constructor(
    private readonly context: ObjectContext,
    private readonly tracker: AckTracker,
  ) {}

  /** True once a batch could be neither stored nor dead-lettered: reading stops. */
  get failed(): boolean {
    return this.hasFailed;
  }

  /**
   * Waits for room for `events` in the pipeline's bound; false when the drain came first (nothing
   * reserved). `send` gives the room back once the batch is acknowledged or failed.
   */
  async admit(events: number): Promise<boolean> {
    const { eventsInFlight, drainSignal } = this.context;
    return eventsInFlight.reserve(events, drainSignal).then(
      () => true,
      () => false,
    );
  }

  /** Hands one batch's failures to the dead-letter and its events (room admitted) to every output. */
  send(lastRecord: number, events: LogEvent[], failures: DeadLetterEntry[]): void {
    const { context, tracker } = this;
    const entry = tracker.begin(lastRecord);
    const acknowledged = Promise.all([
      failures.length > 0 ? context.deadLetter(failures) : undefined,
      ...context.outputs.map((output) => output.write(events)),
    ]).then(
      ([, ...reports]) => {
        let rejected = 0;
        for (const report of reports) rejected += report.deadLettered;
        this.rejected += rejected;
        // Counted once stored: a batch whose dead-letter write failed is read again, and counted then.
        if (failures.length > 0) context.metrics.recordsFailed.inc({ pipeline: context.pipeline }, failures.length);
        if (failures.length + rejected > 0) context.onDeadLettered?.(failures.length + rejected);
        const before = tracker.offset;
        const offset = tracker.complete(entry);
        if (offset > before) context.onOffset(offset);
      },
      (error: unknown) => {
        if (!this.hasFailed) this.firstError = error;
        this.hasFailed = true;
      },
    );
    this.pending.add(acknowledged);
    void acknowledged.finally(() => {
      this.pending.delete(acknowledged);
      context.eventsInFlight.release(events.length);
    });
  }

  /** Waits while `max` batches are out. */
  async waitBelow(max: number): Promise<void> {
    while (this.pending.size >= max) await Promise.race(this.pending);
  }

  /** Waits for every batch; rejects with the first failure, if any. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
    if (this.hasFailed) throw this.firstError;
  }
}
