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
  lists = 0;
  private readonly lastModified = new Date(Date.now() - 60_000);

  /** `failList` is called with the 1-based listing; a returned error is thrown by list(). */
  constructor(
    private readonly objects: Record<string, MemoryObject>,
    private readonly failList: (listing: number) => Error | undefined = () => undefined,
  ) {}

  object(key: string): SourceObject {
    const { body } = this.objects[key]!;
    return { bucket: this.location, key, etag: `etag-${key}`, size: body.length, lastModified: this.lastModified };
  }

  async *list(): AsyncIterable<SourceObject> {
    const failure = this.failList(++this.lists);
    if (failure) throw failure;
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
  /** Left out, as an output that repeats events on a replay would. */
  idempotent?: boolean;

  /** `failWrite` may also return a promise: the write waits for it, then stores the events. */
  constructor(
    private readonly failWrite: (call: number, events: LogEvent[]) => Error | Promise<void> | undefined = () =>
      undefined,
  ) {}

  async start() {}
  async close() {}
  async write(events: LogEvent[]): Promise<WriteReport> {
    const failure = this.failWrite(this.writes++, events);
    if (failure instanceof Promise) await failure;
    else if (failure) throw failure;
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
  startTime: { kind: 'beginning' },
  leaseMs: 30_000,
  flushIntervalMs: 100,
  maxRecordBytes: 1024,
  maxObjectAttempts: 3,
  maxPauseMs: 20,
  checkpointEveryRecords: 1_000_000,
  maxBatchesInFlight: 2,
  maxEventsInFlight: 16_000,
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
    const details: string[] = [];
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
        onState: (state, detail) => {
          states.push(state);
          if (detail) details.push(detail);
        },
      }).run();
    const counter = async (name: 'objectsSkipped' | 'objectsFailed', labels: Record<string, string>) =>
      (await metrics[name].get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
        ?.value ?? 0;
    return { run, deadLetters, states, details, counter, pipeline };
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

  const denied = (key: string) =>
    new SourceReadError('ERR_S3_ACCESS_DENIED', `s3:GetObject denied on arn:aws:s3:::logs/${key}`, {
      retryable: false,
      hint: 'Allow s3:GetObject on arn:aws:s3:::logs/* for the task role.',
    });

  it('pauses without quarantining or marking anything done when reading is denied, and reports why', async () => {
    const source = new MemorySource({
      'a.log': { body: text(2), failOpen: () => denied('a.log') },
      'b.log': { body: text(2) },
    });
    const output = new MemoryOutput();
    // One attempt and one object at a time: were a denial the object's fault, it would be quarantined at once.
    const { run, deadLetters, states, details } = harness(source, output, {
      maxObjectAttempts: 1,
      maxObjectsInFlight: 1,
    });

    const summary = await run();

    expect(summary.reason).toBe('paused');
    expect(summary.paused).toEqual({
      code: 'ERR_S3_ACCESS_DENIED',
      reason:
        's3:GetObject denied on arn:aws:s3:::logs/a.log — Allow s3:GetObject on arn:aws:s3:::logs/* for the task role.',
    });
    expect(summary).toMatchObject({ objects: 0, failedObjects: 0 });
    // Tried once per pause; while paused, nothing else is read.
    expect(source.opens.get('a.log')).toBe(5);
    expect(source.opens.get('b.log')).toBeUndefined();
    expect(deadLetters).toEqual([]);
    const state = await saved();
    expect(state.done).toEqual({});
    expect(state.in_progress).toEqual({});
    expect(states).toContain('failing');
    expect(details.at(-1)).toContain('s3:GetObject denied on arn:aws:s3:::logs/a.log');
  });

  it('resumes by itself and reads every object once when a denial is lifted', async () => {
    const source = new MemorySource({
      'a.log': { body: text(3), failOpen: (attempt) => (attempt <= 2 ? denied('a.log') : undefined) },
      'b.log': { body: text(2) },
    });
    const output = new MemoryOutput();
    const { run, deadLetters, states } = harness(source, output, { maxObjectAttempts: 1, maxObjectsInFlight: 1 });

    const summary = await run();

    expect(summary).toMatchObject({ reason: 'completed', objects: 2, failedObjects: 0 });
    expect(summary.paused).toBeUndefined();
    expect(output.records('a.log')).toEqual(range(1, 3));
    expect(output.records('b.log')).toEqual(range(1, 2));
    expect(deadLetters).toEqual([]);
    expect(Object.keys((await saved()).done).sort()).toEqual(['a.log', 'b.log']);
    const failing = states.indexOf('failing');
    expect(failing).toBeGreaterThan(-1);
    expect(states.slice(failing)).toContain('running');
  });

  it('pauses and resumes when the listing itself is denied', async () => {
    const listDenied = new SourceReadError('ERR_S3_ACCESS_DENIED', 's3:ListBucket denied on arn:aws:s3:::logs', {
      retryable: false,
    });
    const source = new MemorySource({ 'a.log': { body: text(2) } }, (listing) =>
      listing <= 2 ? listDenied : undefined,
    );
    const output = new MemoryOutput();
    const { run, details } = harness(source, output);

    const summary = await run();

    expect(source.lists).toBe(3);
    expect(summary).toMatchObject({ reason: 'completed', objects: 1 });
    expect(details.some((detail) => detail.includes('s3:ListBucket denied'))).toBe(true);
  });

  it('counts records sent to the dead-letter in the summary when a record does not fit', async () => {
    const source = new MemorySource({
      'a.log': {
        body: Buffer.from(`short
${'x'.repeat(2000)}
short`),
      },
    });
    const { run, deadLetters } = harness(source, new MemoryOutput());

    const summary = await run();

    expect(deadLetters).toHaveLength(1);
    expect(summary).toMatchObject({ objects: 1, records: 2, events: 2, deadLettered: 1 });
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
  it.each([
    ['an output that repeats replayed events', false],
    ['an idempotent output', true],
  ])(
    'resumes a retried object after the records its failed attempt acknowledged when it writes to %s',
    async (_, idempotent) => {
      // Batches of 2000 records: the first is acknowledged, the second fails, the retry must start at 2001.
      const source = new MemorySource({ 'big.log': { body: text(5000) } });
      const output = new MemoryOutput((call) =>
        call === 1 ? new OutputError('ERR_OUTPUT_UNREACHABLE', 'cannot reach the output') : undefined,
      );
      output.idempotent = idempotent;
      const { run } = harness(source, output);

      const summary = await run();

      expect(source.opens.get('big.log')).toBe(2);
      // The run wrote all 5000: 2000 in the failed attempt, 3000 in the retry (it said 3000).
      expect(summary).toMatchObject({ objects: 1, records: 5000 });
      expect(output.records('big.log')).toEqual(range(1, 5000));
    },
  );

  it('writes the records before the cut of a truncated gzip once, and their dead-letter entries once, over every attempt', async () => {
    const lines = Array.from({ length: 9000 }, (_, i) => (i % 1000 === 499 ? 'x'.repeat(2000) : `line ${i + 1}`));
    const whole = gzipSync(Buffer.from(lines.join('\n')), { level: 1 });
    const source = new MemorySource({ 'cut.log.gz': { body: whole.subarray(0, Math.floor(whole.length * 0.6)) } });
    const output = new MemoryOutput();
    const { run, deadLetters } = harness(source, output, { maxObjectAttempts: 3 });

    const summary = await run();

    expect(source.opens.get('cut.log.gz')).toBe(3);
    expect(summary).toMatchObject({ failedObjects: 1 });
    const written = output.records('cut.log.gz');
    // The summary counts what the quarantined object wrote before the cut (it said 0 records, 0 events).
    expect(summary).toMatchObject({ objects: 0, records: written.length, events: written.length });
    expect(written.length).toBeGreaterThanOrEqual(2000);
    expect(new Set(written).size).toBe(written.length);
    const tooLarge = deadLetters.filter((entry) => entry.code === 'ERR_RECORD_TOO_LARGE').map((entry) => entry.record);
    expect(tooLarge.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tooLarge).size).toBe(tooLarge.length);
    expect(deadLetters.filter((entry) => entry.code === 'ERR_DECOMPRESS')).toHaveLength(1);
  });

  describe('when one part of a batch fails and the others took it', () => {
    // Line 5 is over max_record_bytes: a record-level failure in the object's one batch.
    const object = () =>
      Buffer.from(Array.from({ length: 10 }, (_, i) => (i === 4 ? 'x'.repeat(2000) : `line ${i + 1}`)).join('\n'));
    const down = () => new OutputError('ERR_DEAD_LETTER_WRITE', 'cannot append dead-letter entries');

    it('writes each good record once when the dead-letter fails twice (pauses) and then takes the entries', async () => {
      const source = new MemorySource({ 'a.log': { body: object() } });
      const output = new MemoryOutput();
      const { run, deadLetters, states } = harness(source, output, {}, (call) => (call < 2 ? down() : undefined));

      const summary = await run();

      expect(states.filter((state) => state === 'failing')).toHaveLength(2);
      expect(output.records('a.log').sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10]);
      expect(deadLetters.map((entry) => [entry.record, entry.code])).toEqual([[5, 'ERR_RECORD_TOO_LARGE']]);
      expect(summary).toMatchObject({ objects: 1, deadLettered: 1 });
    });

    it("writes nothing to the outputs while the dead-letter cannot store the batch's entries", async () => {
      const source = new MemorySource({ 'a.log': { body: object() } });
      const output = new MemoryOutput();
      const { run } = harness(source, output, {}, () => down());

      const summary = await run();

      expect(summary.reason).toBe('paused');
      expect(output.events).toEqual([]);
    });

    it('stores each dead-letter entry once when an output fails after the dead-letter took them', async () => {
      const source = new MemorySource({ 'a.log': { body: object() } });
      const output = new MemoryOutput((call) =>
        call === 0 ? new OutputError('ERR_OUTPUT_UNREACHABLE', 'down') : undefined,
      );
      const { run, deadLetters } = harness(source, output);

      await run();

      expect(deadLetters.map((entry) => entry.record)).toEqual([5]);
      expect(output.records('a.log').sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10]);
    });

    it('writes each record once to an output that took the batch when another output failed on it', async () => {
      const source = new MemorySource({ 'a.log': { body: text(10) } });
      const first = new MemoryOutput();
      const second = new MemoryOutput((call) =>
        call < 2 ? new OutputError('ERR_OUTPUT_UNREACHABLE', 'down') : undefined,
      );
      const { run, pipeline } = harness(source, first);
      pipeline.outputs.push(new RoutedOutput(second, undefined));

      await run();

      expect(first.records('a.log')).toEqual(range(1, 10));
      expect(second.records('a.log')).toEqual(range(1, 10));
    });
  });

  it.each([
    [false, 2000],
    [true, undefined],
  ])(
    'saves the offset of every acknowledged batch only when the output is not idempotent (idempotent: %s)',
    async (idempotent, expected) => {
      const source = new MemorySource({ 'big.log': { body: text(5000) } });
      let seen: CheckpointState['in_progress'][string] | undefined;
      // The second batch waits until the checkpoint saved after the first acknowledgement can be seen (or 1.5 s).
      const output = new MemoryOutput((call) => {
        if (call !== 1) return undefined;
        return (async () => {
          const deadline = Date.now() + 1500;
          while (Date.now() < deadline && !seen) {
            await new Promise((r) => setTimeout(r, 50));
            seen = (await store().load())?.state.in_progress['big.log'];
          }
        })();
      });
      output.idempotent = idempotent;
      const { run } = harness(source, output, { checkpointEveryRecords: 1_000_000 });

      await run();

      expect(seen?.record).toBe(expected);
      // The third batch may be acknowledged while the second waits: compare the records, not their order.
      expect(output.records('big.log').sort((a, b) => a - b)).toEqual(range(1, 5000));
    },
  );
});
