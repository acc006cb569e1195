import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '../core/backoff.js';
import { CheckpointConflictError, CheckpointError, errorMessage } from '../core/errors.js';
import { type CheckpointState, decodeState, encodeState } from './state.js';
import type { CheckpointStore, VersionedState } from './store.js';

export interface FileCheckpointStoreOptions {
  directory: string;
  name: string;
  pipeline: string;
  /** A lock older than this is left by a crashed process and is broken. The critical section takes milliseconds. */
  staleLockMs?: number;
  /** How long a save waits for another process's lock before giving up. */
  lockTimeoutMs?: number;
}

interface FileDocument {
  version: number;
  state: unknown;
}

/**
 * A JSON file per checkpoint, for local development: `<directory>/<name>.json` holding
 * `{ version, state }`. A save is a compare-and-swap under an exclusive lock file
 * (`open(lock, 'wx')`), so two processes on one machine are fenced like the cloud stores;
 * the new content is written to a temporary file and renamed over the old one, so a crash
 * never leaves a half-written checkpoint.
 */
export class FileCheckpointStore implements CheckpointStore {
  readonly path: string;
  private readonly lockPath: string;

  constructor(private readonly options: FileCheckpointStoreOptions) {
    this.path = join(options.directory, `${options.name}.json`);
    this.lockPath = `${this.path}.lock`;
  }

  describe(): string {
    return this.path;
  }

  async load(): Promise<VersionedState | null> {
    const document = await this.read();
    if (!document) return null;
    try {
      return { state: decodeState(JSON.stringify(document.state)), version: String(document.version) };
    } catch (error) {
      throw this.unreadable(error);
    }
  }

  async save(state: CheckpointState, expectedVersion: string | null): Promise<string> {
    const stateText = encodeState(state);
    await this.mkdir();
    const release = await this.lock();
    try {
      const current = await this.read();
      const currentVersion = current ? String(current.version) : null;
      if (currentVersion !== expectedVersion) {
        throw new CheckpointConflictError(
          `checkpoint ${this.path} is at version ${currentVersion ?? '(none)'}, not ${expectedVersion ?? '(none)'}`,
          this.context(),
        );
      }
      const next = (current?.version ?? 0) + 1;
      const temp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        const handle = await open(temp, 'w');
        try {
          await handle.writeFile(`{"version":${next},"state":${stateText}}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, this.path);
      } catch (error) {
        await unlink(temp).catch(() => {});
        throw new CheckpointError(
          `cannot write checkpoint ${this.path}: ${errorMessage(error)}`,
          this.context(),
          error,
        );
      }
      return String(next);
    } finally {
      await release();
    }
  }

  private async read(): Promise<FileDocument | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new CheckpointError(`cannot read checkpoint ${this.path}: ${errorMessage(error)}`, this.context(), error);
    }
    let document: FileDocument;
    try {
      document = JSON.parse(text) as FileDocument;
    } catch (error) {
      throw this.unreadable(error);
    }
    if (!Number.isInteger(document?.version) || document.version < 1) throw this.unreadable(new Error('no version'));
    return document;
  }

  private async mkdir(): Promise<void> {
    try {
      await mkdir(this.options.directory, { recursive: true });
    } catch (error) {
      throw new CheckpointError(
        `cannot create checkpoint directory ${this.options.directory}: ${errorMessage(error)}`,
        this.context(),
        error,
      );
    }
  }

  /** Takes the lock file; returns the function that releases it. */
  private async lock(): Promise<() => Promise<void>> {
    const staleMs = this.options.staleLockMs ?? 10_000;
    const deadline = Date.now() + (this.options.lockTimeoutMs ?? 30_000);
    const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(this.lockPath, 'wx');
        try {
          await handle.writeFile(token);
        } finally {
          await handle.close();
        }
        return async () => {
          // Only remove the lock if it is still ours (it may have been broken as stale).
          const holder = await readFile(this.lockPath, 'utf8').catch(() => null);
          if (holder === token) await unlink(this.lockPath).catch(() => {});
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new CheckpointError(
            `cannot create lock ${this.lockPath}: ${errorMessage(error)}`,
            this.context(),
            error,
          );
        }
      }
      await this.breakIfStale(staleMs);
      if (Date.now() > deadline) {
        throw new CheckpointError(
          `lock ${this.lockPath} is held by another process; if none runs, delete the lock file`,
          this.context(),
        );
      }
      await sleep(Math.min(100, 5 * 2 ** Math.min(attempt, 5)));
    }
  }

  /**
   * Breaks a lock whose holder crashed: its file is older than the critical section can last,
   * or it names a process on this machine that no longer exists. The lock is first renamed
   * away (atomic), so of two processes that find the same stale lock only one removes it.
   */
  private async breakIfStale(staleMs: number): Promise<void> {
    let holder: string;
    let modified: number;
    try {
      holder = await readFile(this.lockPath, 'utf8');
      modified = (await stat(this.lockPath)).mtimeMs;
    } catch {
      return; // released meanwhile
    }
    const pid = Number(holder.split(' ')[0]);
    const dead = Number.isInteger(pid) && pid > 0 && !processExists(pid);
    const old = Date.now() - modified > staleMs;
    // A just-created lock may still be empty: only its age can make it stale.
    if (!(old || (holder !== '' && dead))) return;
    const aside = `${this.lockPath}.${randomBytes(4).toString('hex')}.stale`;
    try {
      await rename(this.lockPath, aside);
    } catch {
      return; // someone else broke or released it
    }
    const moved = await readFile(aside, 'utf8').catch(() => '');
    await unlink(aside).catch(() => {});
    if (moved !== holder) {
      // We moved a fresh lock taken between our check and the rename: put it back if the place is free.
      await restoreLock(this.lockPath, moved);
    }
  }

  private unreadable(error: unknown): CheckpointError {
    return new CheckpointError(
      `checkpoint ${this.path} is unreadable (${errorMessage(error)}); delete it to start over or restore a good copy`,
      this.context(),
      error,
    );
  }

  private context() {
    return { pipeline: this.options.pipeline, path: this.path };
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function restoreLock(lockPath: string, content: string): Promise<void> {
  try {
    const handle = await open(lockPath, 'wx');
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
  } catch {
    // Someone holds the place now; the fresh holder's release will find a foreign token and leave it.
  }
}
