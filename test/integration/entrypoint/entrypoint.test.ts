import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runToExit, spawnProcess } from '../../helpers/process.js';

/**
 * entrypoint.sh itself: what it must do is what only a shell before node can do. It hands the
 * container's arguments and environment to node unchanged, in the same process (exec), with
 * the heap sizes in NODE_OPTIONS. Which command runs and what each SLUICE_* variable does is the
 * CLI's (test/cli/, and container-environment.test.ts with the real CLI).
 */
const entrypoint = resolve(repoRoot, 'entrypoint.sh');
const fakeNode = resolve(import.meta.dirname, 'fixtures/fake-node.mjs');
const workDir = mkdtempSync(join(tmpdir(), 'sluice-entrypoint-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

// The `node` the entrypoint finds on PATH: the real node running the fake, in the same process.
const fakeBin = join(workDir, 'bin');
mkdirSync(fakeBin);
writeFileSync(
  join(fakeBin, 'node'),
  `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(fakeNode)} "$@"\n`,
);
chmodSync(join(fakeBin, 'node'), 0o755);

interface Invocation {
  argv: string[];
  pid: number;
  env: Record<string, string>;
  nodeOptions: string | null;
  heapLimit: number;
  signal?: string;
}

/** The test runner's own SLUICE_* and NODE_OPTIONS must not leak into what the entrypoint sees. */
const cleanSlate = Object.fromEntries(
  Object.keys(process.env)
    .filter((name) => name.startsWith('SLUICE_') || name === 'NODE_OPTIONS')
    .map((name) => [name, undefined]),
);

function readInvocations(log: string): Invocation[] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Invocation);
}

let runs = 0;
/** Runs the entrypoint under `shell` with the fake node and returns its exit and every node invocation. */
async function runEntrypoint(
  shell: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
  script = entrypoint,
) {
  const log = join(workDir, `invocations-${++runs}.jsonl`);
  writeFileSync(log, '');
  const result = await runToExit(shell, [script, ...args], {
    env: { ...cleanSlate, PATH: `${fakeBin}:${process.env.PATH}`, FAKE_NODE_LOG: log, ...env },
    timeoutMs: 15_000,
  });
  return { ...result, invocations: readInvocations(log), pid: result.process.pid };
}

const heapLimits = new Map<string, number>();
/** V8's heap limit for this node started with these heap flags (what NODE_OPTIONS must yield). */
function heapLimitWith(oldSpaceMb: number, semiSpaceMb: number): number {
  const flags = [`--max-old-space-size=${oldSpaceMb}`, `--max-semi-space-size=${semiSpaceMb}`];
  const key = flags.join(' ');
  if (!heapLimits.has(key)) {
    const out = execFileSync(process.execPath, [
      ...flags,
      '-p',
      'require("node:v8").getHeapStatistics().heap_size_limit',
    ]);
    heapLimits.set(key, Number(out.toString().trim()));
  }
  return heapLimits.get(key)!;
}

const cli = resolve(repoRoot, 'bin/sluice.js');
const flags = {
  SLUICE_CONFIG: '/config/alb.yml',
  SLUICE_PIPELINES: ' alb, waf,,',
  SLUICE_BACKFILL_FROM: '2024-01-01',
  SLUICE_BACKFILL_TO: '2024-02-01',
  SLUICE_HTTP_PORT: '9700',
  SLUICE_HTTP_HOST: '127.0.0.1',
  SLUICE_LOG_LEVEL: 'debug',
  SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '20',
};

// [case, container arguments]
const passThrough: Array<[string, string[]]> = [
  ['no arguments (the image passes its CMD, run)', []],
  ['the command alone', ['run']],
  ['another command with options', ['parse', '--parser', 'alb', '-']],
  ['arguments with spaces and quotes', ['validate', '--config', '/my "configs"/a b.yml']],
  ['empty arguments, tabs and glob characters', ['run', '', 'a\tb', '*', '$HOME']],
];

