import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { Framing } from '../../core/components.js';
import { frameJson } from './frame-json.js';

/**
 * One batch of records cut from an object's decompressed bytes.
 *
 * Record numbers are 1-based: the line number for `lines` framing (empty lines count
 * but are not emitted, so numbers in a batch can have gaps), the line a document starts on
 * for `json` (frame-json.ts says more), always 1 for `document`.
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

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const REPLACEMENT = '\uFFFD';

/** Splits a decompressed object stream into records: lines, JSON documents, or the whole object as one document. */
export function frameRecords(
  stream: Readable | AsyncIterable<Buffer>,
  framing: Framing,
  options: FramingOptions,
): AsyncIterable<FramedBatch> {
  if (framing === 'json') return frameJson(stream, options);
  return framing === 'lines' ? frameLines(stream, options) : frameDocument(stream, options);
}

function newBatch(firstRecord: number): FramedBatch {
  return { records: [], recordNumbers: [], firstRecord, lastRecord: firstRecord - 1, oversized: [], invalidUtf8: [] };
}

async function* frameLines(stream: AsyncIterable<unknown>, options: FramingOptions): AsyncGenerator<FramedBatch> {
  const max = options.maxRecordBytes;
  const startAfter = options.startAfterRecord ?? 0;
  const batchRecords = options.batchRecords ?? 2000;
  let line = 0; // number of the last line completed
  // The partial line at a chunk's end: kept as slices, or only counted once it is too long or skipped.
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let discarding = false;
  let carryLastByte = 0;
  let batch = newBatch(startAfter + 1);
  let pending = 0;

  const emit = (buf: Buffer, start: number, end: number, number: number): void => {
    if (end > start && buf[end - 1] === CARRIAGE_RETURN) end--;
    batch.lastRecord = number;
    if (end === start) return;
    if (end - start > max) {
      batch.oversized.push({ record: number, bytes: end - start });
      pending++;
      return;
    }
    const text = buf.toString('utf8', start, end);
    // Replacement characters are rare in logs: confirm with the byte check only when one shows.
    if (text.includes(REPLACEMENT) && !isUtf8(buf.subarray(start, end))) batch.invalidUtf8.push(number);
    batch.records.push(text);
    batch.recordNumbers.push(number);
    pending++;
  };

  /** Completes the current partial line (carry) with `buf[start, end)`. */
  const completeCarried = (buf: Buffer, start: number, end: number, number: number): void => {
    if (discarding) {
      let bytes = carryBytes + (end - start);
      if ((end > start ? buf[end - 1] : carryLastByte) === CARRIAGE_RETURN) bytes--;
      batch.lastRecord = number;
      batch.oversized.push({ record: number, bytes });
      pending++;
    } else {
      const whole = Buffer.concat([...carry, buf.subarray(start, end)]);
      emit(whole, 0, whole.length, number);
    }
    carry = [];
    carryBytes = 0;
    discarding = false;
  };

  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(NEWLINE, pos);
      if (nl === -1) {
        // Partial line: keep it unless it is skipped or already too long.
        if (line + 1 > startAfter) {
          carryBytes += buf.length - pos;
          carryLastByte = buf[buf.length - 1]!;
          if (discarding) {
            // only counting
          } else if (carryBytes > max + 1) {
            discarding = true;
            carry = [];
          } else {
            carry.push(buf.subarray(pos));
          }
        }
        break;
      }
      line++;
      if (line <= startAfter) {
        carry = [];
        carryBytes = 0;
      } else if (carryBytes > 0 || discarding) {
        completeCarried(buf, pos, nl, line);
      } else {
        emit(buf, pos, nl, line);
      }
      pos = nl + 1;
      if (pending >= batchRecords) {
        yield batch;
        batch = newBatch(line + 1);
        pending = 0;
      }
    }
  }
  // The last line without a newline still counts.
  if (carryBytes > 0 || discarding) {
    line++;
    if (line > startAfter) completeCarried(Buffer.alloc(0), 0, 0, line);
  }
  if (batch.lastRecord >= batch.firstRecord) yield batch;
}

async function* frameDocument(stream: AsyncIterable<unknown>, options: FramingOptions): AsyncGenerator<FramedBatch> {
  const max = options.maxRecordBytes;
  const skip = (options.startAfterRecord ?? 0) >= 1;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    // Past the limit (or when resuming past record 1), only count: never hold more than max bytes.
    if (!skip && bytes <= max) chunks.push(buf);
    else chunks.length = 0;
  }
  if (skip || bytes === 0) return;
  const batch = newBatch(1);
  batch.lastRecord = 1;
  if (bytes > max) {
    batch.oversized.push({ record: 1, bytes });
  } else {
    const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const text = whole.toString('utf8');
    if (text.includes(REPLACEMENT) && !isUtf8(whole)) batch.invalidUtf8.push(1);
    batch.records.push(text);
    batch.recordNumbers.push(1);
  }
  yield batch;
}
