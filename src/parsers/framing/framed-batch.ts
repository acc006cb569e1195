/**
 * One batch of records cut from an object's decompressed bytes.
 *
 * Record numbers are 1-based: the line number for `lines` framing, the line a document starts
 * on for `json` (frame-json.ts says more), always 1 for `document`, the row's ordinal for
 * `parquet` (frame-parquet.ts, which reads by byte ranges and is not called from here).
 * A line ends at LF, at CRLF (one line end, wherever a chunk boundary falls) or at a lone CR
 * (old Mac-style files), so numbers do not depend on how the stream was chunked and a resume
 * offset names the same line every time. Empty lines count but are not emitted, so numbers in
 * a batch can have gaps.
 * Records that are not emitted as text are reported beside them:
 * - `oversized`: records longer than `maxRecordBytes` (without their line ending); they
 *   are never held in memory whole, only counted. The caller dead-letters them.
 * - `invalidUtf8`: numbers of emitted records whose bytes were not valid UTF-8; their
 *   text holds U+FFFD replacement characters. Not fatal: the caller may count or tag them.
 * `lastRecord` is the highest record number the batch covers (emitted, empty or
 * oversized): once everything in the batch is acknowledged, resuming with
 * `startAfterRecord: lastRecord` loses and repeats nothing.
 */
export interface FramedBatch {
  records: string[];
  /** The number of each record, parallel to `records`. */
  recordNumbers: number[];
  /** The first record number this batch covers. */
  firstRecord: number;
  lastRecord: number;
  oversized: OversizedRecord[];
  invalidUtf8: number[];
  /**
   * `json` framing only, parallel to `records`: what the framing's scan learned about each
   * document (see `scan-json-text.ts`), or NO_FACTS; the parser gets it as its hint.
   */
  hints?: number[];
  /**
   * `parquet` framing only (frame-parquet.ts), parallel to `recordNumbers`, `records` then empty:
   * each row's values in the order of `columns`, which the parser's parseRow reads.
   */
  rows?: unknown[][];
  /** The object's top-level column names, with `rows`. */
  columns?: readonly string[];
}

export interface OversizedRecord {
  record: number;
  bytes: number;
}

export interface FramingOptions {
  /** A record longer than this (in bytes, without its line ending) is reported in `oversized` instead of emitted. */
  maxRecordBytes: number;
  /** Records up to and including this number are skipped without being decoded (resume after a crash). */
  startAfterRecord?: number;
  /** Records per batch (default 2000): large enough to amortize the async hop, small enough to stay cache-friendly. */
  batchRecords?: number;
}

/**
 * The batch cut into consecutive slices of at most `size` records that together cover exactly
 * its record numbers (`firstRecord`..`lastRecord`, each oversized or invalid record in the slice
 * that covers its number): running the record loop slice by slice gives the same events and
 * failures as the whole batch, while a slice's documents die young.
 */
export function sliceBatch(batch: FramedBatch, size: number): FramedBatch[] {
  const n = batch.recordNumbers.length;
  if (n <= size) return [batch];
  const slices: FramedBatch[] = [];
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    const firstRecord = start === 0 ? batch.firstRecord : batch.recordNumbers[start - 1]! + 1;
    const lastRecord = end === n ? batch.lastRecord : batch.recordNumbers[end - 1]!;
    const covers = (record: number) => record >= firstRecord && record <= lastRecord;
    const slice: FramedBatch = {
      records: batch.rows ? batch.records : batch.records.slice(start, end),
      recordNumbers: batch.recordNumbers.slice(start, end),
      firstRecord,
      lastRecord,
      oversized: batch.oversized.filter((o) => covers(o.record)),
      invalidUtf8: batch.invalidUtf8.filter(covers),
    };
    if (batch.hints) slice.hints = batch.hints.slice(start, end);
    if (batch.rows) {
      slice.rows = batch.rows.slice(start, end);
      slice.columns = batch.columns;
    }
    slices.push(slice);
  }
  return slices;
}
