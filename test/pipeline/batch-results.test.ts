import { describe, expect, it } from 'vitest';
import type { FramedBatch } from '../../src/parsers/framing/framed-batch.js';
import { type LoopedBatch, loopEncoded } from '../../src/pipeline/batch-results.js';
import type { ThreadBatchResult } from '../../src/pipeline/thread-messages.js';

const OBJECT = { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', lastModified: 0 };

/** Batch n holds records 10n+1 .. 10n+10. */
function batch(n: number): FramedBatch {
  return { firstRecord: 10 * n + 1, lastRecord: 10 * n + 10 } as FramedBatch;
}

async function* framed(count: number, pulled: { n: number }): AsyncGenerator<FramedBatch> {
  for (let n = 0; n < count; n++) {
    pulled.n++;
    yield batch(n);
  }
}

function result(n: number): ThreadBatchResult {
  return { read: n, records: n, dropped: 0, events: n, failures: [], outputs: [] };
}

/** A thread pool whose replies come back in `finishOrder` (batch numbers), whatever order they were sent in. */
function fakeThreads(
  finishOrder: (sent: number) => number,
  outcome: (n: number) => 'ok' | 'null' | 'fail' = () => 'ok',
) {
  const sent: { n: number; resolve: () => void }[] = [];
  let running = 0;
  let maxRunning = 0;
  const dispatch = (framedBatch: FramedBatch) => {
    const n = (framedBatch.firstRecord - 1) / 10;
    running++;
    maxRunning = Math.max(maxRunning, running);
    return new Promise<ThreadBatchResult | null>((resolve, reject) => {
      const settle = () => {
        running--;
        const kind = outcome(n);
        if (kind === 'fail') reject(new Error(`batch ${n} failed`));
        else resolve(kind === 'null' ? null : result(n));
      };
      sent.push({ n, resolve: settle });
      // Finish in the given order: after a delay that ranks the batch.
      setTimeout(settle, finishOrder(n));
    });
  };
  return { dispatch, stats: () => ({ maxRunning, running }) };
}

async function drain(generator: AsyncGenerator<LoopedBatch>): Promise<number[]> {
  const seen: number[] = [];
  for await (const looped of generator) seen.push((looped.firstRecord - 1) / 10);
  return seen;
}

describe('loopEncoded', () => {
  const orders: [string, (n: number) => number][] = [
    ['in order', (n) => n],
    ['in reverse', (n) => 50 - n],
    ['odd ones late', (n) => (n % 2 === 1 ? 20 : 1)],
    ['scrambled', (n) => (n * 7919) % 13],
  ];
  for (const depth of [1, 2, 4]) {
    for (const [name, finish] of orders) {
      it(`yields every batch in batch order when threads finish ${name} (depth ${depth})`, async () => {
        const { dispatch, stats } = fakeThreads(finish);
        let settled = 0;
        const seen = await drain(loopEncoded(framed(12, { n: 0 }), dispatch, depth, OBJECT, () => settled++));
        expect(seen).toEqual([...Array(12).keys()]);
        expect(stats().maxRunning).toBeLessThanOrEqual(depth);
        await new Promise((r) => setTimeout(r, 0));
        expect(settled).toBe(1);
      });
    }
  }

  it('reads no more than `depth` batches ahead of what the caller took', async () => {
    const pulled = { n: 0 };
    const { dispatch } = fakeThreads((n) => n % 3);
    const generator = loopEncoded(framed(20, pulled), dispatch, 3, OBJECT, () => undefined);
    let taken = 0;
    for await (const _ of generator) {
      taken++;
      // The caller holds here (outputs slow): the batch it took plus at most `depth` read after it.
      await new Promise((r) => setTimeout(r, 5));
      expect(pulled.n - taken).toBeLessThanOrEqual(3);
    }
    expect(taken).toBe(20);
  });

  it('skips batches wholly before the resume point (null) and keeps the order of the rest', async () => {
    const { dispatch } = fakeThreads(
      (n) => 10 - n,
      (n) => (n < 3 ? 'null' : 'ok'),
    );
    const seen = await drain(loopEncoded(framed(6, { n: 0 }), dispatch, 2, OBJECT, () => undefined));
    expect(seen).toEqual([3, 4, 5]);
  });

  it('fails at the failed batch in order: the batches before it are yielded, none after', async () => {
    // Batch 4 fails first of all; batches 0-3 still come out before its failure.
    const { dispatch } = fakeThreads(
      (n) => (n === 4 ? 0 : 5 + n),
      (n) => (n === 4 ? 'fail' : 'ok'),
    );
    const seen: number[] = [];
    let settled = 0;
    const generator = loopEncoded(framed(10, { n: 0 }), dispatch, 4, OBJECT, () => settled++);
    await expect(async () => {
      for await (const looped of generator) seen.push((looped.firstRecord - 1) / 10);
    }).rejects.toThrow('batch 4 failed');
    expect(seen).toEqual([0, 1, 2, 3]);
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(1);
  });

  it('drops the batches read ahead when the caller stops (drain), calls `settled` once they are done, and closes the source', async () => {
    const { dispatch, stats } = fakeThreads((n) => 5 + n);
    let closed = false;
    async function* source(): AsyncGenerator<FramedBatch> {
      try {
        for (let n = 0; n < 100; n++) yield batch(n);
      } finally {
        closed = true;
      }
    }
    let settled = 0;
    const seen: number[] = [];
    for await (const looped of loopEncoded(source(), dispatch, 3, OBJECT, () => settled++)) {
      seen.push((looped.firstRecord - 1) / 10);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([0, 1]);
    expect(closed).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(stats().running).toBe(0);
    expect(settled).toBe(1);
  });
});
