import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { Framing } from '../../core/components.js';
import { frameJson } from './frame-json.js';
import type { FramedBatch, FramingOptions } from './framed-batch.js';

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
  if (framing === 'parquet') throw new Error('parquet framing reads byte ranges: call frameParquet with a RangeReader');
  return framing === 'lines' ? frameLines(stream, options) : frameDocument(stream, options);
}

function newBatch(firstRecord: number): FramedBatch {
  return { records: [], recordNumbers: [], firstRecord, lastRecord: firstRecord - 1, oversized: [], invalidUtf8: [] };
}

async function* frameLines(stream: AsyncIterable<unknown>, options: FramingOptions): AsyncGenerator<FramedBatch> {
  const splitter = new LineSplitter(options);
  for await (const chunk of stream) {
    for (const full of splitter.push(chunk as Buffer)) yield full;
  }
  const last = splitter.end();
  if (last) yield last;
}

/** The state of `lines` framing between chunks: the line count, the partial line, the open batch. */
class LineSplitter {
  private readonly max: number;
  private readonly startAfter: number;
  private readonly batchRecords: number;
  /** Number of the last line completed. */
  private line = 0;
  // The partial line at a chunk's end: kept as slices, or only counted once it is too long or skipped.
  // It never holds a CR: a CR ends the line at once, so a carried line never needs trimming.
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private discarding = false;
  /** The previous chunk ended with a CR: an LF opening the next one is the rest of that CRLF, not a line. */
  private afterCr = false;
  private batch: FramedBatch;
  private pending = 0;

  constructor(options: FramingOptions) {
    this.max = options.maxRecordBytes;
    this.startAfter = options.startAfterRecord ?? 0;
    this.batchRecords = options.batchRecords ?? 2000;
    this.batch = newBatch(this.startAfter + 1);
  }

  /** Frames one chunk; returns the batches it filled (usually none). */
  push(buf: Buffer): FramedBatch[] {
    const full: FramedBatch[] = [];
    let pos = 0;
    if (this.afterCr && buf.length > 0) {
      if (buf[0] === NEWLINE) pos = 1;
      this.afterCr = false;
    }
    // Each search result is kept until passed, so every byte is searched at most once per kind. An
    // object without CRs (nearly every log) pays one CR search per chunk and stays on the LF path.
    let nextLf = buf.indexOf(NEWLINE, pos);
    let nextCr = buf.indexOf(CARRIAGE_RETURN, pos);
    while (pos < buf.length) {
      if (nextLf !== -1 && nextLf < pos) nextLf = buf.indexOf(NEWLINE, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = buf.indexOf(CARRIAGE_RETURN, pos);
      // A line ends at LF, at CRLF (one line end) or at a lone CR (old Mac-style files).
      let end: number;
      let next: number;
      if (nextCr === -1 || (nextLf !== -1 && nextLf < nextCr)) {
        if (nextLf === -1) {
          this.keepPartial(buf, pos);
          break;
        }
        end = nextLf;
        next = nextLf + 1;
      } else {
        end = nextCr;
        next = nextCr + 1;
        if (next === buf.length) this.afterCr = true;
        else if (buf[next] === NEWLINE) next++;
      }
      const number = ++this.line;
      if (number <= this.startAfter) {
        this.carry = [];
        this.carryBytes = 0;
      } else if (this.carryBytes > 0 || this.discarding) {
        this.completeCarried(buf, pos, end, number);
      } else {
        this.emit(buf, pos, end, number);
      }
      pos = next;
      if (this.pending >= this.batchRecords) {
        full.push(this.batch);
        this.batch = newBatch(number + 1);
        this.pending = 0;
      }
    }
    return full;
  }

  /** The last batch, once the stream ended: a last line without a line end still counts. */
  end(): FramedBatch | undefined {
    if (this.carryBytes > 0 || this.discarding) {
      const number = ++this.line;
      if (number > this.startAfter) this.completeCarried(Buffer.alloc(0), 0, 0, number);
    }
    return this.batch.lastRecord >= this.batch.firstRecord ? this.batch : undefined;
  }

  /** Keeps `buf[pos..]`, the start of a line the next chunk ends, unless it is skipped or already too long. */
  private keepPartial(buf: Buffer, pos: number): void {
    if (this.line + 1 <= this.startAfter) return;
    this.carryBytes += buf.length - pos;
    if (this.discarding) return;
    if (this.carryBytes > this.max) {
      this.discarding = true;
      this.carry = [];
    } else {
      this.carry.push(buf.subarray(pos));
    }
  }

  private emit(buf: Buffer, start: number, end: number, number: number): void {
    const batch = this.batch;
    batch.lastRecord = number;
    if (end === start) return;
    if (end - start > this.max) {
      batch.oversized.push({ record: number, bytes: end - start });
      this.pending++;
      return;
    }
    const text = buf.toString('utf8', start, end);
    // Replacement characters are rare in logs: confirm with the byte check only when one shows.
    if (text.includes(REPLACEMENT) && !isUtf8(buf.subarray(start, end))) batch.invalidUtf8.push(number);
    batch.records.push(text);
    batch.recordNumbers.push(number);
    this.pending++;
  }

  /** Completes the current partial line (carry) with `buf[start, end)`. */
  private completeCarried(buf: Buffer, start: number, end: number, number: number): void {
    if (this.discarding) {
      this.batch.lastRecord = number;
      this.batch.oversized.push({ record: number, bytes: this.carryBytes + (end - start) });
      this.pending++;
    } else {
      const whole = Buffer.concat([...this.carry, buf.subarray(start, end)]);
      this.emit(whole, 0, whole.length, number);
    }
    this.carry = [];
    this.carryBytes = 0;
    this.discarding = false;
  }
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
