import type { ByteBudget } from '../../core/byte-budget.js';
import type { WriteReport } from '../../core/components.js';
import type { LogEvent } from '../../core/event.js';
import type { WriteTracker } from '../write-tracker.js';
import type { BulkLine } from './bulk-encoder.js';

/** One event as a bulk action line, with the write it belongs to. */
export interface BulkItem {
  line: BulkLine;
  /** The line's UTF-8 bytes (bulkLineBytes). */
  bytes: number;
  event: LogEvent;
  tracker: WriteTracker;
  /** Set once the item is settled, so no path can release its bytes or count it twice. */
  settled?: boolean;
}

/**
 * Settles each item exactly once: gives its bytes back to the output's budget and tells its
 * write the outcome. Every path (stored, duplicate, dead-lettered, failed) goes through here.
 */
export class ItemSettler {
  constructor(private readonly budget: ByteBudget) {}

  done(item: BulkItem, outcome: keyof WriteReport): void {
    if (this.release(item)) item.tracker.done(outcome);
  }

  fail(items: readonly BulkItem[], error: unknown): void {
    for (const item of items) {
      if (this.release(item)) item.tracker.fail(error);
    }
  }

  private release(item: BulkItem): boolean {
    if (item.settled) return false;
    item.settled = true;
    this.budget.release(item.bytes);
    return true;
  }
}
