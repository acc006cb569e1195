import type { Origin } from './event.js';

/** What every event of one object shares in its origin: the batch names only each item's record and sub. */
export type ObjectOrigin = Omit<Origin, 'record' | 'sub'>;

/**
 * One batch's events for one output, encoded by pipeline/loop-and-encode.ts (a worker thread, or inline):
 * every item's bulk line as bytes, back to back, and per item where it came from and where its
 * line lies. Typed arrays over their own buffers, so a thread hands it over by transfer, not copy.
 */
export interface EncodedBatch {
  /** Every item's line (action line, document JSON, newline), UTF-8, in item order. */
  bytes: Uint8Array;
  /** Per item: where its line ends in `bytes` (it starts where the one before ends). */
  ends: Uint32Array;
  /** Per item: the bytes of its action line, which its document follows. */
  heads: Uint32Array;
  /** Per item: its record number and the index of its event among the record's. */
  records: Float64Array;
  subs: Uint32Array;
  /**
   * Per item: its index name as a position in `names`, before the per-process `max_indices` cap
   * (applied where the output lives); -1 when it could not be encoded (see `unencodable`).
   */
  nameOf: Int32Array;
  names: string[];
  /** Items JSON (or the index name) could not hold, with what was thrown; they hold no bytes. */
  unencodable: { item: number; message: string }[];
}

/** The buffers a thread transfers with the batch. */
export function encodedBatchTransfer(batch: EncodedBatch): ArrayBuffer[] {
  const { bytes, ends, heads, records, subs, nameOf } = batch;
  return [bytes, ends, heads, records, subs, nameOf].map((array) => array.buffer as ArrayBuffer);
}
