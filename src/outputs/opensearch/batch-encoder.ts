import { documentId } from '../../core/document-id.js';
import type { EncodedBatch } from '../../core/encoded-batch.js';
import { errorMessage } from '../../core/errors.js';
import type { LogEvent, Origin } from '../../core/event.js';
import { bulkHead, encodeBulkLine, type TextLine } from './bulk-encoder.js';
import { compileIndexName } from './index-name.js';
import type { OpenSearchOutputConfig } from './opensearch-config.js';

export type BatchEncoderConfig = Pick<OpenSearchOutputConfig, 'index' | 'action' | 'document_id' | 'data_stream'>;

/** Room for one batch of ALB-sized lines before the buffer has to grow. */
const FIRST_BYTES_PER_EVENT = 2048;

/**
 * The encoding half of the OpenSearch output, for the encoded path (pipeline/loop-and-encode.ts,
 * on a worker thread or inline on the main thread): what
 * `EventEncoder` does per event (`_id`, index name, action line, document JSON), written as
 * UTF-8 into one buffer per batch, with the index names left for the output's `max_indices` cap
 * (a per-process count only the main thread can keep). The bytes are exactly those the
 * event path (`write`) copies into a request body (test/outputs/batch-encoder.test.ts).
 */
export class BatchEncoder {
  /** The event's index name from the pattern (before any `max_indices` cap). */
  readonly indexName: (event: LogEvent) => string;
  private readonly op: 'create' | 'index';
  private readonly autoIds: boolean;

  constructor(config: BatchEncoderConfig) {
    this.indexName = compileIndexName(config.index);
    this.op = config.data_stream ? 'create' : config.action;
    this.autoIds = config.document_id === 'auto';
  }

  /** One batch's events encoded at once. */
  encode(events: readonly LogEvent[]): EncodedBatch {
    const builder = this.start(events.length);
    builder.add(events);
    return builder.finish();
  }

  /**
   * A batch encoded in parts as the record loop yields them (batch-thread.ts runs the loop on
   * slices of a batch, so each slice's documents die young): `capacity` is a first guess of the
   * items, the arrays grow past it.
   */
  start(capacity: number): EncodedBatchBuilder {
    return new EncodedBatchBuilder(this, capacity);
  }

  /** The item's index name and bulk line (throws what the name or JSON.stringify throws). */
  line(event: LogEvent): { name: string; head: string; source: string } {
    const name = this.indexName(event);
    const { head, source } = this.bulkLine(name, event);
    return { name, head, source };
  }

  /**
   * The event's bulk line into `index`: the one home of the output's action (`create` for a data
   * stream) and `_id` rule, for this encoder and the event path's (event-encoder.ts).
   */
  bulkLine(index: string, event: LogEvent): TextLine {
    return encodeBulkLine(this.op, index, this.id(event.origin), event.doc);
  }

  /** The action line alone, for an encoded item rewritten to another index (the overflow index). */
  head(index: string, origin: Origin): string {
    return bulkHead(this.op, index, this.id(origin));
  }

  private id(origin: Origin): string | undefined {
    return this.autoIds ? undefined : documentId(origin);
  }
}

/** One EncodedBatch being written: items appended in order, the bytes into one growing buffer. */
export class EncodedBatchBuilder {
  private count = 0;
  private end = 0;
  private ends: Uint32Array;
  private heads: Uint32Array;
  private records: Float64Array;
  private subs: Uint32Array;
  private nameOf: Int32Array;
  private readonly names: string[] = [];
  private readonly positions = new Map<string, number>();
  private readonly unencodable: { item: number; message: string }[] = [];
  private buffer: Buffer;

  constructor(
    private readonly encoder: BatchEncoder,
    capacity: number,
  ) {
    const items = Math.max(1, capacity);
    this.ends = new Uint32Array(items);
    this.heads = new Uint32Array(items);
    this.records = new Float64Array(items);
    this.subs = new Uint32Array(items);
    this.nameOf = new Int32Array(items);
    // allocUnsafeSlow: a buffer of its own (never a slice of Node's pool), so it can be transferred.
    this.buffer = Buffer.allocUnsafeSlow(Math.max(1024, items * FIRST_BYTES_PER_EVENT));
  }

  add(events: readonly LogEvent[]): void {
    for (const event of events) this.item(event);
  }

  private item(event: LogEvent): void {
    const i = this.count++;
    if (i === this.ends.length) this.grow();
    this.records[i] = event.origin.record;
    this.subs[i] = event.origin.sub;
    let line: { name: string; head: string; source: string };
    try {
      line = this.encoder.line(event);
    } catch (cause) {
      this.nameOf[i] = -1;
      this.ends[i] = this.end;
      this.unencodable.push({ item: i, message: errorMessage(cause) });
      return;
    }
    const { name, head, source } = line;
    // Three bytes a UTF-16 unit is UTF-8's most: enough room whatever the text holds.
    const most = 3 * (head.length + source.length) + 1;
    let end = this.end;
    if (end + most > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buffer.length, end + most));
      this.buffer.copy(grown, 0, 0, end);
      this.buffer = grown;
    }
    const headBytes = this.buffer.write(head, end);
    end += headBytes;
    end += this.buffer.write(source, end);
    this.buffer[end++] = 0x0a;
    this.end = end;
    this.heads[i] = headBytes;
    this.ends[i] = end;
    let position = this.positions.get(name);
    if (position === undefined) {
      position = this.names.push(name) - 1;
      this.positions.set(name, position);
    }
    this.nameOf[i] = position;
  }

  private grow(): void {
    const size = 2 * this.ends.length;
    const grown = <T extends Uint32Array | Int32Array | Float64Array>(array: T, next: T): T => {
      next.set(array);
      return next;
    };
    this.ends = grown(this.ends, new Uint32Array(size));
    this.heads = grown(this.heads, new Uint32Array(size));
    this.records = grown(this.records, new Float64Array(size));
    this.subs = grown(this.subs, new Uint32Array(size));
    this.nameOf = grown(this.nameOf, new Int32Array(size));
  }

  /** The batch; its arrays are the builder's, cut to the items written (so they can be transferred). */
  finish(): EncodedBatch {
    const n = this.count;
    return {
      bytes: new Uint8Array(this.buffer.buffer, 0, this.end),
      ends: this.ends.subarray(0, n),
      heads: this.heads.subarray(0, n),
      records: this.records.subarray(0, n),
      subs: this.subs.subarray(0, n),
      nameOf: this.nameOf.subarray(0, n),
      names: this.names,
      unencodable: this.unencodable,
    };
  }
}
