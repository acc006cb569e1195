import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJsonLine, repoRoot, runToExit, spawnProcess } from '../../helpers/process.js';

const entrypoint = resolve(repoRoot, 'entrypoint.sh');
const fakeNode = resolve(import.meta.dirname, 'fixtures/fake-node.mjs');
const workDir = mkdtempSync(join(tmpdir(), 'sluice-entrypoint-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface Invocation {
  argv: string[];
  pid: number;
  env: Record<string, string>;
  signal?: string;
  waiting?: boolean;
}

let runs = 0;
/** Runs entrypoint.sh with the fake node under `shell` and returns its exit and every node invocation. */
async function runEntrypoint(shell: string, env: Record<string, string | undefined>, args: string[] = []) {
  const log = join(workDir, `invocations-${++runs}.jsonl`);
  writeFileSync(log, '');
  const result = await runToExit(shell, [entrypoint, ...args], {
    env: {
      // A clean slate: the test runner's own SLUICE_* variables must not leak into the mapping.
      ...Object.fromEntries(
        Object.keys(process.env)
          .filter((n) => n.startsWith('SLUICE_'))
          .map((n) => [n, undefined]),
      ),
      SLUICE_NODE: fakeNode,
      FAKE_NODE_LOG: log,
      ...env,
    },
    timeoutMs: 15_000,
  });
  const invocations = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Invocation);
  return { ...result, invocations, pid: result.process.pid };
}

const cli = '/app/bin/sluice.js';
const defaultConfig = ['--config', '/etc/sluice/pipelines'];

// [case, environment, container arguments, expected CLI arguments of the final command]
const mappings: Array<[string, Record<string, string>, string[], string[]]> = [
  ['runs all pipelines of the default config when no flag is set', {}, [], ['run', ...defaultConfig]],
  [
    'passes SLUICE_CONFIG as --config',
    { SLUICE_CONFIG: '/config/alb.yml' },
    [],
    ['run', '--config', '/config/alb.yml'],
  ],
  [
    'passes one --pipeline per id in SLUICE_PIPELINES, trimming spaces and skipping empty items',
    { SLUICE_PIPELINES: ' alb, waf,,cloudtrail ,' },
    [],
    ['run', ...defaultConfig, '--pipeline', 'alb', '--pipeline', 'waf', '--pipeline', 'cloudtrail'],
  ],
  ['passes a single pipeline id', { SLUICE_PIPELINES: 'alb' }, [], ['run', ...defaultConfig, '--pipeline', 'alb']],
  ['runs when SLUICE_PIPELINES is empty', { SLUICE_PIPELINES: '' }, [], ['run', ...defaultConfig]],
  [
    'runs a backfill from SLUICE_BACKFILL_FROM',
    { SLUICE_BACKFILL_FROM: '2024-01-01' },
    [],
    ['backfill', '--from', '2024-01-01', ...defaultConfig],
  ],
  [
    'runs a backfill over SLUICE_BACKFILL_FROM..SLUICE_BACKFILL_TO with config and pipelines',
    {
      SLUICE_BACKFILL_FROM: '2024-01-01T00:00:00Z',
      SLUICE_BACKFILL_TO: '2024-02-01',
      SLUICE_CONFIG: '/config',
      SLUICE_PIPELINES: 'alb,waf',
    },
    [],
    [
      'backfill',
      '--from',
      '2024-01-01T00:00:00Z',
      '--to',
      '2024-02-01',
      '--config',
      '/config',
      '--pipeline',
      'alb',
      '--pipeline',
      'waf',
    ],
  ],
  ['runs live when SLUICE_BACKFILL_FROM is empty', { SLUICE_BACKFILL_FROM: '' }, [], ['run', ...defaultConfig]],
  [
    'passes container arguments through unchanged',
    { SLUICE_CONFIG: '/ignored', SLUICE_PIPELINES: 'ignored', SLUICE_BACKFILL_FROM: '2024-01-01' },
    ['parse', '--parser', 'alb', '-'],
    ['parse', '--parser', 'alb', '-'],
  ],
  [
    'passes arguments with spaces and quotes through unchanged',
    {},
    ['validate', '--config', '/my "configs"/a b.yml'],
    ['validate', '--config', '/my "configs"/a b.yml'],
  ],
];

