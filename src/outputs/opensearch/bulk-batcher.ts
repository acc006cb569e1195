import type { ByteBudget } from '../../core/byte-budget.js';
import type { BulkItem } from './bulk-item.js';

export interface BatchLimits {
  /** Send once a batch holds this many bytes... */
  flushBytes: number;
  /** ...or this many items... */
  flushEvents: number;
  /** ...or this long after its first item. */
  flushIntervalMs: number;
}

/**
 * Gathers items of concurrent writes into shared batches bounded by bytes, count and age, and
 * hands each full (or old enough) batch to `send`. Items hold their bytes in the output's
 * budget from here until they are settled, so buffered plus in-flight bytes stay bounded.
 */
export class BulkBatcher {
  private batch: BulkItem[] = [];
  private batchBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: BatchLimits,
    private readonly budget: ByteBudget,
    private readonly send: (items: BulkItem[]) => void,
  ) {}

  /**
   * Puts the item in a batch. Returns nothing when the budget had room (the common case: no
   * await, so a write enqueues all its events synchronously), else a promise that resolves once
   * room came back and the item is in (backpressure).
   */
  add(item: BulkItem): Promise<void> | undefined {
    if (this.budget.tryReserve(item.bytes)) {
      this.push(item);
      return undefined;
    }
    // Send what is gathered so its bytes can come back, then wait for room.
    this.flush();
    return this.budget.reserve(item.bytes).then(() => this.push(item));
  }

  private push(item: BulkItem): void {
    this.batch.push(item);
    this.batchBytes += item.bytes;
    if (this.batch.length === 1) this.timer = setTimeout(() => this.flush(), this.limits.flushIntervalMs);
    if (this.batchBytes >= this.limits.flushBytes || this.batch.length >= this.limits.flushEvents) this.flush();
  }

  /** Hands the open batch to `send` now, if it holds anything. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    if (items.length > 0) this.send(items);
  }
}
