import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/sluice.js');

export interface SluiceProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

// A failed assertion must not leave a worker running into the next test (or past the run).
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/** The environment a spawned sluice runs with in tests: test AWS credentials, no HTTP server, info logs. */
export function sluiceTestEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    SLUICE_HTTP_PORT: '0',
    SLUICE_LOG_LEVEL: 'info',
    ...env,
  };
}

/** Starts the built CLI (`npm run build` first; `npm test` does) with test AWS credentials. */
export function startSluice(args: string[], env: NodeJS.ProcessEnv = {}): SluiceProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: sluiceTestEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit({ code, signal })),
  );
  return { child, output: () => text, exited };
}

/** Polls `check` until it returns true or the time runs out. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
