import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT } from '../../../src/cli/environment.js';
import { freePort } from '../../helpers/free-port.js';
import { ImageRoot } from '../../helpers/image-root.js';
import { listeningAddresses } from '../../helpers/listening-sockets.js';
import { repoRoot, runToExit } from '../../helpers/process.js';
import { waitFor } from '../../helpers/sluice-process.js';

/**
 * The built image (scripts/image.sh build; SLUICE_IMAGE, default localhost/sluice:test), run
 * as it runs in a container: its ENTRYPOINT (tini as PID 1, then entrypoint.sh), ENV, CMD,
 * WORKDIR and USER (uid 10001), in its own filesystem (test/helpers/image-root.ts explains why
 * not `podman run`). Run by `scripts/image.sh smoke`, not by `npm test`: it needs root, podman
 * and the image.
 */
const IMAGE = process.env.SLUICE_IMAGE ?? 'localhost/sluice:test';
const LABEL = `sluice-smoke=${process.env.SLUICE_SMOKE_RUN ?? process.pid}`;
const UID = 10001;
const scratch = mkdtempSync(join(tmpdir(), 'sluice-image-'));
let image: ImageRoot;

beforeAll(async () => {
  image = await ImageRoot.create(IMAGE, LABEL);
});
afterAll(async () => {
  await image?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

/** Every `${NAME}` (no default) the baked pipelines interpolate, outside comments. */
function requiredVariables(): string[] {
  const dir = resolve(repoRoot, 'pipelines');
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim().startsWith('#')) continue;
      for (const match of line.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) names.add(match[1]!);
    }
  }
  return [...names].sort();
}

const PIPELINES = `pipelines:
  - id: files-alb
    source: { type: file, path: logs/AWSLogs, include: ["**/elasticloadbalancing/**/*.log.gz"] }
    parser: { type: alb }
    filters: [ { type: date, field: time } ]
    outputs: [ { type: file, path: out/alb.ndjson } ]
    checkpoint: { type: file, directory: checkpoint }
  - id: files-waf
    source: { type: file, path: logs/AWSLogs, include: ["**/WAFLogs/**/*.log.gz"] }
    parser: { type: waf }
    outputs: [ { type: file, path: out/waf.ndjson } ]
    checkpoint: { type: file, directory: checkpoint }
`;

let folders = 0;
/** A folder with pipelines.yml (relative paths) and the demo logs; uid 10001 may write in it. */
function dataFolder(owner?: number): string {
  const dir = join(scratch, `data-${++folders}`);
  cpSync(resolve(repoRoot, 'examples/demo/logs'), join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'pipelines.yml'), PIPELINES);
  if (owner !== undefined) execFileSync('chown', ['-R', `${owner}:${owner}`, dir]);
  return dir;
}

/** V8's heap limit, in MB as sluice logs it, of the image's node started with these heap sizes. */
async function imageHeapLimitMb(oldSpaceMb: string, semiSpaceMb: string): Promise<number> {
  const program = 'console.log(require("node:v8").getHeapStatistics().heap_size_limit)';
  const probe = image.launch([], {
    entrypoint: ['node', `--max-old-space-size=${oldSpaceMb}`, `--max-semi-space-size=${semiSpaceMb}`, '-e', program],
  });
  expect(await probe.process.waitForExit(30_000)).toEqual({ code: 0, signal: null });
  return Math.round(Number(probe.process.stdout.trim()) / 2 ** 20);
}

const sortedLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').sort();

