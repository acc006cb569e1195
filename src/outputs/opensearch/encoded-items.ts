import type { EncodedBatch, ObjectOrigin } from '../../core/encoded-batch.js';
import type { Origin } from '../../core/event.js';
import type { WriteTracker } from '../write-tracker.js';
import type { BulkItem } from './bulk-item.js';
import type { RejectedItem } from './dead-letter-router.js';
import { EncodedEvent } from './encoded-event.js';
import type { EventEncoder } from './event-encoder.js';

/** The items of one encoded batch, through the output's cap, in item order. */
export function encodedItems(
  batch: EncodedBatch,
  object: ObjectOrigin,
  encoder: EventEncoder,
  tracker: WriteTracker,
): (BulkItem | RejectedItem)[] {
  const { pipeline, bucket, key, etag, lastModified } = object;
  const { bytes, ends, heads, records, subs, nameOf, names } = batch;
  const unencodable = new Map(batch.unencodable.map((u) => [u.item, u.message]));
  const items: (BulkItem | RejectedItem)[] = new Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i]!;
    const origin: Origin = { pipeline, bucket, key, etag, record: records[i]!, sub: subs[i]!, lastModified };
    const event = new EncodedEvent(origin, bytes.subarray(start, end), heads[i]!);
    start = end;
    const name = nameOf[i]!;
    items[i] =
      name < 0
        ? encoder.unencodable(event, tracker, new Error(unencodable.get(i) ?? 'not encoded'))
        : encoder.encoded(event, names[name]!, tracker);
  }
  return items;
}
