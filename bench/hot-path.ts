/**
 * The paths the benchmark times, on one object's raw (gzip) bytes. Each is the production
 * code, not a sibling of it:
 *
 *   floor = decodeObjectStream + frameRecords (decompress, split into records)
 *   loop  = floor + the worker's record loop (src/pipeline/record-loop.ts: parse, the
 *           `_invalid_utf8` tag, origins, the pipeline's filters)
 *   full  = loop + what the OpenSearch output does per event and per bulk request: the
 *           deterministic `_id` (documentId), `encodeBulkLine` with the output's action,
 *           bulkLineBytes for its flush_bytes bound, and one body per flush written into
 *           a reused buffer by BulkBodyBuffers, as `sendOnce` writes it
 */
import { Readable } from 'node:stream';
import type { Filter } from '../src/core/components.js';
import { documentId } from '../src/core/document-id.js';
import type { LogEvent } from '../src/core/event.js';
import { BulkBodyBuffers } from '../src/outputs/opensearch/bulk-body.js';
import { type BulkLine, bulkLineBytes, encodeBulkLine } from '../src/outputs/opensearch/bulk-encoder.js';
import { compileIndexName } from '../src/outputs/opensearch/index-name.js';
import { frameRecords } from '../src/parsers/framing/frame-records.js';
import { RecordLoop } from '../src/pipeline/record-loop.js';
import { decodeObjectStream } from '../src/sources/decompress.js';
import type { BenchPipeline, BulkSettings } from './bench-pipeline.js';

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

/**
 * Builds bulk request bodies as the OpenSearch output does (`write` then `sendOnce`): one
 * line per event, a request once the batch holds flush_events events or flush_bytes bytes.
 */
/** Where the events of `recordPath` go after the filters. */
export interface EventSink {
  add(event: LogEvent): void;
}

export class BulkBodies implements EventSink {
  bodies = 0;
  bodyBytes = 0;
  private batch: { line: BulkLine; bytes: number }[] = [];
  private batchBytes = 0;
  /** The bodies themselves, when kept (bench:e2e sends them). */
  readonly kept: Buffer[] = [];
  private readonly indexName: (event: LogEvent) => string;
  private readonly buffers = new BulkBodyBuffers();

  constructor(
    private readonly settings: BulkSettings,
    private readonly keep = false,
  ) {
    this.indexName = compileIndexName(settings.index);
  }

  add(event: LogEvent): void {
    const id = this.settings.autoIds ? undefined : documentId(event.origin);
    const line = encodeBulkLine(this.settings.action, this.indexName(event), id, event.doc);
    const bytes = bulkLineBytes(line);
    this.batch.push({ line, bytes });
    this.batchBytes += bytes;
    if (this.batchBytes >= this.settings.flushBytes || this.batch.length >= this.settings.flushEvents) this.flush();
  }

  flush(): void {
    const items = this.batch;
    if (items.length === 0) return;
    this.batch = [];
    this.batchBytes = 0;
    const filled = this.buffers.fill(
      items.map((item) => item.line),
      items.reduce((sum, item) => sum + item.bytes, 0),
    );
    this.bodies++;
    this.bodyBytes += filled.body.length;
    // A kept body outlives its request: it gets its own bytes, and the buffer goes back at once.
    if (this.keep) this.kept.push(Buffer.from(filled.body));
    this.buffers.giveBack(filled);
  }
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
  const loop = new RecordLoop({
    parser: pipeline.parser,
    filters,
    // The rename belongs to the full path: timing the parser or single filters leaves it out.
    rename: filters === pipeline.filters ? pipeline.rename : undefined,
    object: { pipeline: 'bench', bucket: 'bench-bucket', key: object.key, etag: '"0123456789abcdef"', lastModified: 0 },
    resumeAfter: 0,
    maxRecordBytes: pipeline.maxRecordBytes,
  });
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
