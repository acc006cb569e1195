import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readSettings } from '../../src/cli/environment.js';
import { validateCommand } from '../../src/cli/validate-command.js';
import { formatConfigWarning, loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { flushIntervalMs, type OpenSearchOutputConfig } from '../../src/outputs/opensearch/opensearch-config.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-config-warnings-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A valid pipeline with two outputs; each case adds lines under the marker. Line numbers refer to this text. */
const VALID = `pipelines:
  - id: alb
    source: { type: s3, bucket: my-logs, start_time: now }
    parser: { type: alb }
    outputs:
      - type: opensearch
        hosts: [https://search.example.com]
        index: alb-%{+YYYY.MM.dd}
        # first
      - type: opensearch
        hosts: [https://other.example.com]
        index: alb-%{+YYYY.MM.dd}
        # second
    checkpoint: { type: s3, bucket: my-checkpoints }
`;

function file(text: string): string {
  const dir = join(root, `case-${counter++}`);
  mkdirSync(dir);
  const path = join(dir, 'p.yml');
  writeFileSync(path, text);
  return path;
}

function withLines(first: string, second = ''): string {
  return VALID.replace('        # first', first ? `        ${first}` : '        # first').replace(
    '        # second',
    second ? `        ${second}` : '        # second',
  );
}

describe('loadConfig warnings', () => {
  it('warns at the key, naming the replacement and its value, when an opensearch output sets flush_interval_ms', async () => {
    const path = file(withLines('flush_interval_ms: 200'));
    const loaded = await loadConfig(path, {});
    expect(loaded.warnings).toEqual([
      {
        file: path,
        line: 9,
        column: 9,
        path: 'pipelines[0].outputs[0].flush_interval_ms',
        message: 'flush_interval_ms is deprecated; use flush_interval_seconds: 0.2',
      },
    ]);
    // The alias still works: the interval it gives is the one used.
    const output = loaded.pipelines[0]!.config.outputs[0] as OpenSearchOutputConfig;
    expect(flushIntervalMs(output)).toBe(200);
  });

  it('returns no warnings when only current keys are used', async () => {
    const loaded = await loadConfig(file(withLines('flush_interval_seconds: 0.5')), {});
    expect(loaded.warnings).toEqual([]);
    expect(flushIntervalMs(loaded.pipelines[0]!.config.outputs[0] as OpenSearchOutputConfig)).toBe(500);
  });

  it('warns once for every output that uses the deprecated key, in file order', async () => {
    const path = file(withLines('flush_interval_ms: 1000', 'flush_interval_ms: 50'));
    const loaded = await loadConfig(path, {});
    expect(loaded.warnings.map(formatConfigWarning)).toEqual([
      `${path}:9:9 pipelines[0].outputs[0].flush_interval_ms: flush_interval_ms is deprecated; use flush_interval_seconds: 1`,
      `${path}:13:9 pipelines[0].outputs[1].flush_interval_ms: flush_interval_ms is deprecated; use flush_interval_seconds: 0.05`,
    ]);
  });

  it('names only the replacement key when the deprecated value comes from the environment', async () => {
    const loaded = await loadConfig(file(withLines('flush_interval_ms: ${FLUSH_MS}')), { FLUSH_MS: '250' });
    expect(loaded.warnings.map((w) => w.message)).toEqual([
      'flush_interval_ms is deprecated; use flush_interval_seconds',
    ]);
    expect(flushIntervalMs(loaded.pipelines[0]!.config.outputs[0] as OpenSearchOutputConfig)).toBe(250);
  });

  it('reports a problem at the deprecated key when its replacement is set as well', async () => {
    const path = file(withLines('flush_interval_seconds: 2\n        flush_interval_ms: 200'));
    const error = await loadConfig(path, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        file: path,
        line: 10,
        column: 9,
        path: 'pipelines[0].outputs[0].flush_interval_ms',
        message: 'flush_interval_ms is deprecated and flush_interval_seconds is set as well; remove flush_interval_ms',
      },
    ]);
  });
});

describe('validateCommand', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
    return { out, err };
  }

  it('prints each warning to stderr and still exits 0 when the config uses a deprecated key', async () => {
    const path = file(withLines('flush_interval_ms: 200'));
    const { out, err } = capture();
    expect(await validateCommand(['--config', path], readSettings({}))).toBe(0);
    expect(out.join('')).toBe('ok: 1 pipeline(s) in 1 file(s): alb\n');
    expect(err.join('')).toBe(
      `warning: ${path}:9:9 pipelines[0].outputs[0].flush_interval_ms: flush_interval_ms is deprecated; use flush_interval_seconds: 0.2\n`,
    );
  });

  it('prints nothing to stderr when there is no warning', async () => {
    const path = file(VALID);
    const { err } = capture();
    expect(await validateCommand(['--config', path], readSettings({}))).toBe(0);
    expect(err).toEqual([]);
  });
});
