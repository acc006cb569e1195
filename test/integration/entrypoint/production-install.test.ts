import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIABLES } from '../../../src/cli/environment.js';
import { dockerCmd, dockerEnv, dockerHealthcheckCommand } from '../../helpers/dockerfile.js';
import { externalIpv4Addresses, listeningAddresses } from '../../helpers/listening-sockets.js';
import { repoRoot, runToExit, type SpawnedProcess, spawnProcess } from '../../helpers/process.js';

/**
 * What the container's runtime stage does, without Docker: the compiled code, bin/,
 * entrypoint.sh and a production-only `npm ci --omit=dev` in a clean folder; then, launched as
 * the image launches it (its entrypoint, ENV and CMD, the real node), it runs a pipeline (file
 * source over the repo's demo ALB logs, file output, file checkpoint), answers /readyz and
 * /metrics on 127.0.0.1 only, drains on SIGTERM and exits 0.
 */
const run = promisify(execFile);
const app = mkdtempSync(join(tmpdir(), 'sluice-prod-'));
const work = join(app, 'work');
// COPY entrypoint.sh /app/entrypoint.sh: it starts the CLI that sits beside it.
const entrypoint = join(app, 'entrypoint.sh');
const demoLogs = resolve(repoRoot, 'examples/demo/logs');
const albFiles = () =>
  readdirSync(demoLogs, { recursive: true, encoding: 'utf8' }).filter(
    (path) => path.includes('elasticloadbalancing') && path.endsWith('.log.gz'),
  );

afterAll(() => rmSync(app, { recursive: true, force: true }));