// dash is /bin/sh on Debian (the image); bash checks nothing relies on dash quirks either.
describe.each(['/bin/sh', 'bash'])('entrypoint.sh under %s', (shell) => {
  it.each(passThrough)('starts node once, in its own process, with %s unchanged', async (_name, args) => {
    const run = await runEntrypoint(shell, flags, args);
    expect(run.code, run.stderr).toBe(0);
    // One node start: no validate-then-run, and exec, so node is the entrypoint process itself.
    expect(run.invocations).toHaveLength(1);
    const [node] = run.invocations;
    expect(node!.argv).toEqual([cli, ...args]);
    expect(node!.pid).toBe(run.pid);
    // Every SLUICE_* variable reaches node as given: mapping them is the CLI's job.
    expect(node!.env).toEqual(flags);
    // Nothing of its own on stdout or stderr: what the container logs comes from sluice.
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('');
  });

  it('sets a 128 MB old space and 8 MB semi-spaces through NODE_OPTIONS when the variables are unset or empty', async () => {
    for (const value of [undefined, '']) {
      const env = { SLUICE_MAX_OLD_SPACE_MB: value, SLUICE_MAX_SEMI_SPACE_MB: value };
      const [node] = (await runEntrypoint(shell, env)).invocations;
      expect(node!.nodeOptions).toBe('--max-old-space-size=128 --max-semi-space-size=8');
      expect(node!.heapLimit).toBe(heapLimitWith(128, 8));
    }
  });

  it('sizes the heap with SLUICE_MAX_OLD_SPACE_MB and SLUICE_MAX_SEMI_SPACE_MB', async () => {
    const env = { SLUICE_MAX_OLD_SPACE_MB: '256', SLUICE_MAX_SEMI_SPACE_MB: '32' };
    const [node] = (await runEntrypoint(shell, env)).invocations;
    expect(node!.nodeOptions).toBe('--max-old-space-size=256 --max-semi-space-size=32');
    expect(node!.heapLimit).toBe(heapLimitWith(256, 32));
    // Each flag has its effect (the limit counts the young generation too).
    expect(heapLimitWith(256, 32)).not.toBe(heapLimitWith(256, 8));
    expect(heapLimitWith(256, 32)).not.toBe(heapLimitWith(128, 32));
  });

  it("keeps the caller's NODE_OPTIONS, whose own heap flags win", async () => {
    const nodeOptions = '--max-old-space-size=300 --max-semi-space-size=16 --no-warnings';
    const [node] = (await runEntrypoint(shell, { NODE_OPTIONS: nodeOptions })).invocations;
    expect(node!.nodeOptions).toBe(`--max-old-space-size=128 --max-semi-space-size=8 ${nodeOptions}`);
    expect(node!.heapLimit).toBe(heapLimitWith(300, 16));
    expect(heapLimitWith(300, 16)).not.toBe(heapLimitWith(128, 8));
  });

  it.each([78, 64, 1])("exits with node's exit code %i", async (code) => {
    const run = await runEntrypoint(shell, { FAKE_EXIT: String(code) });
    expect(run.code).toBe(code);
    expect(run.invocations).toHaveLength(1);
  });

  it('starts the CLI that sits beside it (the image has /app/entrypoint.sh and /app/bin)', async () => {
    const app = join(workDir, `app-${shell.replace(/\W/g, '')}`);
    mkdirSync(app, { recursive: true });
    copyFileSync(entrypoint, join(app, 'entrypoint.sh'));
    const run = await runEntrypoint(shell, {}, ['run'], join(app, 'entrypoint.sh'));
    expect(run.invocations.map((i) => i.argv)).toEqual([[join(app, 'bin/sluice.js'), 'run']]);
  });

  it('delivers SIGTERM to node, which exits 0, when the entrypoint process is signalled', async () => {
    const log = join(workDir, `sigterm-${shell.replace(/\W/g, '')}.jsonl`);
    writeFileSync(log, '');
    const child = spawnProcess(shell, [entrypoint, 'run'], {
      env: { ...cleanSlate, PATH: `${fakeBin}:${process.env.PATH}`, FAKE_NODE_LOG: log, FAKE_WAIT_FOR_SIGTERM: '1' },
    });
    await child.waitForLine('waiting for SIGTERM', { stream: 'stdout' });
    child.kill('SIGTERM');
    expect(await child.waitForExit(10_000)).toEqual({ code: 0, signal: null });
    expect(readInvocations(log).at(-1)).toMatchObject({ pid: child.pid, signal: 'SIGTERM', argv: [cli, 'run'] });
  });
});
