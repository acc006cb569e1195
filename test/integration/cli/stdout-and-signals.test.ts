import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { albLine } from '../../helpers/alb-data.js';
import { runSluiceSampled } from '../../helpers/e2e-rss-sampler.js';
import { sluiceTestEnv, startSluice, waitFor } from '../../helpers/sluice-process.js';

const BIN = resolve(import.meta.dirname, '../../../bin/sluice.js');
const MiB = 1024 * 1024;

/** A gzip ALB object of `lines` records (each prints as a JSON line of about 1 KB). */
function albGzip(lines: number): Buffer {
  const parts: string[] = [];
  for (let line = 1; line <= lines; line++) parts.push(albLine(1, line));
  return gzipSync(`${parts.join('\n')}\n`, { level: 1 });
}

/** A folder with one ALB object in `logs/`, a file checkpoint, and the given outputs. */
function pipelineDir(lines: number, outputs: string): { dir: string; config: string; object: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-stdout-'));
  mkdirSync(join(dir, 'logs'));
  const object = join(dir, 'logs', 'alb.log.gz');
  writeFileSync(object, albGzip(lines));
  const config = join(dir, 'pipeline.yml');
  writeFileSync(
    config,
    `pipelines:
  - id: stdout-test
    source: { type: file, path: logs, poll_interval_seconds: 1 }
    parser: { type: alb }
    outputs:
${outputs}
    checkpoint: { type: file, directory: checkpoint }
`,
  );
  return { dir, config, object };
}

/** The lease in the file checkpoint: null once the worker released it. */
function savedLease(dir: string): unknown {
  const saved = JSON.parse(readFileSync(join(dir, 'checkpoint', 'stdout-test.json'), 'utf8')) as {
    state: { lease: unknown };
  };
  return saved.state.lease;
}

/** Spawns the CLI with stdout to a pipe that the test closes after the first chunk. */
function closeAfterFirstChunk(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: sluiceTestEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let firstChunk = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.once('data', (chunk: Buffer) => {
    firstChunk = chunk.toString();
    child.stdout.destroy();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return { exited, stderr: () => stderr, firstChunk: () => firstChunk };
}

describe('sluice parse with stdout to a pipe', () => {
  it('exits 0 without a stack trace when the reader closes the pipe after the first line', async () => {
    const { object } = pipelineDir(50_000, '      - { type: stdout }');
    const run = closeAfterFirstChunk(['parse', '--parser', 'alb', object]);
    const exit = await run.exited;
    expect(JSON.parse(run.firstChunk().split('\n')[0]!)).toMatchObject({ trace_id: 'Root=1-1-1' });
    expect(exit, run.stderr()).toEqual({ code: 0, signal: null });
    expect(run.stderr()).toBe('');
  }, 60_000);

  it('holds its memory when the reader is slow', async () => {
    const { object } = pipelineDir(250_000, '      - { type: stdout }');
    const run = await runSluiceSampled(['parse', '--parser', 'alb', object], {}, 200, {
      slowReaderBytesPerSecond: 10 * MiB,
    });
    console.log(
      `parse to a slow reader: ${(run.stdoutBytes / MiB).toFixed(0)} MiB in ${run.durationMs} ms, peak RSS ${(run.peakRssBytes / MiB).toFixed(0)} MiB`,
    );
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    // Every line came through, more than the bound: buffering them instead of waiting would break it.
    expect(run.stdoutBytes).toBeGreaterThan(200 * MiB);
    expect(run.peakRssBytes).toBeLessThan(200 * MiB);
  }, 180_000);
});

describe('sluice run with the stdout output', () => {
  it('drains, releases its lease and exits 1 when the reader of stdout goes away', async () => {
    const { dir, config } = pipelineDir(50_000, '      - { type: stdout }');
    const run = closeAfterFirstChunk(['run', '--config', config]);
    const exit = await run.exited;
    expect(exit, run.stderr().slice(-3000)).toEqual({ code: 1, signal: null });
    expect(run.stderr()).toContain('standard output closed: draining');
    expect(run.stderr()).toContain('released the pipeline lease');
    expect(run.stderr()).not.toMatch(/Unhandled 'error' event|^\s+at /m);
    expect(savedLease(dir)).toBeNull();
  }, 60_000);

  it('holds its memory when the reader is slow', async () => {
    const { config } = pipelineDir(250_000, '      - { type: stdout }');
    const run = await runSluiceSampled(['run', '--once', '--config', config], {}, 200, {
      slowReaderBytesPerSecond: 10 * MiB,
    });
    console.log(
      `run to a slow reader: ${(run.stdoutBytes / MiB).toFixed(0)} MiB in ${run.durationMs} ms, peak RSS ${(run.peakRssBytes / MiB).toFixed(0)} MiB`,
    );
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.stdoutBytes).toBeGreaterThan(200 * MiB);
    expect(run.peakRssBytes).toBeLessThan(200 * MiB);
  }, 180_000);
});

describe('sluice run on SIGHUP', () => {
  // A live run reloads its config on SIGHUP: test/integration/worker/config-reload.test.ts.
  it('ignores it in a --once run, which reads everything and exits 0', async () => {
    const { dir, config } = pipelineDir(200_000, '      - { type: file, path: out/alb.ndjson }');
    const run = startSluice(['run', '--once', '--config', config]);
    await waitFor(() => run.output().includes('lease held'), 20_000, 'the lease');
    run.child.kill('SIGHUP');
    const exit = await run.exited;
    expect(exit, run.output().slice(-3000)).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('SIGHUP ignored: only a live `sluice run` reloads its config');
    expect(run.output()).toContain('stdout-test: 1 new object(s), 200000 record(s)');
    expect(
      readFileSync(join(dir, 'out', 'alb.ndjson'), 'utf8')
        .trimEnd()
        .split('\n'),
    ).toHaveLength(200_000);
    expect(savedLease(dir)).toBeNull();
  }, 120_000);
});
