import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../src/core/byte-budget.js';
import type { DeadLetterEntry, Filter, Output, Source, WriteReport } from '../../src/core/components.js';
import type { LogEvent, SourceObject } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { createParserFactory } from '../../src/parsers/index.js';
import { DeadLetterCapError } from '../../src/pipeline/dead-letter-cap.js';
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
    readRange: async (_object, start, end) => body.subarray(start, end),
    stat: async () => null,
  };
}

/** An output that stores what it receives, acknowledging each batch after `delayMs`. */
class CollectingOutput implements Output {
  readonly type = 'collect';
  readonly events: LogEvent[] = [];
  /** The first batch is acknowledged only after `holdFirstFor` later ones are: an order, not a timer. */
  constructor(private readonly holdFirstFor = 0) {}
  private batches = 0;
  private laterWritten!: () => void;
  private readonly later = new Promise<void>((resolve) => {
    this.laterWritten = resolve;
  });
  async start() {}
  async close() {}
  async write(events: LogEvent[]): Promise<WriteReport> {
    const batch = this.batches++;
    if (this.holdFirstFor > 0 && batch === 0) await this.later;
    this.events.push(...events);
    if (batch === this.holdFirstFor) this.laterWritten();
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
    eventsInFlight: new ByteBudget(16_000),
    deadLetterCap: { maxRecords: 1000, maxRatio: 0.5, ratioMinRecords: 100 },
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
    // Later batches (2,000 records each: 2 after the first) are acknowledged first: the offset must
    // still only move over a contiguous prefix.
    const output = new CollectingOutput(2);
    const { ctx, deadLetters, offsets } = context(gzipSync(lines.join('\n')), output);
    const outcome = await processObject(ctx, object, 0, new AbortController().signal);
    expect(outcome).toEqual({ kind: 'done', records: 4999, events: 4999 });
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
    expect(outcome).toEqual({ kind: 'done', records: 3, events: 3 });
    expect(output.events.map((e) => e.doc.n)).toEqual([8, 9, 10]);
  });

  it('still names fields from the header line when an object of a header-reading parser is resumed', async () => {
    const output = new CollectingOutput();
    const { ctx } = context(gzipSync(fixture('vpc-flow-custom.log')), output, {
      parser: createParserFactory({ type: 'vpc_flow' }),
    });
    const outcome = await processObject(ctx, object, 2, new AbortController().signal);
    expect(outcome).toEqual({ kind: 'done', records: 1, events: 1 });
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
  describe('with the pipeline bound on events in flight (max_events_in_flight)', () => {
    /** Holds every batch unacknowledged until `release()`; counts the events it holds at most. */
    class GatedOutput implements Output {
      readonly type = 'gated';
      held = 0;
      maxHeld = 0;
      written = 0;
      private gate!: () => void;
      private opened = new Promise<void>((resolve) => {
        this.gate = resolve;
      });
      async start() {}
      async close() {}
      release(): void {
        this.gate();
      }
      async write(events: LogEvent[]): Promise<WriteReport> {
        this.held += events.length;
        this.maxHeld = Math.max(this.maxHeld, this.held);
        await this.opened;
        this.held -= events.length;
        this.written += events.length;
        return { stored: events.length, duplicates: 0, deadLettered: 0 };
      }
    }
    const second: SourceObject = { ...object, key: 'k2.log.gz' };

    it('holds no more events unacknowledged than the bound over two objects read at once when the output is slow', async () => {
      const output = new GatedOutput();
      const eventsInFlight = new ByteBudget(5000);
      const a = context(gzipSync(jsonLines(20_000)), output, { eventsInFlight, maxBatchesInFlight: 8 });
      const b = context(gzipSync(jsonLines(20_000)), output, { eventsInFlight, maxBatchesInFlight: 8 });
      const both = Promise.all([
        processObject(a.ctx, object, 0, new AbortController().signal),
        processObject(b.ctx, second, 0, new AbortController().signal),
      ]);
      // Both objects are stuck on the bound, not on their own 8 batches of 2000 (32,000 events).
      await expect.poll(() => eventsInFlight.waiting, { timeout: 30_000 }).toBeGreaterThan(0);
      expect(output.held).toBeLessThanOrEqual(5000);
      output.release();
      const outcomes = await both;
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(['done', 'done']);
      expect(output.maxHeld).toBeLessThanOrEqual(5000);
      expect(output.written).toBe(40_000);
      expect(eventsInFlight.used).toBe(0);
    });

    it('stops without sending the waiting batch when the worker drains while it waits for room', async () => {
      const output = new GatedOutput();
      const eventsInFlight = new ByteBudget(3000);
      const drain = new AbortController();
      const { ctx } = context(gzipSync(jsonLines(20_000)), output, { eventsInFlight, drainSignal: drain.signal });
      const run = processObject(ctx, object, 0, new AbortController().signal);
      await expect.poll(() => eventsInFlight.waiting, { timeout: 30_000 }).toBe(1);
      drain.abort();
      output.release();
      const outcome = await run;
      expect(outcome).toEqual({ kind: 'interrupted', offset: 2000 });
      // One batch of 2000 was admitted and acknowledged; the one that waited was never sent.
      expect(output.written).toBe(2000);
      expect(eventsInFlight.used).toBe(0);
    });
  });
  describe('with a dead-letter cap', () => {
    const good = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => JSON.stringify({ n: from + i }));
    const bad = (count: number) => Array.from({ length: count }, () => '{not json');
    const body = (...parts: string[][]) => gzipSync(`${parts.flat().join('\n')}\n`);
    const failedRecords = async (metrics: Metrics) => (await metrics.recordsFailed.get()).values[0]?.value ?? 0;

    it('quarantines with DeadLetterCapError and keeps the batches acknowledged before when a batch would pass the count', async () => {
      const output = new CollectingOutput();
      const reported: number[] = [];
      const { ctx, deadLetters, offsets } = context(body(good(1, 2000), bad(10), good(2011, 1990)), output, {
        deadLetterCap: { maxRecords: 5, maxRatio: 0.5, ratioMinRecords: 100 },
        onDeadLettered: (entries) => reported.push(entries),
        maxBatchesInFlight: 1,
      });
      const outcome = processObject(ctx, object, 0, new AbortController().signal);
      await expect(outcome).rejects.toBeInstanceOf(DeadLetterCapError);
      await expect(outcome).rejects.toMatchObject({
        code: 'ERR_DEAD_LETTER_CAP',
        level: 'object',
        message: expect.stringContaining('10 of the first 4000 records would go to the dead-letter'),
        context: { pipeline: 'p', bucket: 'b', key: 'k.log.gz', record: 2001 },
      });
      // The first batch was acknowledged; nothing of the second was sent.
      expect(output.events).toHaveLength(2000);
      expect(offsets).toEqual([2000]);
      expect(deadLetters).toEqual([]);
      expect(reported).toEqual([]);
      expect(await failedRecords(ctx.metrics)).toBe(0);
    });

    it('quarantines before sending anything when most of the first batch fails', async () => {
      const output = new CollectingOutput();
      const { ctx, deadLetters } = context(body(bad(150), good(151, 50)), output);
      await expect(processObject(ctx, object, 0, new AbortController().signal)).rejects.toMatchObject({
        code: 'ERR_DEAD_LETTER_CAP',
        message: expect.stringContaining('max_dead_letter_ratio (0.5)'),
      });
      expect(output.events).toEqual([]);
      expect(deadLetters).toEqual([]);
    });

    it('dead-letters every bad record, counts them once stored and reports them when the object stays within the cap', async () => {
      const output = new CollectingOutput();
      const reported: number[] = [];
      const { ctx, deadLetters } = context(body(good(1, 3000), bad(4), good(3005, 3000)), output, {
        onDeadLettered: (entries) => reported.push(entries),
      });
      await expect(processObject(ctx, object, 0, new AbortController().signal)).resolves.toMatchObject({
        kind: 'done',
        records: 6000,
      });
      expect(deadLetters.map((entry) => entry.record)).toEqual([3001, 3002, 3003, 3004]);
      expect(reported).toEqual([4]);
      expect(await failedRecords(ctx.metrics)).toBe(4);
    });

    it('counts events an output dead-lettered towards the cap when an output rejects them', async () => {
      // An output that hands every event it receives to the dead-letter (as OpenSearch does on a mapping conflict).
      const rejecting: Output = {
        type: 'rejecting',
        start: async () => {},
        close: async () => {},
        write: async (events) => ({ stored: 0, duplicates: 0, deadLettered: events.length }),
      };
      const reported: number[] = [];
      const { ctx } = context(gzipSync(jsonLines(9000)), rejecting, {
        deadLetterCap: { maxRecords: 3000, maxRatio: 1, ratioMinRecords: 100 },
        onDeadLettered: (entries) => reported.push(entries),
        maxBatchesInFlight: 1,
      });
      await expect(processObject(ctx, object, 0, new AbortController().signal)).rejects.toMatchObject({
        code: 'ERR_DEAD_LETTER_CAP',
        message: expect.stringContaining('4000 of the first 6000 records'),
      });
      expect(reported).toEqual([2000, 2000]);
    });

    it('does not count a batch whose dead-letter write failed when the dead-letter is down', async () => {
      const output = new CollectingOutput();
      const down = new Error('dead-letter down');
      const { ctx } = context(body(good(1, 10), bad(2)), output, {
        deadLetter: async () => {
          throw down;
        },
      });
      await expect(processObject(ctx, object, 0, new AbortController().signal)).rejects.toBe(down);
      expect(await failedRecords(ctx.metrics)).toBe(0);
    });
  });

  describe('with a Parquet object', () => {
    // Five rows in row groups of 2, 2 and 1 (scripts/write-vpc-flow-parquet.mjs).
    const body = readFileSync(fileURLToPath(new URL('../fixtures/parsers/vpc-flow-default.parquet', import.meta.url)));
    const parquetObject: SourceObject = { ...object, key: 'k.log.parquet', size: body.length };
    const parser = createParserFactory({ type: 'vpc_flow_parquet' });

    it('sends exactly the rows after the resume offset, numbered by ordinal, and reports the offset of the last row', async () => {
      const output = new CollectingOutput();
      const { ctx, offsets } = context(body, output, { parser });
      const outcome = await processObject(ctx, parquetObject, 2, new AbortController().signal);
      expect(outcome).toEqual({ kind: 'done', records: 3, events: 3 });
      expect(output.events.map((e) => e.origin.record)).toEqual([3, 4, 5]);
      expect(output.events.map((e) => e.doc.log_status)).toEqual(['NODATA', 'SKIPDATA', 'OK']);
      expect(offsets.at(-1)).toBe(5);
    });

    it('dead-letters the row a filter throws on with the row as JSON text, bigints as digits', async () => {
      const boom: Filter = {
        type: 'boom',
        apply: (event) => {
          if (event.origin.record === 2) throw new Error('no');
          return true;
        },
      };
      const output = new CollectingOutput();
      const { ctx, deadLetters } = context(body, output, { parser, filters: [boom] });
      await processObject(ctx, parquetObject, 0, new AbortController().signal);
      expect(output.events.map((e) => e.origin.record)).toEqual([1, 3, 4, 5]);
      expect(deadLetters).toHaveLength(1);
      expect(deadLetters[0]).toMatchObject({ record: 2, code: 'ERR_FILTER_APPLY', reason: 'boom filter: no' });
      expect(JSON.parse(deadLetters[0]!.raw!)).toMatchObject({
        srcaddr: '172.31.9.69',
        bytes: '4249',
        action: 'REJECT',
      });
    });
  });
});
