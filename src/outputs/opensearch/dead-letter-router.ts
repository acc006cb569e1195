import { type ComponentContext, type DeadLetterEntry, eventSub } from '../../core/components.js';
import type { SluiceError } from '../../core/errors.js';
import type { BulkItem, ItemSettler } from './bulk-item.js';
import { deadLetterWriteError, rejectedError } from './output-errors.js';

/** An item that cannot be stored as it is, and why. */
export interface RejectedItem {
  item: BulkItem;
  reason: string;
  /** The HTTP status of the item when OpenSearch refused it. */
  status?: number;
  /**
   * When the output itself refused the event (it cannot be encoded, its index is over the
   * cap): the error a write fails with when there is no dead-letter; its code goes in the
   * entry. Items OpenSearch refused leave it out and get ERR_BULK_REJECTED.
   */
  error?: SluiceError;
  /** JSON cannot hold the document (so the entry could not either): the entry leaves it out. */
  omitDoc?: boolean;
}

/**
 * Hands items that cannot be stored to the pipeline's dead-letter with their reason and origin;
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
      for (const { item, reason, error } of rejected)
        this.settler.fail([item], error ?? rejectedError(pipeline, item.event.origin, reason));
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
      { ...this.labels, events: items.length, bucket, key, record, code: codeOf(first), reason: first.reason },
      first.error
        ? 'events the output could not send went to the dead-letter'
        : 'events rejected by OpenSearch went to the dead-letter',
    );
    for (const item of items) this.settler.done(item, 'deadLettered');
  }

  private entries(rejected: readonly RejectedItem[]): DeadLetterEntry[] {
    const at = new Date().toISOString();
    return rejected.map((r) => ({
      pipeline: this.ctx.pipeline,
      bucket: r.item.event.origin.bucket,
      key: r.item.event.origin.key,
      etag: r.item.event.origin.etag,
      record: r.item.event.origin.record,
      ...eventSub(r.item.event.origin),
      code: codeOf(r),
      reason: r.reason,
      ...(r.omitDoc ? {} : { doc: r.item.event.doc }),
      at,
    }));
  }
}

function codeOf(rejected: RejectedItem): string {
  return rejected.error?.code ?? 'ERR_BULK_REJECTED';
}
