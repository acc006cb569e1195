/**
 * The paths the benchmark times, on one object's raw (gzip) bytes. Each is the production
 * code, not a sibling of it:
 *
 *   floor = decodeObjectStream + frameRecords (decompress, split into records)
 *   loop  = floor + the worker's record loop (src/pipeline/record-loop.ts: parse, the
 *           `_invalid_utf8` tag, origins, the pipeline's filters)
 *   full  = what an all-OpenSearch pipeline runs (process-object.ts inlineBatches, or a worker
 *           thread): each framed batch through loop-and-encode.ts (the record loop slice by
 *           slice, each slice's events encoded at once by the output's BatchEncoder: `_id`,
 *           index name, action line, document JSON, as UTF-8 bytes), then on the output's side
 *           encoded-items.ts through its EventEncoder (the `max_indices` cap), bulkLineBytes for
 *           the flush_bytes bound, and one body per flush written into a reused buffer by
 *           BulkBodyBuffers, as `sendOnce` writes it (`encodedPath` + BulkBodies.addEncoded)
 *   full, event path = the same output fed events one by one (`write`: EventEncoder.encode per
 *           event), what a pipeline with a file or stdout output beside OpenSearch runs
 *           (`recordPath` + BulkBodies.add)
 */
import { Readable } from 'node:stream';
import type { Filter } from '../src/core/components.js';
import type { EncodedBatch, ObjectOrigin } from '../src/core/encoded-batch.js';
import type { LogEvent } from '../src/core/event.js';
import { silentLogger } from '../src/core/logger.js';
import { Metrics } from '../src/core/metrics.js';
import { BulkBodyBuffers } from '../src/outputs/opensearch/bulk-body.js';
import type { BulkLine } from '../src/outputs/opensearch/bulk-encoder.js';
import type { BulkItem } from '../src/outputs/opensearch/bulk-item.js';
import type { RejectedItem } from '../src/outputs/opensearch/dead-letter-router.js';
import { encodedItems } from '../src/outputs/opensearch/encoded-items.js';
import { EventEncoder, isRejected } from '../src/outputs/opensearch/event-encoder.js';
import type { OpenSearchOutputConfig } from '../src/outputs/opensearch/opensearch-config.js';
import { WriteTracker } from '../src/outputs/write-tracker.js';
import { frameRecords } from '../src/parsers/framing/frame-records.js';
import { loopAndEncode } from '../src/pipeline/loop-and-encode.js';
import { RecordLoop } from '../src/pipeline/record-loop.js';
import { decodeObjectStream } from '../src/sources/decompress.js';
import type { BenchPipeline } from './bench-pipeline.js';

export interface BenchObject {
  key: string;
  gz: Buffer;
  bytes: number;
}

/** S3 GetObject bodies arrive in chunks of this order. */
export const RAW_CHUNK_BYTES = 64 * 1024;

export function rawStream(gz: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < gz.length; i += RAW_CHUNK_BYTES) chunks.push(gz.subarray(i, i + RAW_CHUNK_BYTES));
  return Readable.from(chunks, { objectMode: false });
}

/** Decompress and split only: the floor under any parser. Returns records framed. */
export async function floor(object: BenchObject, pipeline: BenchPipeline): Promise<number> {
  let records = 0;
  const decoded = decodeObjectStream(rawStream(object.gz), { key: object.key });
  const framing = { maxRecordBytes: pipeline.maxRecordBytes };
  for await (const batch of frameRecords(decoded, pipeline.parser.framing, framing)) records += batch.records.length;
  return records;
}

/** Where the events of `recordPath` go after the filters. */
export interface EventSink {
  add(event: LogEvent): void;
}

/**
 * Builds bulk request bodies as the OpenSearch output does: items from its EventEncoder (`add`,
 * the event path's `write`; `addEncoded`, the encoded path's `writeEncoded`), a request once
 * the batch holds flush_events events or flush_bytes bytes, written as `sendOnce` writes it.
 */
export class BulkBodies implements EventSink {
  bodies = 0;
  bodyBytes = 0;
  private batch: { line: BulkLine; bytes: number }[] = [];
  private batchBytes = 0;
  /** The bodies themselves, when kept (bench:e2e sends them). */
  readonly kept: Buffer[] = [];
  private readonly encoder: EventEncoder;
  /** `write` makes one per call; the bench's event path is one endless write. */
  private readonly tracker = new WriteTracker(Number.MAX_SAFE_INTEGER);
  private readonly buffers = new BulkBodyBuffers();

