import type { ComponentContext, DeadLetterEntry } from '../../core/components.js';
import type { BulkItem, ItemSettler } from './bulk-item.js';
import { deadLetterWriteError, rejectedError } from './output-errors.js';

/** An item OpenSearch will not store as it is, and why. */
export interface RejectedItem {
  item: BulkItem;
  reason: string;
  status: number;
}

/**
 * Hands items OpenSearch rejected to the pipeline's dead-letter with their reason and origin;
 * they count as acknowledged once it has stored them. Without a dead-letter, or when it
 * cannot store them, their writes fail instead: a rejected event is never dropped silently.
 */
export class DeadLetterRouter {
  private readonly labels: { pipeline: string; output: string };

  constructor(
    private readonly ctx: ComponentContext,
    private readonly settler: ItemSettler,
  ) {
    this.labels = { pipeline: ctx.pipeline, output: 'opensearch' };
  }

  async route(rejected: readonly RejectedItem[]): Promise<void> {
    if (rejected.length === 0) return;
    const { pipeline, deadLetter } = this.ctx;
    const items = rejected.map((r) => r.item);
    if (!deadLetter) {
      for (const { item, reason } of rejected)
        this.settler.fail([item], rejectedError(pipeline, item.event.origin, reason));
      return;
    }
    try {
      await deadLetter.put(this.entries(rejected));
    } catch (cause) {
      this.settler.fail(items, deadLetterWriteError(pipeline, items.length, cause));
      return;
    }
    this.ctx.metrics.eventsDeadLettered.inc(this.labels, items.length);
    const first = rejected[0]!;
    const { bucket, key, record } = first.item.event.origin;
    this.ctx.logger.warn(
      { ...this.labels, events: items.length, bucket, key, record, reason: first.reason },
      'events rejected by OpenSearch went to the dead-letter',
    );
    for (const item of items) this.settler.done(item, 'deadLettered');
  }

  private entries(rejected: readonly RejectedItem[]): DeadLetterEntry[] {
    const at = new Date().toISOString();
    return rejected.map(({ item, reason }) => ({
      pipeline: this.ctx.pipeline,
      bucket: item.event.origin.bucket,
      key: item.event.origin.key,
      etag: item.event.origin.etag,
      record: item.event.origin.record,
      code: 'ERR_BULK_REJECTED',
      reason,
      doc: item.event.doc,
      at,
    }));
  }
}
