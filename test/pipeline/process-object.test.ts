import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DeadLetterEntry, Output, Source, WriteReport } from '../../src/core/components.js';
import type { LogEvent, SourceObject } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { createParserFactory } from '../../src/parsers/index.js';
import { type ObjectContext, processObject } from '../../src/pipeline/process-object.js';
import { RoutedOutput } from '../../src/pipeline/routed-output.js';
import { fixture } from '../parsers/parse-helpers.js';

/** A source over bytes in memory: processObject's logic is under test here, not S3. */
function memorySource(body: Buffer): Source {
  return {
    type: 'memory',
    location: 'memory',
    async *list() {},
    open: async () => Readable.from([body]),
    stat: async () => null,
  };
}

/** An output that stores what it receives, acknowledging each batch after `delayMs`. */
class CollectingOutput implements Output {
  readonly type = 'collect';
  readonly events: LogEvent[] = [];
  constructor(private readonly delayFor: (batch: number) => number = () => 0) {}
  private batches = 0;
  async start() {}
  async close() {}
  async write(events: LogEvent[]): Promise<WriteReport> {
    const delay = this.delayFor(this.batches++);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    this.events.push(...events);
    return { stored: events.length, duplicates: 0, deadLettered: 0 };
  }
}

const object: SourceObject = { bucket: 'b', key: 'k.log.gz', etag: 'e1', size: 1, lastModified: new Date(0) };

function context(body: Buffer, output: Output, overrides: Partial<ObjectContext> = {}) {
  const deadLetters: DeadLetterEntry[] = [];
  const offsets: number[] = [];
  const ctx: ObjectContext = {
    pipeline: 'p',
    source: memorySource(body),
    parser: createParserFactory({ type: 'json_lines' }),
    filters: [],
    outputs: [new RoutedOutput(output, undefined)],
    deadLetter: async (entries) => {
      deadLetters.push(...entries);
    },
    metrics: new Metrics(),
    logger: silentLogger(),
    maxRecordBytes: 1024,
    maxBatchesInFlight: 3,
    onOffset: (record) => offsets.push(record),
    drainSignal: new AbortController().signal,
    ...overrides,
  };
  return { ctx, deadLetters, offsets };
}

function jsonLines(count: number): string {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ n: i + 1 })).join('\n');
}

describe('processObject', () => {
  it('numbers records by line, dead-letters bad ones with raw text, and reports a contiguous offset when batches finish out of order', async () => {
    const lines = jsonLines(5000).split('\n');
    lines[2499] = '{not json';
    // Later batches are acknowledged first: the offset must still only move over a contiguous prefix.
    const output = new CollectingOutput((batch) => (batch === 0 ? 60 : 0));
    const { ctx, deadLetters, offsets } = context(gzipSync(lines.join('\n')), output);
    const outcome = await processObject(ctx, object, 0, new AbortController().signal);
    expect(outcome).toEqual({ kind: 'done', records: 4999, events: 4999, deadLettered: 1 });
    expect(deadLetters).toEqual([
      expect.objectContaining({
        bucket: 'b',
        key: 'k.log.gz',
        record: 2500,
        code: 'ERR_RECORD_PARSE',
        raw: '{not json',
      }),
    ]);
    expect(offsets.every((offset, i) => i === 0 || offset >= offsets[i - 1]!)).toBe(true);
    expect(offsets[0]).toBe(5000);
    expect(output.events.map((e) => e.origin.record).slice(0, 3)).toEqual([2001, 2002, 2003]);
    expect(new Set(output.events.map((e) => e.origin.record)).size).toBe(4999);
  });

  it('sends nothing at or before the resume offset when an object is resumed', async () => {
    const output = new CollectingOutput();
    const { ctx } = context(gzipSync(jsonLines(10)), output);
    const outcome = await processObject(ctx, object, 7, new AbortController().signal);
    expect(outcome).toEqual({ kind: 'done', records: 3, events: 3, deadLettered: 0 });
    expect(output.events.map((e) => e.doc.n)).toEqual([8, 9, 10]);
  });

  it('still names fields from the header line when an object of a header-reading parser is resumed', async () => {
    const output = new CollectingOutput();
    const { ctx } = context(gzipSync(fixture('vpc-flow-custom.log')), output, {
      parser: createParserFactory({ type: 'vpc_flow' }),
    });
    const outcome = await processObject(ctx, object, 2, new AbortController().signal);
    expect(outcome).toEqual({ kind: 'done', records: 1, events: 1, deadLettered: 0 });
    expect(output.events.map((e) => e.origin.record)).toEqual([3]);
    expect(output.events[0]!.doc).toMatchObject({ srcport: 5001, pkt_srcaddr: '10.0.0.62', tcp_flags: 18 });
  });

  it('tags events whose bytes were not UTF-8 and dead-letters records over max_record_bytes', async () => {
    const body = Buffer.concat([
      Buffer.from('{"n":1,"s":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`"}\n${JSON.stringify({ n: 2, s: 'x'.repeat(2000) })}\n{"n":3}\n`),
    ]);
    const output = new CollectingOutput();
    const { ctx, deadLetters } = context(body, output);
    await processObject(ctx, object, 0, new AbortController().signal);
    expect(output.events.map((e) => e.doc.n)).toEqual([1, 3]);
    expect(output.events[0]!.doc.tags).toEqual(['_invalid_utf8']);
    expect(output.events[1]!.doc.tags).toBeUndefined();
    expect(deadLetters).toEqual([expect.objectContaining({ record: 2, code: 'ERR_RECORD_TOO_LARGE' })]);
  });

  it('stops at a batch boundary with the acknowledged offset when the worker drains', async () => {
    const drain = new AbortController();
    const output = new CollectingOutput();
    const { ctx } = context(gzipSync(jsonLines(20_000)), output, {
      drainSignal: drain.signal,
      onOffset: () => drain.abort(),
    });
    const outcome = await processObject(ctx, object, 0, new AbortController().signal);
    expect(outcome.kind).toBe('interrupted');
    const offset = (outcome as { offset: number }).offset;
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(20_000);
    // Everything up to the offset was delivered; a restart resumes right after it.
    expect(output.events.filter((e) => e.origin.record <= offset)).toHaveLength(offset);
  });
});
