import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../src/checkpoint/file-checkpoint-store.js';
import { isCandidate, newestDone } from '../../src/checkpoint/progress.js';
import type { CheckpointState } from '../../src/checkpoint/state.js';
import type { CheckpointStore, VersionedState } from '../../src/checkpoint/store.js';
import { createLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { checkpointFor, leaseRace, renewalKeepsWaiterOut, takeoverAfterExpiry } from './lease-scenarios.js';

const MINUTE = 60_000;

/** Applies each save, then replays it like an SDK retry whose first attempt succeeded but whose answer was lost. */
class ReplayingStore implements CheckpointStore {
  replayNext = false;
  constructor(private readonly inner: CheckpointStore) {}
  describe(): string {
    return this.inner.describe();
  }
  load(): Promise<VersionedState | null> {
    return this.inner.load();
  }
  async save(state: CheckpointState, expectedVersion: string | null): Promise<string> {
    const version = await this.inner.save(state, expectedVersion);
    if (!this.replayNext) return version;
    this.replayNext = false;
    return this.inner.save(state, expectedVersion);
  }
}

/** Counts saves that reach the store. */
class CountingStore implements CheckpointStore {
  saves = 0;
  constructor(private readonly inner: CheckpointStore) {}
  describe(): string {
    return this.inner.describe();
  }
  load(): Promise<VersionedState | null> {
    return this.inner.load();
  }
  save(state: CheckpointState, expectedVersion: string | null): Promise<string> {
    this.saves++;
    return this.inner.save(state, expectedVersion);
  }
}

describe('PipelineCheckpoint', () => {
  let directory: string;
  const fileStore = () => new FileCheckpointStore({ directory, name: 'race', pipeline: 'race' });
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sluice-lease-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('grants the lease to one contender at a time when ten race for it', async () => {
    // A lease of 3 s: a loaded machine can stall every timer of this process for a second, and
    // a holder that cannot renew within its lease is overtaken by design (fencing keeps its writes out).
    await leaseRace(fileStore, 10, 3000);
  }, 60_000);

  it('lets a second owner take over within the lease time when the first stops renewing', async () => {
    await takeoverAfterExpiry(fileStore, 900);
  });

  it('keeps a waiter out while the holder renews and admits it at once on release', async () => {
    await renewalKeepsWaiterOut(fileStore, 600);
  });

  it('resumes from the stored progress when a new owner acquires', async () => {
    const first = checkpointFor(fileStore(), 'first', 5000);
    await first.acquire();
    const obj = { key: 'big.log.gz', etag: '"e1"', lastModified: new Date(Date.now() - MINUTE) };
    first.markOffset(obj, 1200);
    await first.release();
    const second = checkpointFor(fileStore(), 'second', 5000);
    await second.acquire();
    expect(second.resumeRecord(obj)).toBe(1200);
    expect(second.beginPass().offer(obj)).toBe(true);
    second.markDone(obj);
    expect(second.beginPass().offer(obj)).toBe(false);
    await second.release();
  });

  it('adopts its own earlier write and keeps the lease when a save is replayed after succeeding', async () => {
    const store = new ReplayingStore(fileStore());
    const metrics = new Metrics();
    const cp = checkpointFor(store, 'me', 5000, metrics);
    await cp.acquire();
    store.replayNext = true;
    cp.markDone({ key: 'a', etag: '"e"', lastModified: Date.now() });
    await cp.flush();
    expect(cp.lost).toBe(false);
    cp.markDone({ key: 'b', etag: '"e"', lastModified: Date.now() });
    await cp.flush();
    expect(Object.keys((await fileStore().load())!.state.done).sort()).toEqual(['a', 'b']);
    expect((await metrics.checkpointConflicts.get()).values[0]?.value).toBe(1);
    await cp.release();
  });

  it('coalesces flushes into few saves when many are requested at once', async () => {
    const store = new CountingStore(fileStore());
    const cp = checkpointFor(store, 'me', 60_000);
    await cp.acquire();
    const before = store.saves;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        cp.markDone({ key: `k${i}`, etag: '"e"', lastModified: Date.now() });
        return cp.flush();
      }),
    );
    expect(store.saves - before).toBeLessThanOrEqual(2);
    expect(Object.keys((await fileStore().load())!.state.done)).toHaveLength(20);
    await cp.release();
  });

  it('clears the stored lease when release is called while an ordinary save is queued', async () => {
    const cp = checkpointFor(fileStore(), 'me', 60_000);
    await cp.acquire();
    cp.markDone({ key: 'a', etag: '"e"', lastModified: Date.now() });
    const first = cp.flush();
    const second = cp.flush(); // queued behind the first; the release must not share it
    const released = cp.release();
    await Promise.all([first, second, released]);
    const stored = (await fileStore().load())!.state;
    expect(stored.lease).toBeNull();
    expect(stored.done.a).toBeDefined();
    expect(cp.holding).toBe(false);
  });

  it('names the pipeline and the owner once in each lease log line', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    const holder = checkpointFor(fileStore(), 'holder', 60_000, new Metrics(), logger);
    await holder.acquire();
    const waiter = checkpointFor(fileStore(), 'waiter', 60_000, new Metrics(), logger);
    await waiter.acquire(AbortSignal.timeout(300)).catch(() => undefined);
    await holder.release();
    const logged = lines.map((line) => ({ line, entry: JSON.parse(line) as Record<string, unknown> }));
    const find = (msg: string) => logged.find(({ entry }) => entry.msg === msg);
    expect(find('acquired the pipeline lease')?.entry).toMatchObject({ pipeline: 'race', owner: 'holder' });
    expect(
      find('another task holds the pipeline lease; waiting for it to be released or to expire')?.entry,
    ).toMatchObject({ pipeline: 'race', owner: 'waiter', holder: 'holder' });
    expect(find('released the pipeline lease')?.entry).toMatchObject({ pipeline: 'race', owner: 'holder' });
    for (const { line } of logged) {
      expect(line.match(/"pipeline":/g)).toHaveLength(1);
      expect(line.match(/"owner":/g)).toHaveLength(1);
    }
  });

  it('saves changes by itself within the flush interval when nobody calls flush', async () => {
    const cp = checkpointFor(fileStore(), 'me', 60_000);
    await cp.acquire();
    cp.markOffset({ key: 'a', etag: '"e"', lastModified: Date.now() }, 42);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await fileStore().load())!.state.in_progress.a?.record).toBe(42);
    await cp.release();
  });

  it('renews the lease by itself when nothing changes', async () => {
    const cp = checkpointFor(fileStore(), 'me', 600);
    await cp.acquire();
    const first = (await fileStore().load())!.state.lease!.expires_at;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = (await fileStore().load())!.state.lease!.expires_at;
    expect(later).toBeGreaterThan(first);
    await cp.release();
  });

  it('keeps the watermark below an object still queued when a newer one finishes first', async () => {
    const cp = checkpointFor(fileStore(), 'me', 60_000);
    await cp.acquire();
    const now = Date.now();
    const old = { key: 'a-old', etag: '"e"', lastModified: new Date(now - 60 * MINUTE) };
    const fresh = { key: 'z-new', etag: '"e"', lastModified: new Date(now - 5 * MINUTE) };
    const pass = cp.beginPass();
    expect(pass.since).toBeNull();
    expect(pass.offer(old)).toBe(true);
    expect(pass.offer(fresh)).toBe(true);
    pass.complete();
    cp.markDone(fresh);
    await cp.flush();
    const stored = (await fileStore().load())!.state;
    expect(stored.watermark).toBe(old.lastModified.getTime());
    // After a crash here, the next owner would still list and read the old object.
    expect(isCandidate(stored, old, 60_000 * 10)).toBe(true);
    cp.markDone(old);
    await cp.flush();
    expect((await fileStore().load())!.state.watermark).toBe(fresh.lastModified.getTime());
    await cp.release();
  });

  it('does not move the watermark when no listing pass has completed', async () => {
    const cp = checkpointFor(fileStore(), 'me', 60_000);
    await cp.acquire();
    const pass = cp.beginPass();
    const obj = { key: 'a', etag: '"e"', lastModified: new Date(Date.now() - MINUTE) };
    pass.offer(obj);
    cp.markDone(obj);
    await cp.flush();
    expect((await fileStore().load())!.state.watermark).toBeNull();
    cp.beginPass().complete();
    await cp.flush();
    expect((await fileStore().load())!.state.watermark).toBe(obj.lastModified.getTime());
    expect(newestDone(cp.state)).toBe(obj.lastModified.getTime());
    await cp.release();
  });
});
