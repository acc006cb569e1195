import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';

/** The repository root (bin/sluice.js, entrypoint.sh). */
export const repoRoot = resolve(import.meta.dirname, '../..');

export type LineMatcher = string | RegExp | ((line: string) => boolean);
export type LogMatcher = Record<string, unknown> | ((entry: Record<string, unknown>) => boolean);
export type StreamName = 'stdout' | 'stderr';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  cwd?: string;
  /** Added to (and overriding) the test process's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. Without it stdin is closed at once. */
  input?: string;
}

export interface WaitOptions {
  /** Which stream to watch; both by default. */
  stream?: StreamName;
  timeoutMs?: number;
}

/** A spawned process whose output lines are collected and can be awaited. */
export class SpawnedProcess {
  readonly child: ChildProcess;
  readonly lines: Record<StreamName, string[]> = { stdout: [], stderr: [] };
  readonly exited: Promise<ExitStatus>;
  private readonly events = new EventEmitter();
  private exitStatus?: ExitStatus;

  constructor(
    readonly command: string,
    readonly args: string[],
    options: SpawnOptions = {},
  ) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    this.child = spawn(command, args, { cwd: options.cwd ?? repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.end(options.input);
    this.collect('stdout');
    this.collect('stderr');
    this.exited = new Promise((resolveExit, rejectExit) => {
      this.child.once('error', rejectExit);
      // 'close' (not 'exit') so every output line has been read before waiters hear about the exit.
      this.child.once('close', (code, signal) => {
        this.exitStatus = { code, signal };
        this.events.emit('exit');
        resolveExit(this.exitStatus);
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.command} did not start`);
    return this.child.pid;
  }

  get stdout(): string {
    return this.lines.stdout.join('\n');
  }

  get stderr(): string {
    return this.lines.stderr.join('\n');
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }

  /** Resolves with the first line (already seen or future) that matches; rejects on exit or timeout. */
  waitForLine(matcher: LineMatcher, options: WaitOptions = {}): Promise<string> {
    const test = toPredicate(matcher);
    const streams: StreamName[] = options.stream ? [options.stream] : ['stdout', 'stderr'];
    const timeoutMs = options.timeoutMs ?? 15_000;
    for (const stream of streams) {
      const found = this.lines[stream].find(test);
      if (found !== undefined) return Promise.resolve(found);
    }
    return new Promise((resolveLine, rejectLine) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off('line', onLine);
        this.events.off('exit', onExit);
      };
      const onLine = (stream: StreamName, line: string) => {
        if (!streams.includes(stream) || !test(line)) return;
        cleanup();
        resolveLine(line);
      };
      const onExit = () => {
        cleanup();
        rejectLine(
          this.failure(`exited (${JSON.stringify(this.exitStatus)}) before printing a line matching ${matcher}`),
        );
      };
      const timer = setTimeout(() => {
        cleanup();
        rejectLine(this.failure(`printed no line matching ${matcher} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on('line', onLine);
      if (this.exitStatus) onExit();
      else this.events.once('exit', onExit);
    });
  }

  /** Like waitForLine for JSON log lines: an object matcher compares each given field with `===`. */
  async waitForLogLine(matcher: LogMatcher, options: WaitOptions = {}): Promise<Record<string, unknown>> {
    const test =
      typeof matcher === 'function' ? matcher : (entry: Record<string, unknown>) => matchesFields(entry, matcher);
    const line = await this.waitForLine(
      (text) => {
        const entry = parseJsonLine(text);
        return entry !== undefined && test(entry);
      },
      { stream: 'stderr', ...options },
    );
    return parseJsonLine(line)!;
  }

  /** Every stderr line that is a JSON object (pino logs). */
  logEntries(): Record<string, unknown>[] {
    return this.lines.stderr.map(parseJsonLine).filter((entry) => entry !== undefined);
  }

  /** Resolves with the exit status; kills the process (SIGKILL) and rejects after the timeout. */
  async waitForExit(timeoutMs = 30_000): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, rejectExit) => {
      timer = setTimeout(() => {
        this.kill('SIGKILL');
        rejectExit(this.failure(`did not exit within ${timeoutMs} ms (killed)`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private collect(stream: StreamName): void {
    let pending = '';
    const source = this.child[stream]!;
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        this.push(stream, pending.slice(0, newline).replace(/\r$/, ''));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    source.on('end', () => {
      if (pending) this.push(stream, pending);
      pending = '';
    });
  }

  private push(stream: StreamName, line: string): void {
    this.lines[stream].push(line);
    this.events.emit('line', stream, line);
  }

  private failure(what: string): Error {
    const tail = (lines: string[]) => lines.slice(-30).join('\n');
    return new Error(
      `${this.command} ${this.args.join(' ')} ${what}\n--- stdout ---\n${tail(this.lines.stdout)}\n--- stderr ---\n${tail(this.lines.stderr)}`,
    );
  }
}

export function spawnProcess(command: string, args: string[], options: SpawnOptions = {}): SpawnedProcess {
  return new SpawnedProcess(command, args, options);
}

/** Runs the compiled CLI (`node bin/sluice.js ...`; needs `npm run build`). */
export function spawnSluice(args: string[], options: SpawnOptions = {}): SpawnedProcess {
  return new SpawnedProcess(process.execPath, [resolve(repoRoot, 'bin/sluice.js'), ...args], options);
}

/** Spawns, waits for the exit, and returns the status with all output. */
export async function runToExit(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<ExitStatus & { stdout: string; stderr: string; process: SpawnedProcess }> {
  const spawned = spawnProcess(command, args, options);
  const status = await spawned.waitForExit(options.timeoutMs);
  return { ...status, stdout: spawned.stdout, stderr: spawned.stderr, process: spawned };
}

export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function matchesFields(entry: Record<string, unknown>, fields: Record<string, unknown>): boolean {
  return Object.entries(fields).every(([name, value]) => entry[name] === value);
}

function toPredicate(matcher: LineMatcher): (line: string) => boolean {
  if (typeof matcher === 'function') return matcher;
  if (typeof matcher === 'string') return (line) => line.includes(matcher);
  return (line) => matcher.test(line);
}
