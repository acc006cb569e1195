import type { Logger } from 'pino';
import type { DeadLetterEntry, Filter, ParserFactory, Source } from '../core/components.js';
import type { SourceObject } from '../core/event.js';
import type { Metrics } from '../core/metrics.js';
import { frameRecords } from '../parsers/framing/frame-records.js';
import { decodeObjectStream } from '../sources/decompress.js';
import { AckTracker } from './ack-tracker.js';
import { RecordLoop } from './record-loop.js';
import type { RoutedOutput } from './routed-output.js';

export interface ObjectContext {
  pipeline: string;
  source: Source;
  parser: ParserFactory;
  filters: Filter[];
  outputs: RoutedOutput[];
  deadLetter: (entries: DeadLetterEntry[]) => Promise<void>;
  metrics: Metrics;
  logger: Logger;
  maxRecordBytes: number;
  /** How many batches of one object may wait for acknowledgement at once (pipelining to the outputs). */
  maxBatchesInFlight: number;
  /** Called with the contiguous acknowledged record offset as it moves, so the checkpoint can save it. */
  onOffset: (record: number) => void;
  /** Aborted when the worker drains: reading stops at a batch boundary, acknowledged work is kept. */
  drainSignal: AbortSignal;
}

export type ObjectOutcome =
  | {
      kind: 'done';
      records: number;
      events: number;
      /** Records that went to the dead-letter: unparsable, too large, or events an output rejected. */
      deadLettered: number;
    }
  | { kind: 'interrupted'; offset: number };

/**
 * Reads one object end to end: stream, decompress, frame, then the record loop (parse,
 * filter), then hands each batch's events to the outputs and its failures to the dead-letter.
 * Resolves only when every record is acknowledged by every output it was routed to, or handed
 * to the dead-letter. Records at or before `resumeAfter` were acknowledged before a restart
 * and are not sent again (the record loop skips them).
 */
export async function processObject(
  context: ObjectContext,
  object: SourceObject,
  resumeAfter: number,
  signal: AbortSignal,
): Promise<ObjectOutcome> {
  const { pipeline, metrics } = context;
  const labels = { pipeline };
  const loop = new RecordLoop({
    parser: context.parser,
    filters: context.filters,
    object: {
      pipeline,
      bucket: object.bucket,
      key: object.key,
      etag: object.etag,
      lastModified: object.lastModified.getTime(),
    },
    resumeAfter,
    maxRecordBytes: context.maxRecordBytes,
  });
  const tracker = new AckTracker(resumeAfter);
  const inFlight = new Set<Promise<void>>();
  let firstError: unknown;
  let records = 0;
  let events = 0;
  let deadLettered = 0;

  const raw = await context.source.open(object, signal);
  const decoded = decodeObjectStream(raw, { pipeline, bucket: object.bucket, key: object.key });
  try {
    for await (const batch of frameRecords(decoded, context.parser.framing, loop.framing)) {
      if (firstError) break;
      const result = loop.run(batch);
      if (result === null) continue;
      const { events: batchEvents, failures } = result;
      metrics.recordsParsed.inc(labels, result.records);
      if (result.dropped > 0) metrics.eventsDropped.inc(labels, result.dropped);
      if (failures.length > 0) metrics.recordsFailed.inc(labels, failures.length);
      records += result.records;
      events += batchEvents.length;
      const entry = tracker.begin(batch.lastRecord);
      const acknowledged = Promise.all([
        failures.length > 0 ? context.deadLetter(failures) : undefined,
        ...context.outputs.map((output) => output.write(batchEvents)),
      ]).then(
        ([, ...reports]) => {
          deadLettered += failures.length;
          for (const report of reports) deadLettered += report.deadLettered;
          const before = tracker.offset;
          const offset = tracker.complete(entry);
          if (offset > before) context.onOffset(offset);
        },
        (error: unknown) => {
          firstError ??= error;
        },
      );
      inFlight.add(acknowledged);
      void acknowledged.finally(() => inFlight.delete(acknowledged));
      while (inFlight.size >= context.maxBatchesInFlight) await Promise.race(inFlight);
      if (context.drainSignal.aborted) {
        await Promise.all(inFlight);
        if (firstError) throw firstError;
        return { kind: 'interrupted', offset: tracker.offset };
      }
    }
  } catch (error) {
    await Promise.allSettled(inFlight);
    throw error;
  }
  await Promise.all(inFlight);
  if (firstError) throw firstError;
  return { kind: 'done', records, events, deadLettered };
}
