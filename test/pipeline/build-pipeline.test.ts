import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pipelineConfigSchema } from '../../src/config/schema.js';
import type { LogEvent } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
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
  let dir: string;
  let built: BuiltPipeline | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-build-'));
  });
  afterEach(async () => {
    await built?.close();
    built = undefined;
    await rm(dir, { recursive: true, force: true });
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
      { logger: silentLogger(), metrics: new Metrics() },
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
});
