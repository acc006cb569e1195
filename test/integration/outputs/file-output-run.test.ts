import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { albLine } from '../../helpers/alb-data.js';
import { startSluice } from '../../helpers/sluice-process.js';

interface Written {
  trace_id: string;
  user_agent: string;
}

interface DeadLetterLine {
  key: string;
  record: number;
  code: string;
  reason: string;
  doc?: Written;
}

/** A folder with `logs/` (the file source), a file checkpoint and a file dead-letter, and the output `path`. */
function pipelineDir(path: string, extra = ''): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-run-'));
  mkdirSync(join(dir, 'logs'));
  const config = join(dir, 'pipeline.yml');
  writeFileSync(
    config,
    `pipelines:
  - id: file-run
    source: { type: file, path: logs, poll_interval_seconds: 1 }
    parser: { type: alb }
    filters: [ { type: date, field: time } ]
    outputs:
      - { type: file, path: "${path}" }
    checkpoint: { type: file, directory: checkpoint }
    dead_letter: { type: file, path: dead-letter.ndjson }
${extra}`,
  );
  return { dir, config };
}

/** Every NDJSON line of every file under `folder`. */
function linesUnder<T>(folder: string): { path: string; doc: T }[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .flatMap((entry) => {
      const path = join(entry.parentPath, entry.name);
      return readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => ({ path, doc: JSON.parse(line) as T }));
    });
}

function deadLetters(dir: string): DeadLetterLine[] {
  const path = join(dir, 'dead-letter.ndjson');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DeadLetterLine);
}

/** An ALB line of object 0 with its own user agent (the field the paths below insert). */
function lineWithAgent(line: number, time: Date, agent: string): string {
  return albLine(0, line, time).replace('"curl/8.5.0"', JSON.stringify(agent));
}

/** `sluice run --once`, which must end by itself: an object retried forever never lets the poll complete. */
async function runOnce(config: string): Promise<{ code: number | null; output: string }> {
  const run = startSluice(['run', '--once', '--config', config]);
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000).unref());
  const exit = await Promise.race([run.exited, timeout]);
  if (exit === 'timeout') {
    run.child.kill('SIGKILL');
    throw new Error(`sluice run --once did not finish in 60 s; output:\n${run.output().slice(-3000)}`);
  }
  return { code: exit.code, output: run.output() };
}

