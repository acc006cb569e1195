import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../src/checkpoint/file-checkpoint-store.js';
import type { CheckpointState } from '../../src/checkpoint/state.js';
import type { DeadLetterEntry, Output, Source, WriteReport } from '../../src/core/components.js';
import { OutputError, SourceReadError } from '../../src/core/errors.js';
import type { LogEvent, SourceObject } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import type { PipelineSettings } from '../../src/core/pipeline-settings.js';
import { createParserFactory } from '../../src/parsers/index.js';
import type { BuiltPipeline } from '../../src/pipeline/build-pipeline.js';
import { PipelineRunner, type PipelineState, type RunSummary } from '../../src/pipeline/pipeline-runner.js';
import { RoutedOutput } from '../../src/pipeline/routed-output.js';

/** One object of the in-memory source: its bytes, or what opening it does on each attempt. */
interface MemoryObject {
  body: Buffer;
  /** Called with the 1-based attempt; a returned error is thrown by open(). */
  failOpen?: (attempt: number) => Error | undefined;
}

/** A source over objects in memory: the runner's logic is under test here, not S3. */
class MemorySource implements Source {
  readonly type = 'memory';
  readonly location = 'memory';
  readonly opens = new Map<string, number>();
  private readonly lastModified = new Date(Date.now() - 60_000);

  constructor(private readonly objects: Record<string, MemoryObject>) {}

  object(key: string): SourceObject {
    const { body } = this.objects[key]!;
    return { bucket: this.location, key, etag: `etag-${key}`, size: body.length, lastModified: this.lastModified };
  }

  async *list(): AsyncIterable<SourceObject> {
    for (const key of Object.keys(this.objects)) yield this.object(key);
  }

  async open(object: SourceObject): Promise<Readable> {
    const attempt = (this.opens.get(object.key) ?? 0) + 1;
    this.opens.set(object.key, attempt);
    const failure = this.objects[object.key]!.failOpen?.(attempt);
    if (failure) throw failure;
    return Readable.from([this.objects[object.key]!.body]);
  }

  async readRange(object: SourceObject, start: number, end: number): Promise<Buffer> {
    return this.objects[object.key]!.body.subarray(start, end);
  }

  async stat(key: string): Promise<SourceObject | null> {
    return this.objects[key] ? this.object(key) : null;
  }
}

/** An output that keeps what it stores; `failWrite` makes a write (0-based call number) fail instead. */
class MemoryOutput implements Output {
  readonly type = 'memory';
  readonly events: LogEvent[] = [];
  writes = 0;

  constructor(private readonly failWrite: (call: number, events: LogEvent[]) => Error | undefined = () => undefined) {}

  async start() {}
  async close() {}
  async write(events: LogEvent[]): Promise<WriteReport> {
    const failure = this.failWrite(this.writes++, events);
    if (failure) throw failure;
    this.events.push(...events);
    return { stored: events.length, duplicates: 0, deadLettered: 0 };
  }

  records(key: string): number[] {
    return this.events.filter((e) => e.origin.key === key).map((e) => e.origin.record);
  }
}

const text = (lines: number, prefix = 'line') =>
  Buffer.from(Array.from({ length: lines }, (_, i) => `${prefix} ${i + 1}`).join('\n'));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** gzip magic bytes followed by garbage: a real DecompressError from the record loop. */
const corruptGzip = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not deflate data at all')]);

const settings = (overrides: Partial<PipelineSettings> = {}): PipelineSettings => ({
  pollIntervalMs: 10,
  lookbackMs: 24 * 60 * 60_000,
  maxObjectsInFlight: 2,
  maxBytesInFlight: 64 * 1024 * 1024,
  startTime: null,
  leaseMs: 30_000,
  flushIntervalMs: 100,
  maxRecordBytes: 1024,
  maxObjectAttempts: 3,
  checkpointEveryRecords: 1_000_000,
  maxBatchesInFlight: 2,
  deadLetterCap: { maxRecords: 1000, maxRatio: 0.5, ratioMinRecords: 100 },
  ...overrides,
});