// dash is /bin/sh on Debian (the image); bash checks nothing relies on dash quirks either.
describe.each(['/bin/sh', 'bash'])('entrypoint.sh under %s', (shell) => {
  it.each(mappings)('%s', async (_name, env, args, expected) => {
    const run = await runEntrypoint(shell, env, args);
    expect(run.code, run.stderr).toBe(0);
    const final = run.invocations.at(-1)!;
    expect(final.argv).toEqual([cli, ...expected]);
    // exec: the final node process is the entrypoint process itself, so SIGTERM reaches it.
    expect(final.pid).toBe(run.pid);
    if (args.length > 0) {
      expect(run.invocations).toHaveLength(1);
    } else {
      const config = env.SLUICE_CONFIG || '/etc/sluice/pipelines';
      expect(run.invocations.map((i) => i.argv)).toEqual([[cli, 'validate', '--config', config], final.argv]);
      expect(run.invocations[0]!.pid).not.toBe(run.pid);
    }
    const started = run.process.logEntries().find((entry) => entry.msg === `starting sluice ${expected[0]}`);
    expect(started).toMatchObject({ level: 'info', component: 'entrypoint', command: expected[0], argv: expected });
  });

  it('exits 78 with the validator messages and does not start when the config is invalid', async () => {
    const run = await runEntrypoint(shell, { FAKE_VALIDATE_EXIT: '78', SLUICE_CONFIG: '/config/bad.yml' });
    expect(run.code).toBe(78);
    expect(run.invocations.map((i) => i.argv)).toEqual([[cli, 'validate', '--config', '/config/bad.yml']]);
    expect(run.stderr).toContain('pipelines/alb.yml:3:5 pipelines[0].source.bucket: Required');
    expect(run.process.logEntries()).toContainEqual(
      expect.objectContaining({ level: 'error', code: 'ERR_CONFIG_INVALID', config: '/config/bad.yml', exitCode: 78 }),
    );
  });

  it('exits with the validator code when validation crashes', async () => {
    const run = await runEntrypoint(shell, { FAKE_VALIDATE_EXIT: '1' });
    expect(run.code).toBe(1);
    expect(run.invocations).toHaveLength(1);
  });

  it('exits 64 without running node when SLUICE_BACKFILL_TO is set without SLUICE_BACKFILL_FROM', async () => {
    const run = await runEntrypoint(shell, { SLUICE_BACKFILL_TO: '2024-02-01' });
    expect(run.code).toBe(64);
    expect(run.invocations).toEqual([]);
    expect(run.process.logEntries()).toContainEqual(expect.objectContaining({ level: 'error', code: 'ERR_USAGE' }));
  });

  it('uses SLUICE_APP_DIR to find the CLI', async () => {
    const run = await runEntrypoint(shell, { SLUICE_APP_DIR: '/opt/sluice' });
    expect(run.invocations.map((i) => i.argv[0])).toEqual(['/opt/sluice/bin/sluice.js', '/opt/sluice/bin/sluice.js']);
  });

  it('leaves the flags node reads itself in its environment', async () => {
    const flags = { SLUICE_HTTP_PORT: '9700', SLUICE_LOG_LEVEL: 'debug', SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '20' };
    const run = await runEntrypoint(shell, flags);
    expect(run.invocations.at(-1)!.env).toMatchObject(flags);
  });

  it('logs the command as one valid JSON line and never the environment when values need escaping', async () => {
    const run = await runEntrypoint(shell, {
      SLUICE_PIPELINES: 'we"ird\\id,tab\there',
      OPENSEARCH_PASSWORD: 'hunter2-secret',
    });
    expect(run.code).toBe(0);
    const starts = run.stderr.split('\n').filter((line) => line.includes('"component":"entrypoint"'));
    expect(starts).toHaveLength(1);
    expect(parseJsonLine(starts[0]!)).toMatchObject({
      argv: ['run', ...defaultConfig, '--pipeline', 'we"ird\\id', '--pipeline', 'tab\there'],
    });
    expect(run.stderr).not.toContain('hunter2-secret');
  });

  it('delivers SIGTERM to node, which exits 0, when the entrypoint process is signalled', async () => {
    const log = join(workDir, `sigterm-${shell.replace(/\W/g, '')}.jsonl`);
    writeFileSync(log, '');
    const child = spawnProcess(shell, [entrypoint], {
      env: { SLUICE_NODE: fakeNode, FAKE_NODE_LOG: log, FAKE_WAIT_FOR_SIGTERM: '1', SLUICE_BACKFILL_FROM: undefined },
    });
    await child.waitForLine('waiting for SIGTERM', { stream: 'stdout' });
    child.kill('SIGTERM');
    expect(await child.waitForExit(10_000)).toEqual({ code: 0, signal: null });
    const invocations = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Invocation);
    expect(invocations.at(-1)).toMatchObject({
      pid: child.pid,
      signal: 'SIGTERM',
      argv: [cli, 'run', ...defaultConfig],
    });
  });
});
