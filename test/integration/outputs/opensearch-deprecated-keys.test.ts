import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSearchUrl, uniqueName } from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';

describe('sluice run with a deprecated opensearch key', () => {
  it('logs a warning at the key with file:line:col and still runs when flush_interval_ms is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-deprecated-'));
    mkdirSync(join(dir, 'logs'));
    const path = join(dir, 'pipeline.yml');
    writeFileSync(
      path,
      `pipelines:
  - id: deprecated
    source: { type: file, path: logs }
    parser: { type: alb }
    outputs:
      - type: opensearch
        hosts: ["${openSearchUrl()}"]
        index: ${uniqueName('deprecated')}
        flush_interval_ms: 200
    checkpoint: { type: file, directory: state }
`,
    );
    const run = startSluice(['run', '--once', '--config', path]);
    const { code } = await run.exited;
    expect(code).toBe(0);
    const warning = run
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => String(entry.msg).startsWith('config warning'));
    expect(warning).toMatchObject({
      level: 'warn',
      file: path,
      line: 9,
      column: 9,
      path: 'pipelines[0].outputs[0].flush_interval_ms',
      msg: `config warning: ${path}:9:9 pipelines[0].outputs[0].flush_interval_ms: flush_interval_ms is deprecated; use flush_interval_seconds: 0.2`,
    });
  });
});
