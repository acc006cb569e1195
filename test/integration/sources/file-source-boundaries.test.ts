import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { ndjson } from '../../helpers/run-files.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

describe('the file source at the edges of its folder', () => {
  it('reads only the regular files inside and quarantines a link out of the folder and a name that is not UTF-8, counting each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-file-edges-'));
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    writeFileSync(join(dir, 'secret'), 'root:x:0:0:root:/root:/bin/bash\n');
    writeFileSync(join(logs, 'a.log'), 'first\nsecond\n');
    symlinkSync(join(dir, 'secret'), join(logs, 'passwd'));
    writeFileSync(Buffer.from(`${join(logs, 'caf')}\xe9.log`, 'latin1'), 'latin-1 name\n');
    const config = join(dir, 'pipelines.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: edges
    source: { type: file, path: logs, poll_interval_seconds: 1 }
    parser: { type: lines }
    outputs: [ { type: file, path: out/lines.ndjson } ]
    checkpoint: { type: file, directory: state, flush_interval_seconds: 0.2 }
    dead_letter: { type: file, path: dead-letter.ndjson }
`,
    );
    const port = await freePort();
    const run = startSluice(['run', '--config', config], { SLUICE_HTTP_PORT: String(port) });
    const deadLetter = join(dir, 'dead-letter.ndjson');
    await waitFor(
      () => ndjson(deadLetter).length >= 2 && ndjson(join(dir, 'out', 'lines.ndjson')).length >= 2,
      60_000,
      'the poll',
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${run.output().slice(-3000)}`);
    });
    // A few more polls (1 s apart): a reported file is reported once, not on every poll.
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const lines = ndjson(join(dir, 'out', 'lines.ndjson'));
    expect(lines.map((line) => line.message)).toEqual(['first', 'second']);
    expect(readFileSync(join(dir, 'out', 'lines.ndjson'), 'utf8')).not.toContain('root:x:0:0');
    const entries = ndjson(deadLetter);
    expect(entries).toHaveLength(2);
    expect(entries.map((entry) => [entry.key, entry.code, entry.record]).sort()).toEqual([
      ['caf%E9.log', 'ERR_FILE_REFUSED', 0],
      ['passwd', 'ERR_FILE_REFUSED', 0],
    ]);
    expect(entries.find((entry) => entry.key === 'passwd')!.reason).toContain('symbolic link');
    expect(entries.find((entry) => entry.key === 'caf%E9.log')!.reason).toContain('not valid UTF-8');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('sluice_objects_skipped_total{pipeline="edges",reason="symlink_outside"} 1');
    expect(metrics).toContain('sluice_objects_skipped_total{pipeline="edges",reason="invalid_file_name"} 1');
    const done = (
      JSON.parse(readFileSync(join(dir, 'state', 'edges.json'), 'utf8')) as {
        state: { done: Record<string, { failed?: string }> };
      }
    ).state.done;
    expect(Object.keys(done).sort()).toEqual(['a.log', 'caf%E9.log', 'passwd']);
    expect(done.passwd?.failed).toContain('not retried');
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 120_000);
});
