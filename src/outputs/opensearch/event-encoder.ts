import type { ComponentContext } from '../../core/components.js';
import type { LogEvent } from '../../core/event.js';
import type { WriteTracker } from '../write-tracker.js';
import { BatchEncoder } from './batch-encoder.js';
import { type BulkLine, bulkLineBytes } from './bulk-encoder.js';
import type { BulkItem } from './bulk-item.js';
import type { RejectedItem } from './dead-letter-router.js';
import type { EncodedEvent } from './encoded-event.js';
import { IndexCap } from './index-cap.js';
import { sanitizeIndexName } from './index-name.js';
import type { OpenSearchOutputConfig } from './opensearch-config.js';
import { encodeError, indexLimitError } from './output-errors.js';

type EncoderConfig = Pick<
  OpenSearchOutputConfig,
  'index' | 'action' | 'document_id' | 'data_stream' | 'max_indices' | 'overflow_index'
>;

/**
 * Turns one event into its bulk action line, or says why it cannot be sent: its index would
 * exceed max_indices, or JSON cannot hold its document. Either is a record-level failure:
 * that event goes to the dead-letter, the others go on (a failed write would make the
 * runner read the whole object again, forever).
 */
export class EventEncoder {
  /** The index names, the action and the `_id` rule, shared with the encoded path. */
  private readonly lines: BatchEncoder;
  private readonly cap: IndexCap;
  private warnedCap = false;

  constructor(
    config: EncoderConfig,
    private readonly ctx: ComponentContext,
  ) {
    this.lines = new BatchEncoder(config);
    const overflow = config.overflow_index === undefined ? undefined : sanitizeIndexName(config.overflow_index);
    this.cap = new IndexCap(config.max_indices, overflow);
  }

  encode(event: LogEvent, tracker: WriteTracker): BulkItem | RejectedItem {
    let line: BulkLine;
    try {
      const name = this.lines.indexName(event);
      const index = this.index(name, event, tracker);
      if (typeof index !== 'string') return index;
      line = this.lines.bulkLine(index, event);
    } catch (cause) {
      // JSON.stringify throws on a BigInt, a cycle, or nesting deeper than the stack (RangeError).
      return this.unencodable(event, tracker, cause);
    }
    return { line, bytes: bulkLineBytes(line), event, tracker };
  }

  /**
   * An item a worker thread encoded (batch-encoder.ts), through the same cap: its line as it came
   * when its index is the one the thread named; the action line rewritten for the overflow index.
   */
  encoded(event: EncodedEvent, name: string, tracker: WriteTracker): BulkItem | RejectedItem {
    const index = this.index(name, event, tracker);
    if (typeof index !== 'string') return index;
    let line: BulkLine = { encoded: event.line };
    if (index !== name) line = { head: this.lines.head(index, event.origin), source: event.sourceText() };
    return { line, bytes: bulkLineBytes(line), event, tracker };
  }

  /** The event's index after `max_indices`, or the rejection of an event over it without an overflow index. */
  private index(name: string, event: LogEvent, tracker: WriteTracker): string | RejectedItem {
    const index = this.cap.resolve(name);
    if (index !== name) this.warnCapOnce(name);
    if (index !== undefined) return index;
    const error = indexLimitError(this.ctx.pipeline, event.origin, name, this.cap.max);
    return { item: unsent(event, tracker), reason: error.message, error };
  }

  /** An event JSON cannot hold: dead-lettered without its document. */
  unencodable(event: LogEvent, tracker: WriteTracker, cause: unknown): RejectedItem {
    const error = encodeError(this.ctx.pipeline, event.origin, cause);
    return { item: unsent(event, tracker), reason: error.message, error, omitDoc: true };
  }

  private warnCapOnce(name: string): void {
    if (this.warnedCap) return;
    this.warnedCap = true;
    this.ctx.logger.warn(
      { pipeline: this.ctx.pipeline, output: 'opensearch', index: name, max_indices: this.cap.max },
      this.cap.overflowIndex === undefined
        ? 'max_indices reached: events for further indices go to the dead-letter (ERR_OUTPUT_INDEX_LIMIT)'
        : `max_indices reached: events for further indices go to ${this.cap.overflowIndex}`,
    );
  }
}

const NO_LINE: BulkLine = { head: '', source: '' };

/** An item that never joins a batch: it holds no bytes of the budget. */
function unsent(event: LogEvent, tracker: WriteTracker): BulkItem {
  return { line: NO_LINE, bytes: 0, event, tracker };
}

export function isRejected(result: BulkItem | RejectedItem): result is RejectedItem {
  return 'reason' in result;
}