  /**
   * `output`: the output's config, whose index, action, `_id` rule, cap and flush bounds apply.
   * For `encodedPath` it must be the bench pipeline's own (its BatchEncoder named the indices).
   */
  constructor(
    private readonly output: OpenSearchOutputConfig,
    private readonly keep = false,
  ) {
    const context = { pipeline: 'bench', logger: silentLogger(), metrics: new Metrics(), baseDir: '.' };
    this.encoder = new EventEncoder(output, context);
  }

  add(event: LogEvent): void {
    this.push(this.encoder.encode(event, this.tracker));
  }

  /** One batch loop-and-encode.ts encoded, through the output's cap (encoded-items.ts). */
  addEncoded(batch: EncodedBatch, object: ObjectOrigin): void {
    const tracker = new WriteTracker(batch.ends.length);
    for (const item of encodedItems(batch, object, this.encoder, tracker)) this.push(item);
  }

  private push(item: BulkItem | RejectedItem): void {
    // Generated records all encode: a rejection means the bench would time the dead-letter.
    if (isRejected(item)) throw new Error(`bench event not sendable: ${item.reason}`);
    this.batch.push(item);
    this.batchBytes += item.bytes;
    const { flush_bytes, flush_events } = this.output;
    if (this.batchBytes >= flush_bytes || this.batch.length >= flush_events) this.flush();
  }

  flush(): void {
    const items = this.batch;
    if (items.length === 0) return;
    const bytes = this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    const filled = this.buffers.fill(
      items.map((item) => item.line),
      bytes,
    );
    this.bodies++;
    this.bodyBytes += filled.body.length;
    // A kept body outlives its request: it gets its own bytes, and the buffer goes back at once.
    if (this.keep) this.kept.push(Buffer.from(filled.body));
    this.buffers.giveBack(filled);
  }
}

const BENCH_OBJECT = { pipeline: 'bench', bucket: 'bench-bucket', etag: '"0123456789abcdef"', lastModified: 0 };

function recordLoop(object: BenchObject, pipeline: BenchPipeline, filters: readonly Filter[]): RecordLoop {
  return new RecordLoop({
    parser: pipeline.parser,
    filters,
    // The rename belongs to the full path: timing the parser or single filters leaves it out.
    rename: filters === pipeline.filters ? pipeline.rename : undefined,
    object: { ...BENCH_OBJECT, key: object.key },
    resumeAfter: 0,
    maxRecordBytes: pipeline.maxRecordBytes,
  });
}

/**
 * The encoded path over one object, as an all-OpenSearch pipeline runs it inline (or on a
 * worker thread, minus the transfer): each framed batch through loop-and-encode.ts with the
 * pipeline's filters and the output's encoder, its bytes into `bodies` (the caller flushes the
 * last body, as an output's batch spans objects). Returns the events encoded.
 */
export async function encodedPath(
  object: BenchObject,
  pipeline: BenchPipeline,
  bodies: BulkBodies,
  raw: Readable = rawStream(object.gz),
): Promise<number> {
  const loop = recordLoop(object, pipeline, pipeline.filters);
  const outputs = [pipeline.encoding];
  let events = 0;
  const decoded = decodeObjectStream(raw, { key: object.key });
  for await (const batch of frameRecords(decoded, pipeline.parser.framing, loop.framing)) {
    const result = loopAndEncode(loop, outputs, batch);
    if (result === null) continue;
    if (result.failures.length > 0) throw new Error(`${object.key}: ${result.failures[0]!.reason}`);
    events += result.events;
    bodies.addEncoded(result.outputs[0]!, loop.object);
  }
  return events;
}

/**
 * The record loop over one object, with `filters` (the pipeline's, or none to time parsing
 * alone); every event that passes goes to `sink` (BulkBodies: encoded into request bodies; the
 * caller flushes the last one, as an output's batch spans objects). Returns the events that passed.
 */
export async function recordPath(
  object: BenchObject,
  pipeline: BenchPipeline,
  filters: readonly Filter[],
  sink: EventSink | null,
  raw: Readable = rawStream(object.gz),
): Promise<number> {
  const loop = recordLoop(object, pipeline, filters);
  let events = 0;
  const decoded = decodeObjectStream(raw, { key: object.key });
  for await (const batch of frameRecords(decoded, pipeline.parser.framing, loop.framing)) {
    const result = loop.run(batch);
    if (result === null) continue;
    // Generated records all parse: a failure means the bench would time error handling.
    if (result.failures.length > 0) throw new Error(`${object.key}: ${result.failures[0]!.reason}`);
    events += result.events.length;
    if (sink) for (const event of result.events) sink.add(event);
  }
  return events;
}
