import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { albLine } from '../../helpers/alb-data.js';
import { freePort } from '../../helpers/free-port.js';
import { doneSet, ndjson, type Readiness, readiness } from '../../helpers/run-files.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

/**
 * Faults of the operator's folders (a dead-letter that cannot be written, an output folder that
 * is a file or lies under one) are the pipeline's: it pauses, nothing is marked done, and no
 * output receives a line twice, during the pauses or after the fault is fixed.
 */

const LINES = 40;

/** A folder with `logs/` (the file source, one object), a file checkpoint, and the given output and dead-letter paths. */
function pipelineDir(output: string, deadLetter: string, lines: string[]): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-faults-'));
  mkdirSync(join(dir, 'logs'));
  if (lines.length > 0) writeObject(dir, lines);
  const config = join(dir, 'pipeline.yml');
  writeFileSync(
    config,
    `pipelines:
  - id: faults
    source: { type: file, path: logs, poll_interval_seconds: 1 }
    parser: { type: alb }
    outputs:
      - { type: file, path: "${output}" }
    checkpoint: { type: file, directory: checkpoint, flush_interval_seconds: 0.2 }
    dead_letter: { type: file, path: "${deadLetter}" }
    max_pause_seconds: 1
`,
  );
  return { dir, config };
}

function writeObject(dir: string, lines: string[]): void {
  writeFileSync(join(dir, 'logs', 'alb.log.gz'), gzipSync(`${lines.join('\n')}\n`));
}

/** `sluice run --once`, which must end by itself (after BOUNDED_RUN_PAUSES pauses at most). */
async function runOnce(config: string): Promise<{ code: number | null; output: string }> {
  const run = startSluice(['run', '--once', '--config', config]);
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 90_000).unref());
  const exit = await Promise.race([run.exited, timeout]);
  if (exit === 'timeout') {
    run.child.kill('SIGKILL');
    throw new Error(`sluice run --once did not finish in 90 s; output:\n${run.output().slice(-3000)}`);
  }
  return { code: exit.code, output: run.output() };
}

function traces(path: string): string[] {
  return ndjson(path).map((doc) => String(doc.trace_id));
}

