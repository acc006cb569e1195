import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { dockerEnv } from './dockerfile.js';
import { sluiceTestEnv } from './sluice-process.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface SampledRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Highest VmRSS seen, and the kernel's own high-water mark (VmHWM) at the last sample, in bytes. */
  peakRssBytes: number;
  /** Samples taken (one every `intervalMs`). */
  samples: number;
  durationMs: number;
  /** Everything the process wrote to stderr (its JSON logs). */
  stderr: string;
  /** `node --version` of the node that ran. */
  nodeVersion: string;
}

let shippedBin: string | undefined;
/**
 * The folder holding the node release the image ships (.nvmrc), whatever node runs the tests:
 * scripts/with-node.sh installs it once (from npm, into ~/.cache/sluice-ci) and prints it.
 */
export function shippedNodeBin(): string {
  shippedBin ??= execFileSync('bash', [resolve(ROOT, 'scripts/with-node.sh'), '--bin-dir'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return shippedBin;
}

export interface SampleOptions {
  /** Read stdout through a pipe at about this many bytes a second instead of sending it to /dev/null. */
  slowReaderBytesPerSecond?: number;
}

/**
 * Runs the built CLI the way the container does — the node release the image ships, through
 * entrypoint.sh (which execs node in the same process, so the node flags it sets count), with
 * the image's ENV and nothing of the caller's NODE_OPTIONS or heap settings — with stdout to
 * /dev/null (the stdout output can write gigabytes) or to a slow reader, and samples the resident set from
 * /proc/<pid>/status every `intervalMs` until it exits.
 */
export async function runSluiceSampled(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  intervalMs = 200,
  options: SampleOptions = {},
): Promise<SampledRun & { stdoutBytes: number }> {
  const bin = shippedNodeBin();
  const nodeVersion = execFileSync(resolve(bin, 'node'), ['--version'], { encoding: 'utf8' }).trim();
  const started = Date.now();
  const slow = options.slowReaderBytesPerSecond;
  const devNull = slow === undefined ? openSync('/dev/null', 'w') : undefined;
  const child = spawn('sh', [resolve(ROOT, 'entrypoint.sh'), ...args], {
    // The entrypoint starts the `node` on PATH with the CLI beside it: the shipped node, this checkout.
    env: {
      ...sluiceTestEnv({ NODE_OPTIONS: undefined, SLUICE_MAX_OLD_SPACE_MB: undefined }),
      ...dockerEnv(),
      ...env,
      PATH: `${bin}:${process.env.PATH}`,
    },
    stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
  });
  if (devNull !== undefined) closeSync(devNull);
  let stdoutBytes = 0;
  if (slow !== undefined) {
    // Pause after each chunk for as long as the rate allows: the pipe fills and the writer must wait.
    child.stdout!.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      child.stdout!.pause();
      setTimeout(() => child.stdout!.resume(), (chunk.length / slow) * 1000);
    });
  }
  let stderr = '';
  // After exec the pid is node's; the few samples before it are the shell's.
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let peak = 0;
  let samples = 0;
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => {
      exited = true;
      done({ code, signal });
    }),
  );
  const sampling = (async () => {
    while (!exited) {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
      for (const field of ['VmRSS', 'VmHWM']) {
        const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
        if (match) peak = Math.max(peak, Number(match[1]) * 1024);
      }
      if (status) samples++;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  const { code, signal } = await exit;
  await sampling;
  return {
    code,
    signal,
    peakRssBytes: peak,
    samples,
    durationMs: Date.now() - started,
    stderr,
    stdoutBytes,
    nodeVersion,
  };
}