describe('sluice run with the file output', () => {
  it('writes every line once over 17 hourly files and dead-letters the events whose path is too long when one object spans 17 hours', async () => {
    const { dir, config } = pipelineDir('out/%{+YYYY-MM-dd-HH}/%{[user_agent]}-%{[user_agent]}-%{[user_agent]}.ndjson');
    const long = 'Mozilla/5.0 '.repeat(25); // 300 bytes: three cut to 100 each make a 300-byte file name
    const lines = Array.from({ length: 48 }, (_, i) => {
      const time = new Date(Date.UTC(2024, 4, 1) + (i % 17) * 3_600_000 + i * 1000);
      return lineWithAgent(i + 1, time, i === 9 || i === 30 ? long : 'curl/8.5.0');
    });
    writeFileSync(join(dir, 'logs', 'alb.log.gz'), gzipSync(`${lines.join('\n')}\n`));

    const { code, output } = await runOnce(config);

    expect(code, output.slice(-3000)).toBe(0);
    const written = linesUnder<Written>(join(dir, 'out'));
    expect(new Set(written.map(({ path }) => path.split(sep).at(-2))).size).toBe(17);
    const traces = written.map(({ doc }) => doc.trace_id).sort();
    expect(traces).toHaveLength(46);
    expect(new Set(traces).size).toBe(46);
    const entries = deadLetters(dir);
    expect(entries.map((e) => [e.record, e.code])).toEqual([
      [10, 'ERR_OUTPUT_FILE'],
      [31, 'ERR_OUTPUT_FILE'],
    ]);
    expect(entries[0]!.reason).toContain('ENAMETOOLONG');
    expect(entries[0]!.doc?.trace_id).toBe('Root=1-0-10');
  }, 90_000);

  it('never writes outside the output folder when user agents climb out of it or name absolute paths', async () => {
    const { dir, config } = pipelineDir('out/%{[user_agent]}.ndjson');
    const canary = `sluice-canary-${process.pid}-${Date.now()}`;
    const agents = [
      `../../../../../../../../../tmp/${canary}`,
      `/tmp/${canary}`,
      `..`,
      `../pipeline.yml`,
      `.hidden`,
      `..\\..\\${canary}`,
      `\u202e${canary}`,
      `\uff0e\uff0e\uff0f${canary}`,
      'A'.repeat(300),
    ];
    const time = new Date(Date.UTC(2024, 4, 1));
    const lines = agents.map((agent, i) => lineWithAgent(i + 1, time, agent));
    writeFileSync(join(dir, 'logs', 'alb.log.gz'), gzipSync(`${lines.join('\n')}\n`));
    const configBefore = readFileSync(config, 'utf8');

    const { code, output } = await runOnce(config);

    expect(code, output.slice(-3000)).toBe(0);
    expect(existsSync(`/tmp/${canary}.ndjson`)).toBe(false);
    expect(existsSync(`/tmp/${canary}`)).toBe(false);
    expect(readFileSync(config, 'utf8')).toBe(configBefore);
    const written = linesUnder<Written>(join(dir, 'out'));
    expect(written).toHaveLength(agents.length);
    for (const { path } of written) {
      expect(path.startsWith(join(dir, 'out') + sep)).toBe(true);
      expect(path.split(sep).at(-1)!.startsWith('.')).toBe(false);
    }
    expect(deadLetters(dir)).toEqual([]);
    // Only the checkpoint, the output folder and what the test made are in the pipeline's folder.
    expect(readdirSync(dir).sort()).toEqual(['checkpoint', 'logs', 'out', 'pipeline.yml']);
  }, 90_000);

  it('refuses to start when the path starts with a field', async () => {
    const { config } = pipelineDir('%{[user_agent]}.ndjson');
    const { code, output } = await runOnce(config);
    expect(code).toBe(78);
    expect(output).toContain('the path starts with a field');
  }, 90_000);

  it('writes the records before the cut of a truncated gzip once, and their dead-letter entries once, over its 3 attempts', async () => {
    const { dir, config } = pipelineDir('out/alb.ndjson');
    // Garbage lines every 1000 records; the cut falls after more than two batches of 2000.
    const lines = Array.from({ length: 12_000 }, (_, i) =>
      i % 1000 === 499 ? `garbage line ${i + 1}` : albLine(0, i + 1),
    );
    const whole = gzipSync(`${lines.join('\n')}\n`, { level: 1 });
    writeFileSync(join(dir, 'logs', 'alb.log.gz'), whole.subarray(0, Math.floor(whole.length * 0.6)));

    const { code, output } = await runOnce(config);

    expect(code, output.slice(-3000)).toBe(0);
    expect(output.match(/object failed; retrying/g)).toHaveLength(2);
    const traces = linesUnder<Written>(join(dir, 'out')).map(({ doc }) => doc.trace_id);
    expect(traces.length).toBeGreaterThanOrEqual(4000);
    expect(new Set(traces).size).toBe(traces.length);
    const entries = deadLetters(dir);
    const parseFailures = entries.filter((e) => e.code === 'ERR_RECORD_PARSE').map((e) => e.record);
    expect(parseFailures.length).toBeGreaterThanOrEqual(4);
    expect(new Set(parseFailures).size).toBe(parseFailures.length);
    // The summary says what the quarantined object wrote and dead-lettered before the cut.
    expect(output).toContain(
      `file-run: 0 new object(s), ${traces.length} record(s), ${traces.length} event(s), ${parseFailures.length} dead-lettered, 1 quarantined`,
    );
    expect(entries.filter((e) => e.code === 'ERR_DECOMPRESS')).toEqual([
      expect.objectContaining({ record: 0, reason: expect.stringContaining('after 3 attempts') }),
    ]);
  }, 90_000);
});