beforeAll(async () => {
  // Build from the committed tree, as a fresh clone (CI, `docker build`) would: uncommitted
  // work of others in the shared work tree must not decide whether the image builds.
  const source = join(app, 'source');
  mkdirSync(source);
  const files = [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'bin',
    'src',
    'entrypoint.sh',
  ];
  const archive = await run('git', ['archive', '--format=tar', 'HEAD', ...files], {
    cwd: repoRoot,
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  await new Promise<void>((resolveTar, rejectTar) => {
    const tar = execFile('tar', ['-x', '-C', source], (error) => (error ? rejectTar(error) : resolveTar()));
    tar.stdin!.end(archive.stdout);
  });
  symlinkSync(resolve(repoRoot, 'node_modules'), join(source, 'node_modules'));
  // `npm run build` (the Dockerfile's build stage), emitting into the app folder.
  await run(
    process.execPath,
    [resolve(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')],
    { cwd: source },
  ).catch((error: { stdout?: string; message: string }) => {
    throw new Error(`tsc failed: the image build would fail too\n${error.stdout ?? error.message}`);
  });
  // The runtime stage: package files, bin/ and the entrypoint, then production dependencies only.
  for (const file of ['package.json', 'package-lock.json', 'bin', 'entrypoint.sh']) {
    cpSync(join(source, file), join(app, file), { recursive: true });
  }
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: app,
    env: { ...process.env, NODE_ENV: 'production' },
    maxBuffer: 10 * 1024 * 1024,
  });
  mkdirSync(work);
  writeFileSync(
    join(work, 'pipelines.yml'),
    [
      'pipelines:',
      '  - id: demo-alb',
      '    source:',
      '      type: file',
      `      path: ${JSON.stringify(demoLogs)}`,
      "      include: ['**/elasticloadbalancing/**/*.log.gz']",
      '    parser:',
      '      type: alb',
      '    outputs:',
      '      - type: file',
      '        path: out/alb.ndjson',
      '    checkpoint:',
      '      type: file',
      '      directory: state',
      '',
    ].join('\n'),
  );
  // Broken, beside a valid pipeline whose checkpoint folder must never be created.
  writeFileSync(
    join(work, 'bad.yml'),
    [
      'pipelines:',
      '  - id: demo-alb',
      '    source:',
      '      type: file',
      '    parser:',
      '      type: nope',
      '  - id: fine',
      `    source: { type: file, path: ${JSON.stringify(demoLogs)} }`,
      '    parser: { type: alb }',
      '    outputs: [ { type: file, path: out/fine.ndjson } ]',
      '    checkpoint: { type: file, directory: bad-state }',
      '',
    ].join('\n'),
  );
}, 180_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as { port: number };
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

/** V8's heap limit, in MB as sluice logs it, for this node with these heap sizes. */
async function heapLimitMbWith(oldSpaceMb: number, semiSpaceMb: number): Promise<number> {
  const { stdout } = await run(process.execPath, [
    `--max-old-space-size=${oldSpaceMb}`,
    `--max-semi-space-size=${semiSpaceMb}`,
    '-p',
    'require("node:v8").getHeapStatistics().heap_size_limit',
  ]);
  return Math.round(Number(stdout.trim()) / 2 ** 20);
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function metricValue(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const outputLines = () => {
  try {
    return readFileSync(join(work, 'out/alb.ndjson'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

/**
 * The environment of the image (its ENV) with the test's own settings on top, and nothing the
 * test runner itself set for sluice. `node` is this node, found on PATH as in the image.
 */
function imageEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const clean = Object.fromEntries(
    [...VARIABLES.map((v) => v.name as string), 'NODE_OPTIONS'].map((name) => [name, undefined]),
  );
  return { ...clean, ...dockerEnv(), PATH: `${dirname(process.execPath)}:${process.env.PATH}`, ...env };
}

/** Starts the entrypoint as the image does (ENV, CMD), with the real node and the installed app. */
async function startContainer(config = join(work, 'pipelines.yml')) {
  const port = await freePort();
  const container = spawnProcess(entrypoint, dockerCmd(), {
    cwd: dirname(config),
    env: imageEnv({
      SLUICE_CONFIG: config,
      // The image's port (9600) would collide with tests running beside this one.
      SLUICE_HTTP_PORT: String(port),
      // A drain budget far past the bound of expectPromptExit: only a prompt exit passes it, however loaded the machine.
      SLUICE_SHUTDOWN_TIMEOUT_SECONDS: String(IDLE_DRAIN_BUDGET_SECONDS),
      SLUICE_PIPELINES: 'demo-alb',
    }),
  });
  const base = `http://127.0.0.1:${port}`;
  return { container, base, port };
}

/** The drain budget of the containers started here: out of reach of the exit bound below. */
const IDLE_DRAIN_BUDGET_SECONDS = 300;

/**
 * SIGTERM on an idle worker: the drain has nothing in flight, so the process must exit 0 at
 * once, not when the drain budget runs out (25 s in production; ECS waits for it on every
 * deploy). An exit takes about a second on a quiet machine; the bound leaves room for a loaded one.
 */
async function expectPromptExit(container: SpawnedProcess): Promise<void> {
  const signalledAt = Date.now();
  container.kill('SIGTERM');
  expect(await container.waitForExit(60_000)).toEqual({ code: 0, signal: null });
  const seconds = (Date.now() - signalledAt) / 1000;
  expect(seconds, 'exit after an idle drain took this long: a pending timer keeps node alive').toBeLessThan(30);
}

describe('production install', () => {
  it('holds only production dependencies when installed with npm ci --omit=dev', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    // What only development needs, as the lockfile marks it: every devDependency (and what only
    // they pull in) but one a runtime package needs too (@smithy/signature-v4, the AWS SDK's).
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => entry.dev === true && path.startsWith('node_modules/'))
      .map(([path]) => path);
    expect(devOnly).toEqual(expect.arrayContaining(['node_modules/typescript', 'node_modules/vitest']));
    const present = devOnly.filter((path) => existsSync(join(app, path)));
    expect(present, 'development-only packages installed by npm ci --omit=dev').toEqual([]);
    for (const dependency of Object.keys(manifest.dependencies)) {
      expect(readdirSync(join(app, 'node_modules', ...dependency.split('/').slice(0, -1)))).toContain(
        dependency.split('/').at(-1),
      );
    }
  });

  it('stops the container with 78 and every problem, in one node start, before any checkpoint, when the config is invalid', async () => {
    const result = await runToExit(entrypoint, dockerCmd(), {
      cwd: work,
      env: imageEnv({ SLUICE_CONFIG: join(work, 'bad.yml') }),
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/bad\.yml:\d+:\d+ /);
    expect(result.process.logEntries()).toContainEqual(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
    const starts = result.process.logEntries().filter((e) => e.msg === 'starting sluice run');
    expect(starts).toMatchObject([{ pid: result.process.pid }]);
    expect(existsSync(join(work, 'bad-state'))).toBe(false);
  });

  it('serves /healthz on 127.0.0.1 only, not on the other addresses of the machine, and passes its own health check', async () => {
    // A folder of its own: its checkpoint must not mark the demo logs done for the next test.
    const own = join(app, 'health');
    mkdirSync(own);
    cpSync(join(work, 'pipelines.yml'), join(own, 'pipelines.yml'));
    const { container, base, port } = await startContainer(join(own, 'pipelines.yml'));
    await eventually(async () => ((await fetch(`${base}/healthz`)).status === 200 ? true : undefined), '/healthz 200');
    // What the kernel has bound for the port, whatever the process asked for.
    expect(listeningAddresses(port)).toEqual(['127.0.0.1']);
    for (const address of externalIpv4Addresses()) {
      await expect(fetch(`http://${address}:${port}/healthz`), `${address} must not answer`).rejects.toThrow();
    }
    // The Dockerfile's HEALTHCHECK, run with the container's environment, as Docker and ECS run it.
    const [command, ...args] = dockerHealthcheckCommand();
    expect(command).toBe('node');
    const probe = await runToExit(process.execPath, args, { env: imageEnv({ SLUICE_HTTP_PORT: String(port) }) });
    expect(probe.code).toBe(0);
    await expectPromptExit(container);
  });

  it('ingests the demo logs through the entrypoint, serves health and metrics, and exits 0 on SIGTERM', async () => {
    const expectedRecords = albFiles()
      .map(
        (path) =>
          gunzipSync(readFileSync(join(demoLogs, path)))
            .toString('utf8')
            .split('\n')
            .filter(Boolean).length,
      )
      .reduce((a, b) => a + b, 0);
    expect(expectedRecords).toBeGreaterThan(0);

    const { container, base } = await startContainer();
    const started = await container.waitForLogLine({ msg: 'starting sluice run', command: 'run' });
    // node is the entrypoint process itself (exec), with the entrypoint's heap sizes.
    expect(started).toMatchObject({ pid: container.pid, pipelines: ['demo-alb'] });
    expect(started.heapLimitMb).toBe(await heapLimitMbWith(128, 8));
    const ready = await eventually(async () => {
      const response = await fetch(`${base}/readyz`);
      return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
    }, '/readyz 200');
    // Ready already while it waits for its lease, which it then takes: nobody else holds it.
    expect(ready).toMatchObject({ ready: true, live: true });
    expect(['running', 'waiting_for_lease']).toContain(
      (ready.pipelines as Record<string, { state: string }>)['demo-alb']!.state,
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    await eventually(
      async () => (outputLines().length >= expectedRecords ? true : undefined),
      'every record in the output',
    );
    const metrics = await eventually(async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return metricValue(text, 'sluice_objects_processed_total', 'pipeline="demo-alb"') === albFiles().length
        ? text
        : undefined;
    }, 'objects processed in /metrics');
    expect(metricValue(metrics, 'sluice_records_parsed_total', 'pipeline="demo-alb"')).toBe(expectedRecords);
    const running = (await (await fetch(`${base}/readyz`)).json()) as { pipelines: Record<string, { state: string }> };
    expect(running.pipelines['demo-alb']!.state).toBe('running');

    await expectPromptExit(container);
    expect(outputLines()).toHaveLength(expectedRecords);
    expect(container.logEntries()).toContainEqual(
      expect.objectContaining({ msg: 'sluice stopped', events: expectedRecords }),
    );

    // A second start finds the checkpoint: nothing is read or written again.
    const again = await startContainer();
    await eventually(
      async () => ((await fetch(`${again.base}/readyz`)).status === 200 ? true : undefined),
      'second /readyz 200',
    );
    await expectPromptExit(again.container);
    expect(outputLines()).toHaveLength(expectedRecords);
    expect(again.container.logEntries()).toContainEqual(expect.objectContaining({ msg: 'sluice stopped', events: 0 }));
  });
});
