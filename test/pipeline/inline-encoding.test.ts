import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../src/core/byte-budget.js';
import type { DeadLetterEntry, Filter, Output, Source, WriteReport } from '../../src/core/components.js';
import type { EncodedBatch } from '../../src/core/encoded-batch.js';
import type { Doc, LogEvent, SourceObject } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { BatchEncoder } from '../../src/outputs/opensearch/batch-encoder.js';
import { createParserFactory } from '../../src/parsers/index.js';
import { type ObjectContext, processObject } from '../../src/pipeline/process-object.js';
import { RoutedOutput } from '../../src/pipeline/routed-output.js';

const ENCODER_CONFIG = {
  index: 'logs-%Y.%m',
  action: 'create',
  document_id: 'deterministic',
  data_stream: false,
} as const;

/** Bulk lines as the output would send them: encoded here from events (event path) or taken as encoded (inline). */
class BulkLinesOutput implements Output {
  readonly type = 'bulk-lines';
  readonly lines: string[] = [];
  readonly calls = { write: 0, writeEncoded: 0 };
  private readonly encoder = new BatchEncoder(ENCODER_CONFIG);
  async start() {}
  async close() {}
  async write(events: LogEvent[]): Promise<WriteReport> {
    this.calls.write++;
    return this.take(this.encoder.encode(events));
  }
  async writeEncoded(batch: EncodedBatch): Promise<WriteReport> {
    this.calls.writeEncoded++;
    return this.take(batch);
  }
  private take(batch: EncodedBatch): WriteReport {
    let start = 0;
    for (const end of batch.ends) {
      this.lines.push(Buffer.from(batch.bytes.subarray(start, end)).toString('utf8'));
      start = end;
    }
    return { stored: batch.ends.length, duplicates: 0, deadLettered: 0 };
  }
}

const object: SourceObject = { bucket: 'b', key: 'k.log.gz', etag: 'e1', size: 1, lastModified: new Date(0) };

function body(): Buffer {
  const lines = Array.from({ length: 5000 }, (_, i) =>
    JSON.stringify({ n: i + 1, time: `2024-0${1 + (i % 3)}-01T00:00:00Z`, text: `é ${i}` }),
  );
  lines[2499] = '{not json';
  lines[4100] = 'x'.repeat(600);
  return gzipSync(lines.join('\n'));
}

/** Drops every seventh record and throws on record 3001: both paths must agree on both. */
const filter: Filter = {
  type: 'some',
  apply: (event) => {
    if (event.origin.record === 3001) throw new Error('no');
    return (event.doc.n as number) % 7 !== 0;
  },
};
const even = (doc: Doc) => (doc.n as number) % 2 === 0;

async function run(inline: boolean, resumeAfter: number) {
  const outputs = [new BulkLinesOutput(), new BulkLinesOutput()];
  const deadLetters: DeadLetterEntry[] = [];
  const offsets: number[] = [];
  const source: Source = {
    type: 'memory',
    location: 'memory',
    async *list() {},
    open: async () => Readable.from([body()]),
    readRange: async () => Buffer.alloc(0),
    stat: async () => null,
  };
  const ctx: ObjectContext = {
    pipeline: 'p',
    source,
    parser: createParserFactory({ type: 'json_lines' }),
    filters: [filter],
    outputs: [new RoutedOutput(outputs[0]!, even), new RoutedOutput(outputs[1]!, undefined)],
    deadLetter: async (entries) => {
      deadLetters.push(...entries);
    },
    metrics: new Metrics(),
    logger: silentLogger(),
    maxRecordBytes: 512,
    maxBatchesInFlight: 3,
    eventsInFlight: new ByteBudget(16_000),
    deadLetterCap: { maxRecords: 1000, maxRatio: 0.5, ratioMinRecords: 100 },
    onOffset: (record) => offsets.push(record),
    drainSignal: new AbortController().signal,
    ...(inline
      ? {
          encoding: [
            { when: even, encoder: new BatchEncoder(ENCODER_CONFIG) },
            { when: undefined, encoder: new BatchEncoder(ENCODER_CONFIG) },
          ],
        }
      : {}),
  };
  const outcome = await processObject(ctx, object, resumeAfter, new AbortController().signal);
  return { outcome, outputs, deadLetters, offset: offsets.at(-1) };
}

describe('processObject with the encoded path inline (encoding set, no threads)', () => {
  it.each([0, 2100])(
    'sends the same bulk lines, dead-letters and offset as the event path, as encoded batches (resumed after %i)',
    async (resumeAfter) => {
      const events = await run(false, resumeAfter);
      const inline = await run(true, resumeAfter);
      expect(inline.outcome).toEqual(events.outcome);
      expect(inline.offset).toBe(5000);
      expect(inline.offset).toBe(events.offset);
      expect(inline.deadLetters.map(({ at: _at, ...entry }) => entry)).toEqual(
        events.deadLetters.map(({ at: _at, ...entry }) => entry),
      );
      expect(inline.deadLetters.map((entry) => entry.record)).toEqual(
        resumeAfter < 2500 ? [2500, 3001, 4101] : [3001, 4101],
      );
      for (const i of [0, 1]) {
        expect(inline.outputs[i]!.lines.length).toBeGreaterThan(1000);
        expect(inline.outputs[i]!.lines).toEqual(events.outputs[i]!.lines);
        expect(inline.outputs[i]!.calls.write).toBe(0);
        expect(inline.outputs[i]!.calls.writeEncoded).toBeGreaterThan(0);
        expect(events.outputs[i]!.calls.writeEncoded).toBe(0);
      }
      expect(inline.outputs[1]!.lines.length).toBeGreaterThan(inline.outputs[0]!.lines.length);
    },
  );
});