describe('PipelineRunner', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-runner-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const store = () => new FileCheckpointStore({ directory: dir, name: 'p', pipeline: 'p' });
  const saved = async (): Promise<CheckpointState> => (await store().load())!.state;

  function harness(
    source: MemorySource,
    output: MemoryOutput,
    overrides: Partial<PipelineSettings> = {},
    failDeadLetter: (call: number) => Error | undefined = () => undefined,
  ) {
    const deadLetters: DeadLetterEntry[] = [];
    let deadLetterCalls = 0;
    const states: PipelineState[] = [];
    const metrics = new Metrics();
    const pipeline: BuiltPipeline = {
      id: 'p',
      source,
      parser: createParserFactory({ type: 'lines' }),
      filters: [],
      outputs: [new RoutedOutput(output, undefined)],
      deadLetter: async (entries) => {
        const failure = failDeadLetter(deadLetterCalls++);
        if (failure) throw failure;
        deadLetters.push(...entries);
      },
      store: store(),
      isOwnKey: () => false,
      settings: settings(overrides),
      start: async () => {},
      close: async () => {},
    };
    const run = (drain = new AbortController()): Promise<RunSummary> =>
      new PipelineRunner(pipeline, {
        logger: silentLogger(),
        metrics,
        owner: 'test-owner',
        mode: { kind: 'live' },
        once: true,
        drainSignal: drain.signal,
        onState: (state) => states.push(state),
      }).run();
    const counter = async (name: 'objectsSkipped' | 'objectsFailed', labels: Record<string, string>) =>
      (await metrics[name].get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
        ?.value ?? 0;
    return { run, deadLetters, states, counter };
  }

  it('marks every object done and saves the checkpoint when all their records are acknowledged', async () => {
    const source = new MemorySource({
      'a.log': { body: text(3) },
      'b.log.gz': { body: gzipSync(text(5)) },
      'c.log': { body: text(1) },
    });
    const output = new MemoryOutput();
    const { run, deadLetters } = harness(source, output);

    const summary = await run();

    expect(summary).toMatchObject({ objects: 3, failedObjects: 0, records: 9, events: 9, reason: 'completed' });
    expect(output.records('b.log.gz')).toEqual(range(1, 5));
    const state = await saved();
    expect(state.done).toEqual({
      'a.log': { etag: 'etag-a.log', last_modified: source.object('a.log').lastModified.getTime() },
      'b.log.gz': { etag: 'etag-b.log.gz', last_modified: source.object('b.log.gz').lastModified.getTime() },
      'c.log': { etag: 'etag-c.log', last_modified: source.object('c.log').lastModified.getTime() },
    });
    expect(state.in_progress).toEqual({});
    expect(state.lease).toBeNull();
    expect(deadLetters).toEqual([]);
  });

  it('quarantines an object past its dead-letter cap on the first attempt and counts dead-lettered records in the summary', async () => {
    const long = 'x'.repeat(2000);
    const source = new MemorySource({
      'flood.log': { body: Buffer.from(Array.from({ length: 200 }, () => long).join('\n')) },
      'few.log': { body: Buffer.from(`a\n${long}\nb\n${long}\nc\n`) },
    });
    const output = new MemoryOutput();
    const { run, deadLetters, counter } = harness(source, output);

    const summary = await run();

    expect(source.opens.get('flood.log')).toBe(1);
    expect(summary).toMatchObject({ objects: 1, failedObjects: 1, records: 3, deadLettered: 2 });
    const flood = deadLetters.filter((entry) => entry.key === 'flood.log');
    expect(flood).toEqual([expect.objectContaining({ record: 0, code: 'ERR_DEAD_LETTER_CAP' })]);
    expect(flood[0]!.reason).toContain('max_dead_letter_ratio (0.5)');
    expect(flood[0]!.reason).not.toContain('attempts');
    expect(deadLetters.filter((entry) => entry.key === 'few.log').map((entry) => entry.record)).toEqual([2, 4]);
    expect((await saved()).done['flood.log']?.failed).toBe(flood[0]!.reason);
    expect(await counter('objectsFailed', { pipeline: 'p' })).toBe(1);
  });

  it('retries an object that keeps failing and quarantines it on the last of max_object_attempts', async () => {
    const source = new MemorySource({ 'bad.log.gz': { body: corruptGzip }, 'good.log': { body: text(2) } });
    const output = new MemoryOutput();
    const { run, deadLetters, counter } = harness(source, output, { maxObjectAttempts: 3 });

    const summary = await run();

    expect(source.opens.get('bad.log.gz')).toBe(3);
    expect(source.opens.get('good.log')).toBe(1);
    expect(summary).toMatchObject({ objects: 1, failedObjects: 1 });
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      key: 'bad.log.gz',
      etag: 'etag-bad.log.gz',
      record: 0,
      code: 'ERR_DECOMPRESS',
    });
    expect(deadLetters[0]!.reason).toMatch(/\(after 3 attempts\)$/);
    const state = await saved();
    expect(state.done['bad.log.gz']?.failed).toBe(deadLetters[0]!.reason);
    expect(state.done['good.log']).toEqual({ etag: 'etag-good.log', last_modified: expect.any(Number) });
    expect(await counter('objectsFailed', { pipeline: 'p' })).toBe(1);
  });

  it.each(['deleted', 'rewritten'] as const)(
    'skips a version that was %s without retrying or quarantining it',
    async (gone) => {
      const failure = new SourceReadError('ERR_FILE_READ', `the file was ${gone}`, { retryable: false, gone });
      const source = new MemorySource({ 'gone.log': { body: text(2), failOpen: () => failure } });
      const output = new MemoryOutput();
      const { run, deadLetters, counter } = harness(source, output);

      const summary = await run();

      expect(source.opens.get('gone.log')).toBe(1);
      expect(summary).toMatchObject({ objects: 0, failedObjects: 0 });
      expect(deadLetters).toEqual([]);
      expect((await saved()).done['gone.log']).toMatchObject({
        etag: 'etag-gone.log',
        failed: `${gone} before it was read`,
      });
      expect(await counter('objectsSkipped', { pipeline: 'p', reason: gone })).toBe(1);
    },
  );

  it('retries an object whose output failed and never quarantines it for that', async () => {
    const source = new MemorySource({ 'a.log': { body: text(4) } });
    const output = new MemoryOutput((call) =>
      call === 0 ? new OutputError('ERR_OUTPUT_UNREACHABLE', 'cannot reach the output') : undefined,
    );
    // One attempt: were an output failure the object's fault, the first one would quarantine it.
    const { run, deadLetters, states } = harness(source, output, { maxObjectAttempts: 1 });

    const summary = await run();

    expect(source.opens.get('a.log')).toBe(2);
    expect(summary).toMatchObject({ objects: 1, failedObjects: 0 });
    expect(output.records('a.log')).toEqual(range(1, 4));
    expect(deadLetters).toEqual([]);
    expect((await saved()).done['a.log']).toEqual({ etag: 'etag-a.log', last_modified: expect.any(Number) });
    const failing = states.indexOf('failing');
    expect(failing).toBeGreaterThan(-1);
    expect(states.slice(failing)).toContain('running');
  });

  it('counts only the failures of the object itself towards quarantine when an output failed before', async () => {
    const transient = new SourceReadError('ERR_FILE_READ', 'EBUSY', { retryable: true });
    const source = new MemorySource({
      'a.log': { body: text(3), failOpen: (attempt) => (attempt === 2 ? transient : undefined) },
    });
    const output = new MemoryOutput((call) =>
      call === 0 ? new OutputError('ERR_OUTPUT_UNREACHABLE', 'cannot reach the output') : undefined,
    );
    // Attempt 1 fails on the output, attempt 2 reading: one failure of the object's own, one short of quarantine.
    const { run, deadLetters } = harness(source, output, { maxObjectAttempts: 2 });

    const summary = await run();

    expect(source.opens.get('a.log')).toBe(3);
    expect(deadLetters).toEqual([]);
    expect(summary).toMatchObject({ objects: 1, failedObjects: 0 });
    expect((await saved()).done['a.log']).toEqual({ etag: 'etag-a.log', last_modified: expect.any(Number) });
  });

  it('keeps an object it could not quarantine and quarantines it on a later poll when the dead-letter failed', async () => {
    const source = new MemorySource({ 'bad.log.gz': { body: corruptGzip } });
    const full = new OutputError('ERR_DEAD_LETTER_WRITE', 'cannot append dead-letter entries');
    const { run, deadLetters, states } = harness(source, new MemoryOutput(), { maxObjectAttempts: 1 }, (call) =>
      call === 0 ? full : undefined,
    );

    const summary = await run();

    expect(source.opens.get('bad.log.gz')).toBe(2);
    expect(states).toContain('failing');
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ key: 'bad.log.gz', code: 'ERR_DECOMPRESS' });
    expect(summary).toMatchObject({ failedObjects: 1 });
    expect((await saved()).done['bad.log.gz']?.failed).toBe(deadLetters[0]!.reason);
  });

  it('saves the acknowledged offset when draining mid-object, and the next run resumes after it', async () => {
    // The framing hands out batches of 2000 records: the drain lands after the first one.
    const source = new MemorySource({ 'big.log': { body: text(5000) } });
    const drain = new AbortController();
    const output = new MemoryOutput((call) => {
      if (call === 0) drain.abort();
      return undefined;
    });
    const { run } = harness(source, output);

    const drained = await run(drain);

    expect(drained.reason).toBe('drained');
    expect(output.records('big.log')).toEqual(range(1, 2000));
    const state = await saved();
    expect(state.in_progress['big.log']).toEqual({
      etag: 'etag-big.log',
      last_modified: source.object('big.log').lastModified.getTime(),
      record: 2000,
    });
    expect(state.done).toEqual({});
    expect(state.lease).toBeNull();

    const resumed = await run();

    expect(resumed).toMatchObject({ objects: 1, records: 3000, reason: 'completed' });
    expect(output.records('big.log')).toEqual(range(1, 5000));
    expect((await saved()).done['big.log']).toBeDefined();
    expect((await saved()).in_progress).toEqual({});
  });
});
