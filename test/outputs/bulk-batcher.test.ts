import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../src/core/byte-budget.js';
import { BulkBatcher } from '../../src/outputs/opensearch/bulk-batcher.js';
import type { BulkItem } from '../../src/outputs/opensearch/bulk-item.js';
import { WriteTracker } from '../../src/outputs/write-tracker.js';

const origin = { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: 1, sub: 0, lastModified: 0 };

function item(bytes: number): BulkItem {
  return {
    line: { head: '', source: 'x'.repeat(bytes) },
    bytes,
    event: { doc: {}, origin },
    tracker: new WriteTracker(1),
  };
}

function batcher(limits: { flushBytes?: number; flushEvents?: number; flushIntervalMs?: number }, budgetBytes = 1e6) {
  const sent: BulkItem[][] = [];
  const budget = new ByteBudget(budgetBytes);
  const b = new BulkBatcher(
    { flushBytes: 1e6, flushEvents: 1e6, flushIntervalMs: 60_000, ...limits },
    budget,
    (items) => sent.push(items),
  );
  return { b, sent, budget };
}

describe('BulkBatcher', () => {
  it('sends a batch when it reaches flush_events', async () => {
    const { b, sent } = batcher({ flushEvents: 3 });
    for (let i = 0; i < 7; i++) await b.add(item(10));
    expect(sent.map((batch) => batch.length)).toEqual([3, 3]);
    b.flush();
    expect(sent.map((batch) => batch.length)).toEqual([3, 3, 1]);
  });

  it('sends a batch when its bytes reach flush_bytes', async () => {
    const { b, sent } = batcher({ flushBytes: 100 });
    for (const bytes of [40, 40, 30, 10]) await b.add(item(bytes));
    expect(sent.map((batch) => batch.map((i) => i.bytes))).toEqual([[40, 40, 30]]);
  });

  it('sends a batch flush_interval after its first item when it stays small', async () => {
    const { b, sent } = batcher({ flushIntervalMs: 20 });
    await b.add(item(10));
    await b.add(item(10));
    expect(sent).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent.map((batch) => batch.length)).toEqual([2]);
  });

  it('holds the bytes of every item in the budget until they are released', async () => {
    const { b, budget } = batcher({});
    await b.add(item(10));
    await b.add(item(15));
    expect(budget.used).toBe(25);
    b.flush();
    expect(budget.used).toBe(25);
  });

  it('admits an item synchronously when the budget has room', () => {
    const { b, budget } = batcher({}, 100);
    expect(b.add(item(60))).toBeUndefined();
    expect(budget.used).toBe(60);
  });

  it('sends what it holds and waits when the budget is full, then goes on once bytes come back', async () => {
    const { b, sent, budget } = batcher({}, 100);
    await b.add(item(60));
    let added = false;
    const admitted = b.add(item(60));
    expect(admitted).toBeInstanceOf(Promise);
    const waiting = Promise.resolve(admitted).then(() => {
      added = true;
    });
    // The first item was sent at once so that its bytes can come back.
    expect(sent.map((batch) => batch.length)).toEqual([1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(added).toBe(false);
    budget.release(60);
    await waiting;
    expect(budget.used).toBe(60);
    b.flush();
    expect(sent.map((batch) => batch.length)).toEqual([1, 1]);
  });

  it('sends nothing when flushed empty', () => {
    const { b, sent } = batcher({});
    b.flush();
    expect(sent).toHaveLength(0);
  });
});
