/**
 * The thread side of bench/worker-threads.ts, two designs:
 * - a framed batch (`batch`): the production record loop (parse, the shipped pipeline's
 *   filters, the rename) and the OpenSearch output's per-event encoding (`_id`, bulk line),
 *   handed back as encoded bytes (transferred, not copied) or as the events (structured clone);
 * - whole lines of decompressed bytes (`bytes`), framed here, then as a batch;
 * - a whole object (`object`): gunzip, framing, the loop and the bulk bodies in this thread
 *   (bench/hot-path.ts recordPath, what `npm run bench` times in-process).
 */
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { documentId } from '../src/core/document-id.js';
import type { LogEvent } from '../src/core/event.js';
import { encodeBulkAction } from '../src/outputs/opensearch/bulk-encoder.js';
import { compileIndexName } from '../src/outputs/opensearch/index-name.js';
import { frameRecords } from '../src/parsers/framing/frame-records.js';
import type { FramedBatch } from '../src/parsers/framing/framed-batch.js';
import { RecordLoop } from '../src/pipeline/record-loop.js';
import { benchPipelineFor } from './bench-pipeline.js';
import { BulkBodies, recordPath } from './hot-path.js';
import { objectStream } from './thread-corpus.js';

export type ThreadTask =
  | { kind: 'batch'; id: number; key: string; batch: FramedBatch; reply: 'transfer' | 'clone' }
  | { kind: 'object'; id: number; key: string; member: Uint8Array; members: number }
  | { kind: 'bytes'; id: number; key: string; bytes: Uint8Array; base: number }
  | { kind: 'cpu'; id: number };

export interface ThreadReply {
  id: number;
  events: number;
  /** `transfer`: every bulk line of the batch, UTF-8, in event order. */
  body?: Uint8Array;
  /** `clone`: the events that passed the filters. */
  cloned?: LogEvent[];
  /** `object`: the bytes of the bulk bodies the object became. */
  bodyBytes?: number;
  /** `cpu`: this thread's user+sys CPU seconds so far. */
  cpuSeconds?: number;
}

const pipeline = await benchPipelineFor('alb', null);
const indexName = compileIndexName(pipeline.bulk.index);
const port = parentPort!;

function loopFor(key: string): RecordLoop {
  return new RecordLoop({
    parser: pipeline.parser,
    filters: pipeline.filters,
    rename: pipeline.rename,
    object: { pipeline: 'bench', bucket: 'bench-bucket', key, etag: '"0123456789abcdef"', lastModified: 0 },
    resumeAfter: 0,
    maxRecordBytes: pipeline.maxRecordBytes,
  });
}

/** The batch's records renumbered from `base` (the lines of the object before these bytes). */
function shifted(batch: FramedBatch, base: number): FramedBatch {
  return {
    ...batch,
    recordNumbers: batch.recordNumbers.map((n) => n + base),
    firstRecord: batch.firstRecord + base,
    lastRecord: batch.lastRecord + base,
    oversized: batch.oversized.map((o) => ({ ...o, record: o.record + base })),
    invalidUtf8: batch.invalidUtf8.map((n) => n + base),
  };
}

function encode(events: readonly LogEvent[], id: number): void {
  const lines: string[] = [];
  let bytes = 0;
  for (const event of events) {
    const line = encodeBulkAction(pipeline.bulk.action, indexName(event), documentId(event.origin), event.doc);
    bytes += Buffer.byteLength(line);
    lines.push(line);
  }
  const body = Buffer.allocUnsafeSlow(bytes);
  let end = 0;
  for (const line of lines) end += body.write(line, end);
  const view = new Uint8Array(body.buffer, 0, end);
  port.postMessage({ id, events: events.length, body: view } satisfies ThreadReply, [body.buffer]);
}

/** Whole lines of decompressed bytes (cut by the main thread at a line end): framed here. */
async function runBytes(task: Extract<ThreadTask, { kind: 'bytes' }>): Promise<void> {
  const loop = loopFor(task.key);
  const events: LogEvent[] = [];
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  for await (const batch of frameRecords(Readable.from([bytes]), 'lines', loop.framing)) {
    const result = loop.run(shifted(batch, task.base));
    if (result) for (const event of result.events) events.push(event);
  }
  encode(events, task.id);
}

function runBatch(task: Extract<ThreadTask, { kind: 'batch' }>): void {
  const events = loopFor(task.key).run(task.batch)?.events ?? [];
  if (task.reply === 'clone')
    port.postMessage({ id: task.id, events: events.length, cloned: events } satisfies ThreadReply);
  else encode(events, task.id);
}

async function runObject(task: Extract<ThreadTask, { kind: 'object' }>): Promise<void> {
  const member = Buffer.from(task.member.buffer, task.member.byteOffset, task.member.byteLength);
  const sink = new BulkBodies(pipeline.output);
  const object = { key: task.key, gz: member, bytes: 0 };
  const events = await recordPath(object, pipeline, pipeline.filters, sink, objectStream(member, task.members));
  sink.flush();
  port.postMessage({ id: task.id, events, bodyBytes: sink.bodyBytes } satisfies ThreadReply);
}

port.on('message', (task: ThreadTask) => {
  if (task.kind === 'batch') runBatch(task);
  else if (task.kind === 'bytes') void runBytes(task);
  else if (task.kind === 'object') void runObject(task);
  else {
    const cpu = process.threadCpuUsage();
    port.postMessage({ id: task.id, events: 0, cpuSeconds: (cpu.user + cpu.system) / 1e6 } satisfies ThreadReply);
  }
});
port.postMessage('ready');
