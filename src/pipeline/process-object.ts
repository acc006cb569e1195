import type { Logger } from 'pino';
import type { ByteBudget } from '../core/byte-budget.js';
import type { DeadLetterEntry, Filter, ParserFactory, Source } from '../core/components.js';
import type { Doc, SourceObject } from '../core/event.js';
import type { Metrics } from '../core/metrics.js';
import type { DeadLetterCap } from '../core/pipeline-settings.js';
import { frameParquet, type RangeReader } from '../parsers/framing/frame-parquet.js';
import { frameRecords } from '../parsers/framing/frame-records.js';
import type { FramedBatch } from '../parsers/framing/framed-batch.js';
import { decodeObjectStream } from '../sources/decompress.js';
import { AckTracker } from './ack-tracker.js';
import { type LoopedBatch, loopEncoded, loopInProcess } from './batch-results.js';
import type { BatchThreads } from './batch-threads.js';
import { BatchesInFlight } from './batches-in-flight.js';
import { DeadLetterCapError, deadLetterCapExceeded } from './dead-letter-cap.js';
import type { DeliveryLedger } from './delivery-ledger.js';
import { loopAndEncode } from './loop-and-encode.js';
import { type LoopObject, RecordLoop } from './record-loop.js';
import type { RoutedOutput } from './routed-output.js';
import type { ThreadOutput } from './thread-parts.js';

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
  /** Told the records and events of each batch once it is acknowledged, so a quarantined or drained object's are counted too. */
  onAcknowledged?: (records: number, events: number) => void;
  /** Aborted when the worker drains: reading stops at a batch boundary, acknowledged work is kept. */
  drainSignal: AbortSignal;
  /**
   * The pipeline's worker threads (`SLUICE_WORKER_THREADS` above 1, every output OpenSearch): the
   * record loop and the encoding run there; without them, here.
   */
  threads?: BatchThreads;
  /**
   * Without threads, the outputs' routing and encoding when every output is OpenSearch: the
   * threads' per-batch work (loop-and-encode.ts) runs inline here. Absent: the event path.
   */
  encoding?: readonly ThreadOutput[];
  /**
   * What the dead-letter and each output took of this object in earlier attempts in this process:
   * a batch read again is not sent to them twice (delivery-ledger.ts). A fresh one when absent.
   */
  ledger?: DeliveryLedger;
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
  const looped = context.threads
    ? threadedBatches(context, context.threads, framed, loop.object, resumeAfter)
    : context.encoding
      ? inlineBatches(framed, loop, context.encoding)
      : loopInProcess(framed, loop);
  try {
    for await (const batch of looped) {
      if (batches.failed) break;
      read += batch.read;
      failed += batch.failures.length;
      const passed = deadLetterCapExceeded(context.deadLetterCap, failed + batches.rejected, read);
      if (passed !== undefined) {
        capError = new DeadLetterCapError(passed, { pipeline, bucket, key, record: batch.firstRecord });
        break;
      }
      metrics.recordsParsed.inc(labels, batch.records);
      if (batch.dropped > 0) metrics.eventsDropped.inc(labels, batch.dropped);
      records += batch.records;
      events += batch.events;
      if (!(await batches.admit(batch.events))) {
        // The drain came while the batch waited for room: it was not sent, its records are read again later.
        await batches.settled();
        return { kind: 'interrupted', offset: tracker.offset };
      }
      batches.send(batch);
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

/**
 * The record loop on the pipeline's worker threads: batches of a parser that reads headers all go
 * to one thread, in order; the others to whichever thread is least busy. Two batches per thread
 * are out at a time, so each thread has the next while the main thread takes the last.
 */
function threadedBatches(
  context: ObjectContext,
  threads: BatchThreads,
  framed: AsyncIterable<FramedBatch>,
  object: LoopObject,
  resumeAfter: number,
): AsyncGenerator<LoopedBatch> {
  const job = threads.job(
    { object, resumeAfter, maxRecordBytes: context.maxRecordBytes },
    context.parser.resumeReadsHeaders,
  );
  const dispatch = (batch: FramedBatch) => threads.run(job, batch);
  return loopEncoded(framed, dispatch, 2 * threads.size, object, () => threads.end(job));
}

/** The threads' per-batch work on this thread: one batch at a time, looped and encoded as it is pulled. */
function inlineBatches(
  framed: AsyncIterable<FramedBatch>,
  loop: RecordLoop,
  encoding: readonly ThreadOutput[],
): AsyncGenerator<LoopedBatch> {
  // async: a throw becomes the batch's rejection, as a thread's failure is.
  const dispatch = async (batch: FramedBatch) => loopAndEncode(loop, encoding, batch);
  return loopEncoded(framed, dispatch, 1, loop.object, () => undefined);
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