describe('the image', () => {
  it('runs as uid 10001 with tini as PID 1 and the Node release of .nvmrc', async () => {
    const probe = image.launch(undefined, {
      entrypoint: ['/usr/bin/tini', '--', '/bin/sh', '-c', 'echo "$PPID $(id -u) $(node --version)"'],
    });
    expect(await probe.process.waitForExit(30_000)).toEqual({ code: 0, signal: null });
    const nvmrc = readFileSync(resolve(repoRoot, '.nvmrc'), 'utf8').trim();
    expect(probe.process.stdout.trim()).toBe(`1 ${UID} v${nvmrc}`);
  });

  it('prints its usage for --help', async () => {
    const help = image.launch(['--help']);
    expect(await help.process.waitForExit(30_000)).toEqual({ code: 0, signal: null });
    expect(help.process.stdout).toContain('Usage: sluice <command> [options]');
  });

  it('exits 78 naming every unset variable when validating the baked pipelines', async () => {
    const validate = image.launch(['validate']);
    expect(await validate.process.waitForExit(30_000)).toEqual({ code: 78, signal: null });
    const required = requiredVariables();
    expect(required).toEqual(expect.arrayContaining(['ALB_LOG_BUCKET', 'SLUICE_STATE_BUCKET']));
    for (const name of required) {
      expect(validate.process.stderr, name).toContain(`environment variable ${name} is not set`);
    }
    expect(validate.process.stderr).toContain('problem(s) in /etc/sluice/pipelines');
  });

  it('runs a mounted file-source pipeline to completion with run --once, writing the events the checkout writes', async () => {
    const data = dataFolder(UID);
    const once = image.launch(['run', '--once'], {
      env: { SLUICE_CONFIG: '/data/pipelines.yml', SLUICE_HTTP_PORT: '0' },
      binds: [{ host: data, target: '/data' }],
    });
    const status = await once.process.waitForExit(60_000);
    expect(status, once.process.stderr).toEqual({ code: 0, signal: null });
    const stopped = once.process.logEntries().find((entry) => entry.msg === 'sluice stopped');
    expect(stopped).toMatchObject({ objects: 5, events: 720, failed: 0 });

    // The same pipelines from this checkout (bin/ + dist/) on this machine's node.
    const expected = dataFolder();
    const local = await runToExit(
      process.execPath,
      [resolve(repoRoot, 'bin/sluice.js'), 'run', '--once', '--config', join(expected, 'pipelines.yml')],
      { env: { SLUICE_HTTP_PORT: '0', SLUICE_CONFIG: undefined }, timeoutMs: 60_000 },
    );
    expect(local.code, local.stderr).toBe(0);
    for (const file of ['alb.ndjson', 'waf.ndjson']) {
      const events = sortedLines(join(data, 'out', file));
      expect(events).toHaveLength(file === 'alb.ndjson' ? 600 : 120);
      expect(events).toEqual(sortedLines(join(expected, 'out', file)));
    }
    // Written by the worker's uid, into the mounted folder.
    expect(readdirSync(join(data, 'checkpoint')).length).toBeGreaterThan(0);
  });

  it('answers /healthz and its own health check on 127.0.0.1 while running, and drains and exits 0 on SIGTERM', async () => {
    const data = dataFolder(UID);
    const port = await freePort();
    const worker = image.launch(undefined, {
      env: { SLUICE_CONFIG: '/data/pipelines.yml', SLUICE_HTTP_PORT: String(port) },
      binds: [{ host: data, target: '/data' }],
    });
    const started = await worker.process.waitForLogLine({ msg: 'starting sluice run' }, { timeoutMs: 60_000 });
    // The entrypoint's default heap sizes reached the image's node (what docs/BENCHMARKS.md measured).
    expect(started.heapLimitMb).toBe(
      await imageHeapLimitMb(ENVIRONMENT.maxOldSpaceMb.default, ENVIRONMENT.maxSemiSpaceMb.default),
    );
    const healthy = async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true;
    await waitFor(healthy, 60_000, '/healthz to answer 200');
    expect(listeningAddresses(port)).toEqual(['127.0.0.1']);

    // The Dockerfile's HEALTHCHECK, run inside the image as Docker runs it (same user, same ENV).
    expect(image.config.healthcheck).toBeDefined();
    const probe = image.launch([], { entrypoint: image.config.healthcheck!, env: { SLUICE_HTTP_PORT: String(port) } });
    expect(await probe.process.waitForExit(30_000)).toEqual({ code: 0, signal: null });

    worker.signal('SIGTERM');
    expect(await worker.process.waitForExit(60_000)).toEqual({ code: 0, signal: null });
    expect(worker.process.logEntries().find((entry) => entry.msg === 'sluice stopped')).toMatchObject({ failed: 0 });
  });

  it("runs the README's first command, sluice demo: the events once, then nothing new", async () => {
    const first = image.launch(['demo']);
    expect(await first.process.waitForExit(60_000), first.process.stderr).toEqual({ code: 0, signal: null });
    expect(first.process.stdout.trim()).toBe(
      'sluice: demo-alb: 3 new object(s), 600 record(s), 600 event(s); demo-waf: 2 new object(s), 120 record(s), 120 event(s)',
    );
    const out = join(image.root, 'app/examples/demo/out');
    expect(readFileSync(join(out, 'alb-2024.05.01.ndjson'), 'utf8').trim().split('\n')).toHaveLength(600);
    const second = image.launch(['demo']);
    expect(await second.process.waitForExit(60_000), second.process.stderr).toEqual({ code: 0, signal: null });
    expect(second.process.stdout).toContain('nothing new since the last run (checkpoint)');
  });
});
