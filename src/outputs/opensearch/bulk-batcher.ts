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

  /** Resolves once the item is in a batch; waits (backpressure) while the budget is full. */
  async add(item: BulkItem): Promise<void> {
    if (!this.budget.tryReserve(item.bytes)) {
      // Send what is gathered so its bytes can come back, then wait for room.
      this.flush();
      await this.budget.reserve(item.bytes);
    }
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
