import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../src/checkpoint/file-checkpoint-store.js';
import { emptyState } from '../../src/checkpoint/state.js';
import { CheckpointConflictError, CheckpointError } from '../../src/core/errors.js';

describe('FileCheckpointStore', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sluice-cp-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const store = (options: Partial<ConstructorParameters<typeof FileCheckpointStore>[0]> = {}) =>
    new FileCheckpointStore({ directory, name: 'alb', pipeline: 'alb', ...options });

  it('loads null when no checkpoint exists', async () => {
    expect(await store().load()).toBeNull();
  });

  it('saves and loads the state with increasing versions when saves follow each other', async () => {
    const s = store();
    const state = emptyState(1000);
    state.done['a.log'] = { etag: '"e"', last_modified: 5 };
    const v1 = await s.save(state, null);
    state.watermark = 5;
    const v2 = await s.save(state, v1);
    expect([v1, v2]).toEqual(['1', '2']);
    expect(await s.load()).toEqual({ state, version: '2' });
  });

  it.each([
    ['creating when one exists', null],
    ['updating with a stale version', '1'],
    ['updating with a version from the future', '9'],
  ])('throws CheckpointConflictError when %s', async (_name, expected) => {
    const s = store();
    const v1 = await s.save(emptyState(), null);
    await s.save(emptyState(), v1);
    await expect(s.save(emptyState(), expected)).rejects.toBeInstanceOf(CheckpointConflictError);
    expect((await s.load())?.version).toBe('2');
  });

  it('throws CheckpointConflictError when updating a checkpoint that does not exist', async () => {
    await expect(store().save(emptyState(), '3')).rejects.toBeInstanceOf(CheckpointConflictError);
  });

  // Separate instances share nothing but the files: this is the same fencing two processes get.
  it('lets exactly one of many concurrent saves of the same version win', async () => {
    const s = store();
    const v1 = await s.save(emptyState(), null);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => {
        const state = emptyState();
        state.done[`from-${i}`] = { etag: '"e"', last_modified: i };
        return store().save(state, v1);
      }),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof CheckpointConflictError)).toHaveLength(
      11,
    );
    expect(Object.keys((await s.load())!.state.done)).toHaveLength(1);
  });

  it('breaks a lock left by a crashed process when it is older than the stale age', async () => {
    const s = store({ staleLockMs: 1000, lockTimeoutMs: 5000 });
    const v1 = await s.save(emptyState(), null);
    const lock = `${s.path}.lock`;
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    expect(await s.save(emptyState(), v1)).toBe('2');
    await expect(stat(lock)).rejects.toThrow();
  });

  it('breaks a lock at once when the process named in it no longer exists', async () => {
    // Neither the stale age nor the lock timeout can pass within the bound below: only breaking the lock can.
    const s = store({ staleLockMs: 120_000, lockTimeoutMs: 60_000 });
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('exit', resolve));
    await writeFile(`${s.path}.lock`, `${dead.pid} deadbeef`);
    const started = Date.now();
    expect(await s.save(emptyState(), null)).toBe('1');
    // Milliseconds on a quiet machine.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('throws CheckpointError naming the lock when a live holder keeps it past the timeout', async () => {
    const s = store({ staleLockMs: 60_000, lockTimeoutMs: 300 });
    await writeFile(`${s.path}.lock`, `${process.pid} live`);
    const error = await s.save(emptyState(), null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toContain('.lock');
  });

  it('throws CheckpointError when the file is not a checkpoint', async () => {
    await writeFile(join(directory, 'alb.json'), '{"version":1,"state":{"format":2}}');
    await expect(store().load()).rejects.toBeInstanceOf(CheckpointError);
  });

  it('leaves no temporary or lock files behind when saves succeed', async () => {
    const s = store();
    let version = await s.save(emptyState(), null);
    for (let i = 0; i < 5; i++) version = await s.save(emptyState(), version);
    expect(await readdir(directory)).toEqual(['alb.json']);
    expect(JSON.parse(await readFile(s.path, 'utf8')).version).toBe(6);
  });
});
