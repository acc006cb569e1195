/**
 * Lease scenarios shared by the unit tests (file store) and the integration tests (S3 and
 * DynamoDB on the serial moto server): each takes a factory for a fresh store on the same
 * checkpoint and fails the calling test when the lease or fencing misbehaves.
 */

import type { Logger } from 'pino';
import { expect } from 'vitest';
import { PipelineCheckpoint } from '../../src/checkpoint/pipeline-checkpoint.js';
import type { CheckpointState } from '../../src/checkpoint/state.js';
import type { CheckpointStore, VersionedState } from '../../src/checkpoint/store.js';
import { sleep } from '../../src/core/backoff.js';
import { CheckpointConflictError, CheckpointError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';

export type StoreFactory = () => CheckpointStore;

export function checkpointFor(
  store: CheckpointStore,
  owner: string,
  leaseMs: number,
  metrics = new Metrics(),
  logger: Logger = silentLogger(),
) {
  return new PipelineCheckpoint({
    store,
    owner,
    leaseMs,
    lookbackMs: 600_000,
    logger,
    metrics,
    pipeline: 'race',
    flushIntervalMs: 100,
  });
}

/** A fault injector in front of a real store: while `down`, every call fails as if the network were gone. */
export class KillableStore implements CheckpointStore {
  down = false;
  constructor(private readonly inner: CheckpointStore) {}
  describe(): string {
    return this.inner.describe();
  }
  load(): Promise<VersionedState | null> {
    return this.down ? Promise.reject(new CheckpointError('injected: store unreachable')) : this.inner.load();
  }
  save(state: CheckpointState, expectedVersion: string | null): Promise<string> {
    return this.down
      ? Promise.reject(new CheckpointError('injected: store unreachable'))
      : this.inner.save(state, expectedVersion);
  }
}

/**
 * `contenders` checkpoints with different owners race for one pipeline at once. Each holder
 * records itself in the done-set, saves, and releases. Asserts that at no time two hold the
 * lease, that every contender got its turn, and that no holder's update was lost.
 */
export async function leaseRace(makeStore: StoreFactory, contenders: number, leaseMs = 1500): Promise<void> {
  let holder: string | null = null;
  let overlaps = 0;
  const order: string[] = [];
  await Promise.all(
    Array.from({ length: contenders }, async (_, i) => {
      const owner = `owner-${i}`;
      const cp = checkpointFor(makeStore(), owner, leaseMs);
      await cp.acquire();
      if (holder !== null) overlaps++;
      holder = owner;
      order.push(owner);
      cp.markDone({ key: owner, etag: '"e"', lastModified: Date.now() });
      await cp.flush();
      await sleep(30);
      expect(holder).toBe(owner);
      holder = null;
      await cp.release();
    }),
  );
  expect(overlaps).toBe(0);
  expect(new Set(order).size).toBe(contenders);
  const stored = await makeStore().load();
  expect(stored?.state.lease).toBeNull();
  expect(Object.keys(stored!.state.done).sort()).toEqual(
    Array.from({ length: contenders }, (_, i) => `owner-${i}`).sort(),
  );
}

/**
 * A holds the lease and stops renewing (its store becomes unreachable, like a SIGKILL or a
 * partition); B takes over within the lease time plus one poll. When A comes back its save
 * fails, it reports the lease lost, and B's checkpoint is untouched.
 */
export async function takeoverAfterExpiry(makeStore: StoreFactory, leaseMs = 1500): Promise<void> {
  const aStore = new KillableStore(makeStore());
  const aMetrics = new Metrics();
  const a = checkpointFor(aStore, 'worker-a', leaseMs, aMetrics);
  await a.acquire();
  a.markDone({ key: 'before-takeover', etag: '"e"', lastModified: Date.now() });
  await a.flush();
  aStore.down = true;
  const stoppedAt = Date.now();

  const b = checkpointFor(makeStore(), 'worker-b', leaseMs);
  await b.acquire(AbortSignal.timeout(leaseMs * 8));
  const tookMs = Date.now() - stoppedAt;
  // The lease ran out no earlier than leaseMs after A's last renewal, and B polls every leaseMs/3:
  // about leaseMs + leaseMs/3 on a quiet machine. Three times that, for a loaded one.
  expect(tookMs).toBeLessThanOrEqual(3 * (leaseMs + leaseMs / 3));
  expect(b.state.done['before-takeover']).toBeDefined();
  b.markDone({ key: 'by-b', etag: '"e"', lastModified: Date.now() });
  await b.flush();

  // A comes back, still believing it holds the lease: its fenced save must fail.
  aStore.down = false;
  a.markDone({ key: 'by-stale-a', etag: '"e"', lastModified: Date.now() });
  const error = await a.flush().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CheckpointConflictError);
  expect(a.lost).toBe(true);
  expect(a.lostSignal.aborted).toBe(true);
  expect((await aMetrics.checkpointConflicts.get()).values[0]?.value).toBe(1);
  await expect(a.flush()).rejects.toBeInstanceOf(CheckpointConflictError);

  const stored = await makeStore().load();
  expect(stored?.state.lease?.owner).toBe('worker-b');
  expect(stored?.state.done['by-b']).toBeDefined();
  expect(stored?.state.done['by-stale-a']).toBeUndefined();
  expect(b.lost).toBe(false);
  await b.release();
  await a.release(); // a lost lease releases nothing
  expect((await makeStore().load())?.state.lease).toBeNull();
}

/** While the holder renews, a second owner keeps waiting well past one lease time. */
export async function renewalKeepsWaiterOut(makeStore: StoreFactory, leaseMs = 900): Promise<void> {
  const a = checkpointFor(makeStore(), 'holder', leaseMs);
  await a.acquire();
  const b = checkpointFor(makeStore(), 'waiter', leaseMs);
  const error = await b.acquire(AbortSignal.timeout(leaseMs * 3)).catch((e: unknown) => e);
  expect((error as Error).name).toBe('TimeoutError');
  expect(a.lost).toBe(false);
  expect(a.holding).toBe(true);
  await a.release();
  // Released, not left to expire: the store holds no lease, so the waiter takes it at its next
  // poll (every leaseMs/3) whatever the clock says.
  expect((await makeStore().load())?.state.lease).toBeNull();
  const started = Date.now();
  await b.acquire(AbortSignal.timeout(leaseMs * 6));
  // One poll on a quiet machine; three lease times leave room for a loaded one.
  expect(Date.now() - started).toBeLessThan(3 * leaseMs);
  await b.release();
}