describe('the file output when the dead-letter cannot be written', () => {
  it('writes the good lines of a batch once over every pause and after the dead-letter is fixed', async () => {
    const lines = [albLine(0, 1), albLine(0, 2), 'not an alb line', albLine(0, 4)];
    const { dir, config } = pipelineDir('out/alb.ndjson', 'dead-letter', lines);
    // The dead-letter path is a folder: appending to it fails (EISDIR) on every try.
    mkdirSync(join(dir, 'dead-letter'));

    const first = await runOnce(config);
    expect(first.code, first.output.slice(-3000)).toBe(75);
    expect(first.output.match(/"msg":"pipeline paused/g)).toHaveLength(5);
    expect(first.output).toContain('ERR_DEAD_LETTER_WRITE');
    const out = join(dir, 'out', 'alb.ndjson');
    // Before the fix, every pause appended the three good lines again (15 lines after 5 pauses).
    expect(traces(out)).toEqual([]);
    expect(doneSet(join(dir, 'checkpoint', 'faults.json'))).toEqual({});

    rmSync(join(dir, 'dead-letter'), { recursive: true });
    const second = await runOnce(config);
    expect(second.code, second.output.slice(-3000)).toBe(0);
    expect(traces(out).sort()).toEqual(['Root=1-0-1', 'Root=1-0-2', 'Root=1-0-4']);
    expect(ndjson(join(dir, 'dead-letter')).map((entry) => [entry.record, entry.code])).toEqual([
      [3, 'ERR_RECORD_PARSE'],
    ]);
    expect(Object.keys(doneSet(join(dir, 'checkpoint', 'faults.json')))).toHaveLength(1);
  }, 240_000);
});

describe('a file output folder the worker cannot write to', () => {
  it('pauses with /readyz naming the path, marks nothing done, dead-letters nothing, and writes every line once when fixed', async () => {
    const { dir, config } = pipelineDir('blocker/out/alb-%{+YYYY-MM-dd}.ndjson', 'dead-letter.ndjson', []);
    const port = await freePort();
    const run = startSluice(['run', '--config', config], { SLUICE_HTTP_PORT: String(port) });
    const failWith = (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${run.output().slice(-4000)}`);
    };
    // The folder can be made when the run starts; then `blocker` becomes a regular file, so its
    // "folder" out/ cannot be made (ENOTDIR, as root too), and an object arrives.
    await waitFor(async () => (await readiness(port).catch(() => undefined))?.status === 200, 60_000, 'the run').catch(
      failWith,
    );
    writeFileSync(join(dir, 'blocker'), 'not a folder\n');
    writeObject(
      dir,
      Array.from({ length: LINES }, (_, i) => albLine(0, i + 1)),
    );

    let ready: Readiness | undefined;
    await waitFor(
      async () => {
        ready = await readiness(port).catch(() => undefined);
        return ready?.body.pipelines.faults?.state === 'failing';
      },
      60_000,
      'the pipeline to be reported paused',
    ).catch(failWith);
    expect(ready!.status).toBe(503);
    const detail = ready!.body.pipelines.faults!.detail ?? '';
    expect(detail).toContain(join(dir, 'blocker', 'out'));
    expect(detail).toContain('ENOTDIR');
    expect(detail).toContain('is a file');
    await waitFor(
      () => (run.output().match(/"msg":"pipeline paused/g) ?? []).length >= 3,
      60_000,
      'three pauses',
    ).catch(failWith);
    const pausedLine = run
      .output()
      .split('\n')
      .find((line) => line.includes('"msg":"pipeline paused'));
    expect(JSON.parse(pausedLine!)).toMatchObject({ level: 'error', code: 'ERR_OUTPUT_FILE_WRITE' });
    const checkpoint = join(dir, 'checkpoint', 'faults.json');
    expect(doneSet(checkpoint)).toEqual({});
    expect(ndjson(join(dir, 'dead-letter.ndjson'))).toEqual([]);

    rmSync(join(dir, 'blocker'));
    await waitFor(() => Object.keys(doneSet(checkpoint)).length === 1, 60_000, 'the object done').catch(failWith);
    await waitFor(async () => (await readiness(port)).status === 200, 30_000, '/readyz to turn green').catch(failWith);
    const files = readdirSync(join(dir, 'blocker', 'out'));
    expect(files).toHaveLength(1);
    const written = traces(join(dir, 'blocker', 'out', files[0]!));
    expect(written).toHaveLength(LINES);
    expect(new Set(written).size).toBe(LINES);
    expect(ndjson(join(dir, 'dead-letter.ndjson'))).toEqual([]);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 180_000);

  it.each([
    ['is a file', 'out/alb.ndjson', 'out', 'the output folder DIR/out is a file, not a folder'],
    [
      'lies under a file',
      'out/sub/alb-%{+YYYY}.ndjson',
      'out',
      'DIR/out, the nearest existing parent of the output folder DIR/out/sub, is a file',
    ],
  ])(
    'refuses to start (validate and run exit 78 at the setting) when the output folder %s',
    async (_, path, file, message) => {
      const { dir, config } = pipelineDir(path, 'dead-letter.ndjson', [albLine(0, 1)]);
      writeFileSync(join(dir, file), 'a file where the output folder should be\n');
      const expected = message.replaceAll('DIR', dir);
      for (const args of [['validate'], ['run', '--once']]) {
        const checked = startSluice([...args, '--config', config]);
        const { code } = await checked.exited;
        expect(code, checked.output().slice(-3000)).toBe(78);
        expect(checked.output()).toContain(expected);
        expect(checked.output()).toMatch(/pipeline\.yml:6:\d+ pipelines\[0\]\.outputs\[0\]\.path/);
      }
      expect(existsSync(join(dir, 'checkpoint'))).toBe(false);
    },
    120_000,
  );

  it('validates and runs when the output folder is missing and can be made, and validate makes nothing', async () => {
    const { dir, config } = pipelineDir('new/deeper/alb.ndjson', 'dead-letter.ndjson', [albLine(0, 1)]);
    const validate = startSluice(['validate', '--config', config]);
    expect((await validate.exited).code, validate.output()).toBe(0);
    expect(existsSync(join(dir, 'new'))).toBe(false);
    const { code, output } = await runOnce(config);
    expect(code, output.slice(-3000)).toBe(0);
    expect(traces(join(dir, 'new', 'deeper', 'alb.ndjson'))).toEqual(['Root=1-0-1']);
  }, 120_000);
});
