import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VARIABLES } from '../../../src/cli/environment.js';
import { dockerCmd, dockerEnv } from '../../helpers/dockerfile.js';
import { freePort } from '../../helpers/free-port.js';
import { listeningAddresses } from '../../helpers/listening-sockets.js';
import { repoRoot, runToExit, spawnProcess } from '../../helpers/process.js';
import { waitFor } from '../../helpers/sluice-process.js';

/**
 * The SLUICE_* variables as a container gets them: the real entrypoint.sh, the real node and
 * the built CLI (`npm run build`), the image's ENV and CMD from the Dockerfile, and a config of
 * three file-source pipelines over the bundled demo logs. Each variable must have its effect;
 * the mapping itself is unit-tested in test/cli/run-options.test.ts.
 */
const entrypoint = resolve(repoRoot, 'entrypoint.sh');
const demoLogs = resolve(repoRoot, 'examples/demo/logs/AWSLogs');
const root = mkdtempSync(join(tmpdir(), 'sluice-container-env-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PIPELINES = ['alb', 'waf', 'alb-copy'];
const pipeline = (id: string, include: string, parser: string, checkpoint = 'state') =>
  [
    `  - id: ${id}`,
    `    source: { type: file, path: ${JSON.stringify(demoLogs)}, include: [${JSON.stringify(include)}] }`,
    `    parser: { type: ${parser} }`,
    `    outputs: [ { type: file, path: out/${id}.ndjson } ]`,
    `    checkpoint: { type: file, directory: ${checkpoint} }`,
  ].join('\n');
const ALB = '**/elasticloadbalancing/**/*.log.gz';
const WAF = '**/WAFLogs/**/*.log.gz';

let dirs = 0;
/** A fresh folder with pipelines.yml (the three pipelines); outputs and checkpoints land beside it. */
function workDir(): { dir: string; config: string } {
  const dir = join(root, `run-${++dirs}`);
  mkdirSync(dir);
  const config = join(dir, 'pipelines.yml');
  writeFileSync(
    config,
    `pipelines:\n${[pipeline('alb', ALB, 'alb'), pipeline('waf', WAF, 'waf'), pipeline('alb-copy', ALB, 'alb')].join('\n')}\n`,
  );
  return { dir, config };
}

/** The image's environment, without anything the test runner itself has set for sluice. */
function containerEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const clean = Object.fromEntries(
    [...VARIABLES.map((v) => v.name as string), 'NODE_OPTIONS'].map((name) => [name, undefined]),
  );
  return {
    ...clean,
    ...dockerEnv(),
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    // Tests run side by side: the image's port 9600 would collide. Off unless a test sets one.
    SLUICE_HTTP_PORT: '0',
    ...env,
  };
}

function launch(args: string[], env: Record<string, string | undefined>, cwd: string) {
  return spawnProcess(entrypoint, args, { cwd, env: containerEnv(env) });
}

async function runContainer(args: string[], env: Record<string, string | undefined>, cwd: string) {
  return runToExit(entrypoint, args, { cwd, env: containerEnv(env), timeoutMs: 60_000 });
}

const outputs = (dir: string) => (existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')).sort() : []);
const startLines = (entries: Record<string, unknown>[]) =>
  entries.filter((e) => typeof e.msg === 'string' && e.msg.startsWith('starting sluice'));

describe('the container environment', () => {
  it("runs every pipeline of SLUICE_CONFIG live with the image's CMD, and drains with SLUICE_SHUTDOWN_TIMEOUT_SECONDS as its budget on SIGTERM", async () => {
    const { dir, config } = workDir();
    const container = launch(dockerCmd(), { SLUICE_CONFIG: config, SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '7' }, dir);
    const started = await container.waitForLogLine({ msg: 'starting sluice run' });
    expect(started).toMatchObject({ command: 'run', argv: ['run'], config, pipelines: [], pid: container.pid });
    await waitFor(() => outputs(dir).length === PIPELINES.length, 30_000, 'an output file from every pipeline');
    container.kill('SIGTERM');
    expect(await container.waitForExit(30_000)).toEqual({ code: 0, signal: null });
    expect(container.logEntries()).toContainEqual(expect.objectContaining({ timeoutMs: 7000 }));
    expect(outputs(dir)).toEqual(['alb-copy.ndjson', 'alb.ndjson', 'waf.ndjson']);
  });

  const selections: Array<[string, string, string[]]> = [
    ['one pipeline per id, trimming spaces and skipping empty items', ' alb, waf,,', ['alb', 'waf']],
    ['a single id', 'waf', ['waf']],
    ['every pipeline when it is empty', '', []],
  ];
  it.each(selections)('runs, from SLUICE_PIPELINES, %s', async (_name, value, ids) => {
    const { dir, config } = workDir();
    const run = await runContainer(['run', '--once'], { SLUICE_CONFIG: config, SLUICE_PIPELINES: value }, dir);
    expect(run.code, run.stderr).toBe(0);
    expect(startLines(run.process.logEntries())).toMatchObject([{ command: 'run', pipelines: ids }]);
    const ran = ids.length > 0 ? ids : PIPELINES;
    expect(outputs(dir)).toEqual(ran.map((id) => `${id}.ndjson`).sort());
    for (const id of ran) expect(run.stdout).toMatch(new RegExp(`${id}: [1-9]\\d* new object`));
  });

  it("runs a backfill instead of the live worker when SLUICE_BACKFILL_FROM is set, with the image's CMD", async () => {
    const { dir, config } = workDir();
    const run = await runContainer(dockerCmd(), { SLUICE_CONFIG: config, SLUICE_BACKFILL_FROM: '2024-05-01' }, dir);
    expect(run.code, run.stderr).toBe(0);
    expect(startLines(run.process.logEntries())).toMatchObject([
      { command: 'backfill', argv: ['run'], from: '2024-05-01T00:00:00.000Z', to: null },
    ]);
    // Every demo object (3 ALB twice, 2 WAF), and only the backfill's own checkpoints.
    expect(run.stdout).toMatch(/backfill done: 8 objects/);
    expect(readdirSync(join(dir, 'state')).every((name) => name.startsWith('backfill-'))).toBe(true);
  });

  it('limits the backfill to [SLUICE_BACKFILL_FROM, SLUICE_BACKFILL_TO) and the pipelines of SLUICE_PIPELINES', async () => {
    const { dir, config } = workDir();
    const run = await runContainer(
      dockerCmd(),
      {
        SLUICE_CONFIG: config,
        SLUICE_BACKFILL_FROM: '2024-05-01T00:00:00Z',
        SLUICE_BACKFILL_TO: '2024-05-01T00:10',
        SLUICE_PIPELINES: 'alb',
      },
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    // Only the ALB object of 00:05: the one of 00:10 is the exclusive end.
    expect(run.stdout).toMatch(/backfill done: 1 objects/);
    expect(outputs(dir)).toEqual(['alb.ndjson']);
  });

  it('runs live when SLUICE_BACKFILL_FROM is empty', async () => {
    const { dir, config } = workDir();
    const run = await runContainer(['run', '--once'], { SLUICE_CONFIG: config, SLUICE_BACKFILL_FROM: '' }, dir);
    expect(run.code, run.stderr).toBe(0);
    expect(startLines(run.process.logEntries())).toMatchObject([{ command: 'run' }]);
    expect(run.stdout).not.toContain('backfill done');
  });

  const usage: Array<[string, Record<string, string>, RegExp]> = [
    [
      'SLUICE_BACKFILL_TO is set without SLUICE_BACKFILL_FROM',
      { SLUICE_BACKFILL_TO: '2024-02-01' },
      /SLUICE_BACKFILL_TO is set without SLUICE_BACKFILL_FROM/,
    ],
    ['SLUICE_HTTP_PORT is not a port', { SLUICE_HTTP_PORT: 'abc' }, /SLUICE_HTTP_PORT="abc": must be a port number/],
    ['SLUICE_LOG_LEVEL is not a level', { SLUICE_LOG_LEVEL: 'loud' }, /SLUICE_LOG_LEVEL="loud": must be one of/],
  ];
  it.each(usage)('exits 64 naming the variable, and starts nothing, when %s', async (_name, env, message) => {
    const { dir, config } = workDir();
    const run = await runContainer(dockerCmd(), { SLUICE_CONFIG: config, ...env }, dir);
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(message);
    expect(run.process.logEntries()).toContainEqual(expect.objectContaining({ level: 'error', code: 'ERR_USAGE' }));
    expect(startLines(run.process.logEntries())).toEqual([]);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('exits 78 with every problem before any checkpoint is touched when the config is invalid', async () => {
    const { dir } = workDir();
    const bad = join(dir, 'bad.yml');
    // One valid pipeline with a checkpoint folder of its own, beside two broken ones.
    writeFileSync(
      bad,
      `pipelines:\n${pipeline('alb', ALB, 'alb', 'good-state')}\n${pipeline('waf', WAF, 'nope')}\n  - id: broken\n    source: { type: file }\n`,
    );
    const run = await runContainer(dockerCmd(), { SLUICE_CONFIG: bad }, dir);
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/bad\.yml:\d+:\d+ pipelines\[1\]\.parser/);
    expect(run.stderr).toMatch(/bad\.yml:\d+:\d+ pipelines\[2\]/);
    expect(run.process.logEntries()).toContainEqual(
      expect.objectContaining({ level: 'fatal', code: 'ERR_CONFIG_INVALID', config: bad }),
    );
    // node started once (no separate validation run), in the entrypoint's process.
    expect(startLines(run.process.logEntries())).toMatchObject([{ pid: run.process.pid }]);
    expect(existsSync(join(dir, 'good-state'))).toBe(false);
    expect(outputs(dir)).toEqual([]);
  });

  it('exits 78 before any checkpoint is touched when SLUICE_PIPELINES names a pipeline the config lacks', async () => {
    const { dir, config } = workDir();
    const run = await runContainer(dockerCmd(), { SLUICE_CONFIG: config, SLUICE_PIPELINES: 'alb,nope' }, dir);
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('no pipeline named nope');
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('logs what starts as one JSON line, and never the environment, when values need escaping', async () => {
    const { dir, config } = workDir();
    const run = await runContainer(
      dockerCmd(),
      { SLUICE_CONFIG: config, SLUICE_PIPELINES: 'we"ird\\id,tab\there', OPENSEARCH_PASSWORD: 'hunter2-secret' },
      dir,
    );
    expect(run.code).toBe(78);
    expect(startLines(run.process.logEntries())).toMatchObject([
      { level: 'info', command: 'run', pipelines: ['we"ird\\id', 'tab\there'] },
    ]);
    expect(`${run.stdout}${run.stderr}`).not.toContain('hunter2-secret');
  });

  it('logs at SLUICE_LOG_LEVEL', async () => {
    const { dir, config } = workDir();
    const quiet = await runContainer(['run', '--once'], { SLUICE_CONFIG: config, SLUICE_LOG_LEVEL: 'warn' }, dir);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.process.logEntries().filter((e) => e.level === 'info')).toEqual([]);
    const fresh = workDir(); // the first run's checkpoint would leave nothing to do
    const chatty = await runContainer(
      ['run', '--once'],
      { SLUICE_CONFIG: fresh.config, SLUICE_LOG_LEVEL: 'debug' },
      fresh.dir,
    );
    expect(chatty.process.logEntries().some((e) => e.level === 'debug')).toBe(true);
  });

  it('serves health and metrics on SLUICE_HTTP_HOST:SLUICE_HTTP_PORT', async () => {
    const { dir, config } = workDir();
    const port = await freePort();
    // Another loopback address: it shows the variable is used without opening anything to the network.
    const container = launch(
      dockerCmd(),
      { SLUICE_CONFIG: config, SLUICE_HTTP_HOST: '127.0.0.2', SLUICE_HTTP_PORT: String(port) },
      dir,
    );
    await container.waitForLogLine({ msg: 'health and metrics endpoints listening' });
    expect(listeningAddresses(port)).toEqual(['127.0.0.2']);
    expect((await fetch(`http://127.0.0.2:${port}/healthz`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    container.kill('SIGTERM');
    expect(await container.waitForExit(30_000)).toEqual({ code: 0, signal: null });
  });

  it('passes other commands through, reading SLUICE_CONFIG and ignoring what only run reads', async () => {
    const { dir, config } = workDir();
    const quoted = join(dir, 'my "configs"', 'a b.yml');
    mkdirSync(dirname(quoted));
    writeFileSync(quoted, readFileSync(config));
    const validate = await runContainer(['validate', '--config', quoted], {}, dir);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('ok: 3 pipeline(s) in 1 file(s): alb, waf, alb-copy');
    const fromEnv = await runContainer(['validate'], { SLUICE_CONFIG: config }, dir);
    expect(fromEnv.stdout).toContain('ok: 3 pipeline(s)');

    const alb = readdirSync(demoLogs, { recursive: true, encoding: 'utf8' }).find((p) =>
      p.endsWith('00000000.log.gz'),
    )!;
    const parse = await runContainer(
      ['parse', '--parser', 'alb', join(demoLogs, alb)],
      { SLUICE_CONFIG: '/ignored', SLUICE_PIPELINES: 'ignored', SLUICE_BACKFILL_FROM: '2024-01-01' },
      dir,
    );
    expect(parse.code, parse.stderr).toBe(0);
    expect(parse.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(0);
    expect(JSON.parse(parse.stdout.split('\n')[0]!)).toHaveProperty('client_ip');
  });
});
