import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../src/checkpoint/file-checkpoint-store.js';
import type { Output, Source, WriteReport } from '../../src/core/components.js';
import { OutputError } from '../../src/core/errors.js';
import type { LogEvent, SourceObject } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import type { RoundContext, WorkFeed, WorkItem } from '../../src/core/work-feed.js';
import { createParserFactory } from '../../src/parsers/index.js';
import type { BuiltPipeline } from '../../src/pipeline/build-pipeline.js';
import { PipelineRunner } from '../../src/pipeline/pipeline-runner.js';
import { RoutedOutput } from '../../src/pipeline/routed-output.js';

const corruptGzip = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not deflate data at all')]);
const text = (lines: number) => Buffer.from(Array.from({ length: lines }, (_, i) => `line ${i + 1}`).join('\n'));

/** Objects in memory; the feed below hands them out, so listing is never used. */
class MemorySource implements Source {
  readonly type = 'memory';
  readonly location = 'memory';
  constructor(readonly bodies: Record<string, Buffer>) {}
  async *list(): AsyncIterable<SourceObject> {}
  async open(object: SourceObject): Promise<Readable> {
    return Readable.from([this.bodies[object.key]!]);
  }
  async readRange(object: SourceObject, start: number, end: number): Promise<Buffer> {
    return this.bodies[object.key]!.subarray(start, end);
  }
  async stat(): Promise<SourceObject | null> {
    return null;
  }
}

/** Stores events; `fail` makes a write throw, `gate` makes writes wait (a slow output to drain during). */
class MemoryOutput implements Output {
  readonly type = 'memory';
  readonly events: LogEvent[] = [];
  constructor(
    private readonly fail: (events: LogEvent[]) => Error | undefined = () => undefined,
    private readonly gate?: () => Promise<void>,
  ) {}
  async start() {}
  async close() {}
  async write(events: LogEvent[]): Promise<WriteReport> {
    await this.gate?.();
    const failure = this.fail(events);
    if (failure) throw failure;
    this.events.push(...events);
    return { stored: events.length, duplicates: 0, deadLettered: 0 };
  }
}

/** A feed of one round over the given keys that records how each item was settled. */
class RecordingFeed implements WorkFeed {
  readonly kind = 'notifications';
  readonly roundIntervalMs = 0;
  readonly lost = false;
  readonly lostSignal = new AbortController().signal;
  readonly log: string[] = [];
  readonly offsets = new Map<string, number>();
  private readonly retries: WorkItem[] = [];
  private pending: string[];
  private open = 0;

  constructor(
    keys: string[],
    private readonly source: MemorySource,
  ) {
    this.pending = [...keys];
  }

  async start() {}
  async flush() {}
  async close() {
    this.log.push('close');
  }

  async *round(signal: AbortSignal, _context: RoundContext): AsyncIterable<WorkItem> {
    while (!signal.aborted && (this.pending.length > 0 || this.retries.length > 0 || this.open > 0)) {
      const next = this.retries.shift() ?? this.take();
      if (next) yield next;
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private take(): WorkItem | undefined {
    const key = this.pending.shift();
    if (key === undefined) return undefined;
    this.open++;
    const object = {
      bucket: 'b',
      key,
      etag: `e-${key}`,
      size: this.source.bodies[key]!.length,
      lastModified: new Date(),
    };
    let settled = false;
    const settle = (what: string) => {
      expect(settled, `${key} settled twice`).toBe(false);
      settled = true;
      this.open--;
      this.log.push(`${key} ${what}`);
    };
    const item: WorkItem = {
      object,
      resumeAfter: 0,
      markOffset: (record) => this.offsets.set(key, record),
      markDone: async (outcome) => settle(outcome ? `${outcome.kind}` : 'done'),
      putBack: async (reason) => {
        if (reason === 'retry') {
          this.log.push(`${key} retry`);
          this.retries.push(item);
          return;
        }
        settle(reason);
        // Like a message after a pause: offered again in a later round.
        if (reason === 'paused') this.pending.push(key);
      },
    };
    return item;
  }
}

describe('PipelineRunner with a WorkFeed', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-feed-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function run(feed: RecordingFeed, source: MemorySource, output: MemoryOutput, drain = new AbortController()) {
    const pipeline: BuiltPipeline = {
      id: 'p',
      source,
      parser: createParserFactory({ type: 'lines' }),
      filters: [],
      outputs: [new RoutedOutput(output, undefined)],
      deadLetter: async () => {},
      store: new FileCheckpointStore({ directory: dir, name: 'p', pipeline: 'p' }),
      notifications: { createFeed: () => feed },
      isOwnKey: () => false,
      settings: {
        pollIntervalMs: 10,
        lookbackMs: 60_000,
        maxObjectsInFlight: 2,
        maxBytesInFlight: 1024 * 1024,
        startTime: { kind: 'beginning' },
        leaseMs: 30_000,
        flushIntervalMs: 100,
        maxRecordBytes: 1024,
        maxObjectAttempts: 2,
        maxPauseMs: 20,
        checkpointEveryRecords: 1_000_000,
        maxBatchesInFlight: 2,
        maxEventsInFlight: 16_000,
        deadLetterCap: { maxRecords: 1000, maxRatio: 0.5, ratioMinRecords: 100 },
      },
      start: async () => {},
      close: async () => {},
    };
    return new PipelineRunner(pipeline, {
      logger: silentLogger(),
      metrics: new Metrics(),
      owner: 'me',
      mode: { kind: 'live' },
      once: true,
      drainSignal: drain.signal,
    }).run();
  }

  it('settles every item once: done when read, quarantined after a retry when it keeps failing', async () => {
    const source = new MemorySource({ a: text(3), bad: corruptGzip, c: text(2) });
    const feed = new RecordingFeed(['a', 'bad', 'c'], source);
    const summary = await run(feed, source, new MemoryOutput());
    expect(summary).toMatchObject({ objects: 2, failedObjects: 1, records: 5 });
    expect([...feed.log].sort()).toEqual(['a done', 'bad quarantined', 'bad retry', 'c done', 'close']);
  });

  it('puts an item back as paused when its output is down, and never marks it done', async () => {
    const source = new MemorySource({ a: text(3) });
    const feed = new RecordingFeed(['a'], source);
    const down = () => new OutputError('ERR_OUTPUT_UNREACHABLE', 'connect ECONNREFUSED');
    const summary = await run(feed, source, new MemoryOutput(down));
    expect(summary.reason).toBe('paused');
    expect(feed.log[0]).toBe('a paused');
    expect(feed.log.filter((line) => line.endsWith('done'))).toEqual([]);
  });

  it('puts an item back as drained with its acknowledged offset when the worker drains mid-object', async () => {
    const source = new MemorySource({ big: text(5000) });
    const feed = new RecordingFeed(['big'], source);
    const drain = new AbortController();
    let writes = 0;
    // The drain comes while the second batch is being written: the first is acknowledged.
    const gate = async () => {
      if (++writes === 2) drain.abort();
    };
    const summary = await run(feed, source, new MemoryOutput(undefined, gate), drain);
    expect(summary.reason).toBe('drained');
    expect(feed.log).toEqual(['big drained', 'close']);
    expect(feed.offsets.get('big')).toBeGreaterThan(0);
  });
});
