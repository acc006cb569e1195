import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pipelineConfigSchema } from '../../src/config/schema.js';
import type { DeadLetterEntry } from '../../src/core/components.js';
import type { LogEvent } from '../../src/core/event.js';
import { Metrics } from '../../src/core/metrics.js';
import { type BuiltPipeline, buildPipeline } from '../../src/pipeline/build-pipeline.js';

const event = (record: number, status: number): LogEvent => ({
  doc: { status, record },
  origin: { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record, sub: 0, lastModified: 0 },
});

async function lines(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('buildPipeline', () => {
  const logged: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logged.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        callback();
      },
    }),
  );
  let metrics = new Metrics();
  let dir: string;
  let built: BuiltPipeline | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-build-'));
    logged.length = 0;
    metrics = new Metrics();
  });
  afterEach(async () => {
    await built?.close();
    built = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const entry = (overrides: Partial<DeadLetterEntry> = {}): DeadLetterEntry => ({
    pipeline: 'p',
    bucket: 'b',
    key: 'k.log',
    record: 3,
    code: 'ERR_RECORD_PARSE',
    reason: 'field client:port: "login?password=hunter2" is not ip:port',
    raw: 'GET /login?password=hunter2&user=bob',
    at: '2024-05-01T00:00:00.000Z',
    ...overrides,
  });

  const build = (extra: Record<string, unknown> = {}) => {
    const config = pipelineConfigSchema.parse({
      id: 'p',
      source: { type: 'file', path: 'logs' },
      parser: { type: 'json_lines' },
      outputs: [
        { type: 'file', path: 'errors.ndjson', when: { in: { field: 'status', values: [500, 503] } } },
        { type: 'file', path: 'all.ndjson' },
      ],
      checkpoint: { type: 'file', directory: 'checkpoints' },
      ...extra,
    });
    return buildPipeline(
      {
        config,
        file: join(dir, 'p.yml'),
        baseDir: dir,
        index: 0,
        locate: () => ({ file: 'p.yml', line: 1, column: 1 }),
      },
      { logger, metrics },
    );
  };

  it('routes each output only the events its when holds for when an output has a condition', async () => {
    built = await build();
    const events = [event(1, 200), event(2, 500), event(3, 503), event(4, 404)];
    const reports = await Promise.all(built.outputs.map((output) => output.write(events)));
    expect(reports.map((report) => report.stored)).toEqual([2, 4]);
    expect((await lines(join(dir, 'errors.ndjson'))).map((doc) => (doc as { record: number }).record)).toEqual([2, 3]);
    expect(await lines(join(dir, 'all.ndjson'))).toHaveLength(4);
  });

  it('renames events and routes them by their parser names when the schema is ecs', async () => {
    built = await build({
      schema: 'ecs',
      parser: { type: 'waf' },
      outputs: [
        { type: 'file', path: 'blocked.ndjson', when: { equals: { field: 'action', value: 'BLOCK' } } },
        { type: 'file', path: 'all.ndjson' },
      ],
    });
    const waf = (record: number, action: string): LogEvent => ({
      ...event(record, 200),
      doc: built!.rename!({ action }),
    });
    const reports = await Promise.all(built.outputs.map((output) => output.write([waf(1, 'BLOCK'), waf(2, 'ALLOW')])));
    expect(reports.map((report) => report.stored)).toEqual([1, 2]);
    expect(await lines(join(dir, 'blocked.ndjson'))).toEqual([
      expect.objectContaining({ event: expect.objectContaining({ action: 'BLOCK' }) }),
    ]);
  });

  it('runs the encoded path inline for one thread when every output is opensearch, with ecs routing rewritten', async () => {
    const opensearch = { type: 'opensearch', hosts: ['http://127.0.0.1:9'], index: 'logs' };
    built = await build({
      schema: 'ecs',
      parser: { type: 'waf' },
      outputs: [{ ...opensearch, when: { equals: { field: 'action', value: 'BLOCK' } } }, opensearch],
    });
    expect(built.threads).toBeUndefined();
    const encoding = built.encoding!;
    expect(encoding).toHaveLength(2);
    expect(encoding[0]!.when!(built.rename!({ action: 'BLOCK' }))).toBe(true);
    expect(encoding[0]!.when!(built.rename!({ action: 'ALLOW' }))).toBe(false);
    expect(encoding[1]!.when).toBeUndefined();
    const encoded = encoding[1]!.encoder.encode([event(1, 200)]);
    expect(Buffer.from(encoded.bytes).toString()).toContain('"create":{"_index":"logs"');
  });

  it('keeps the event path when an output is not opensearch, and leaves the work to threads above one', async () => {
    built = await build();
    expect(built.encoding).toBeUndefined();
    await built.close();
    built = await buildPipeline(
      {
        config: pipelineConfigSchema.parse({
          id: 'p',
          source: { type: 'file', path: 'logs' },
          parser: { type: 'json_lines' },
          outputs: [{ type: 'opensearch', hosts: ['http://127.0.0.1:9'], index: 'logs' }],
          checkpoint: { type: 'file', directory: 'checkpoints' },
        }),
        file: join(dir, 'p.yml'),
        baseDir: dir,
        index: 0,
        locate: () => ({ file: 'p.yml', line: 1, column: 1 }),
      },
      { logger, metrics, workerThreads: 2 },
    );
    expect(built.encoding).toBeUndefined();
    expect(built.threads?.size).toBe(2);
  });

  it('renames nothing when the schema is aws, the default', async () => {
    built = await build();
    expect(built.rename).toBeUndefined();
  });

  it('exposes the resolved settings in one object when keys come from source, checkpoint and root', async () => {
    built = await build({ max_batches_in_flight: 2, max_object_attempts: 5 });
    expect(built.settings).toMatchObject({
      pollIntervalMs: 60_000,
      leaseMs: 30_000,
      flushIntervalMs: 1000,
      maxObjectAttempts: 5,
      maxBatchesInFlight: 2,
    });
  });
  it('logs and counts entries, never their raw text, when no dead_letter is configured', async () => {
    built = await build();
    await built.deadLetter([entry()]);
    const warning = logged.find((line) => String(line.msg).includes('configure dead_letter'));
    expect(warning).toMatchObject({ level: 40, pipeline: 'p', key: 'k.log', record: 3, code: 'ERR_RECORD_PARSE' });
    expect(JSON.stringify(logged)).not.toContain('user=bob');
    expect((await metrics.deadLetterEntries.get()).values).toEqual([
      expect.objectContaining({ labels: { pipeline: 'p', code: 'ERR_RECORD_PARSE' }, value: 1 }),
    ]);
  });

  it("redacts raw text and reasons with the filters' redactText in filter order when entries go to the dead-letter", async () => {
    built = await build({
      filters: [
        { type: 'redact', query_params: ['user'], url_userinfo: false },
        { type: 'redact', patterns: ['hunter\\d'] },
      ],
      dead_letter: { type: 'file', path: 'dead-letter.ndjson' },
    });
    await built.deadLetter([entry()]);
    const [stored] = (await lines(join(dir, 'dead-letter.ndjson'))) as DeadLetterEntry[];
    expect(stored!.raw).toBe('GET /login?password=[REDACTED]&user=[REDACTED]');
    expect(stored!.reason).toBe('field client:port: "login?password=[REDACTED]" is not ip:port');
  });
});
