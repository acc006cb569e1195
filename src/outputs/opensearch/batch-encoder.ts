import { documentId } from '../../core/document-id.js';
import type { EncodedBatch } from '../../core/encoded-batch.js';
import { errorMessage } from '../../core/errors.js';
import type { LogEvent } from '../../core/event.js';
import { encodeBulkLine } from './bulk-encoder.js';
import { compileIndexName } from './index-name.js';
import type { OpenSearchOutputConfig } from './opensearch-config.js';

export type BatchEncoderConfig = Pick<OpenSearchOutputConfig, 'index' | 'action' | 'document_id' | 'data_stream'>;

/** Room for one batch of ALB-sized lines before the buffer has to grow. */
const FIRST_BYTES_PER_EVENT = 2048;

/**
 * The worker-thread half of the OpenSearch output (pipeline/batch-threads.ts): what
 * `EventEncoder` does per event (`_id`, index name, action line, document JSON), written as
 * UTF-8 into one buffer per batch, with the index names left for the output's `max_indices` cap
 * (a per-process count only the main thread can keep). The bytes are exactly those the
 * in-process path copies into a request body (test/outputs/batch-encoder.test.ts).
 */
export class BatchEncoder {
  private readonly indexName: (event: LogEvent) => string;
  private readonly op: 'create' | 'index';
  private readonly autoIds: boolean;

  constructor(config: BatchEncoderConfig) {
    this.indexName = compileIndexName(config.index);
    this.op = config.data_stream ? 'create' : config.action;
    this.autoIds = config.document_id === 'auto';
  }

  encode(events: readonly LogEvent[]): EncodedBatch {
    const count = events.length;
    const batch: EncodedBatch = {
      bytes: new Uint8Array(0),
      ends: new Uint32Array(count),
      heads: new Uint32Array(count),
      records: new Float64Array(count),
      subs: new Uint32Array(count),
      nameOf: new Int32Array(count),
      names: [],
      unencodable: [],
    };
    const positions = new Map<string, number>();
    // allocUnsafeSlow: a buffer of its own (never a slice of Node's pool), so it can be transferred.
    let buffer = Buffer.allocUnsafeSlow(Math.max(1024, count * FIRST_BYTES_PER_EVENT));
    let end = 0;
    for (let i = 0; i < count; i++) {
      const event = events[i]!;
      batch.records[i] = event.origin.record;
      batch.subs[i] = event.origin.sub;
      let name: string;
      let head: string;
      let source: string;
      try {
        name = this.indexName(event);
        const id = this.autoIds ? undefined : documentId(event.origin);
        ({ head, source } = encodeBulkLine(this.op, name, id, event.doc));
      } catch (cause) {
        batch.nameOf[i] = -1;
        batch.ends[i] = end;
        batch.unencodable.push({ item: i, message: errorMessage(cause) });
        continue;
      }
      // Three bytes a UTF-16 unit is UTF-8's most: enough room whatever the text holds.
      const most = 3 * (head.length + source.length) + 1;
      if (end + most > buffer.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(2 * buffer.length, end + most));
        buffer.copy(grown, 0, 0, end);
        buffer = grown;
      }
      const headBytes = buffer.write(head, end);
      end += headBytes;
      end += buffer.write(source, end);
      buffer[end++] = 0x0a;
      batch.heads[i] = headBytes;
      batch.ends[i] = end;
      let position = positions.get(name);
      if (position === undefined) {
        position = batch.names.push(name) - 1;
        positions.set(name, position);
      }
      batch.nameOf[i] = position;
    }
    batch.bytes = new Uint8Array(buffer.buffer, 0, end);
    return batch;
  }
}
