/**
 * JSON framing: splits a decompressed stream into its top-level JSON documents, one record
 * each, however they are laid out: one per line (what AWS writes to S3), pretty-printed over
 * many lines, or several concatenated (`}{`, `}\n{`, `} {`), split anywhere across chunks.
 * A fragment of a document is never a record of its own.
 *
 * Two paths, one result:
 * - Fast path, a line that starts between documents: decoded once and scanned once
 *   (`scanJsonText`); when it holds exactly one document, that line is the record and the
 *   scan's facts (depth, which exact checks the parser must run) travel beside it as its
 *   hint, so the parser does not scan it again. This is the NDJSON case, and it costs the line
 *   split, one scan and `JSON.parse`.
 * - Anything else (a document that goes on past its line, two on one line, junk, a line over
 *   `maxRecordBytes`) goes through `JsonSplitter`, byte by byte, until it is between documents
 *   at the start of a line again. It says how broken documents and junk are resynchronised.
 *
 * Record numbers. A record is numbered by the line its first byte is on, or one more than the
 * previous record's number when that is higher (a second document on the same line). For
 * NDJSON this is exactly the line number the `lines` framing gave every record before this
 * framing existed (empty lines are skipped and counted the same), so checkpoints saved with
 * record offsets and the deterministic document ids derived from record numbers stay valid.
 * For other layouts it is still a pure function of the bytes (and `maxRecordBytes`, which
 * decides which path a long line takes), so a resumed object numbers every record as the
 * first read did. A UTF-8 byte order mark at the start of the stream is skipped.
 *
 * Invalid UTF-8 is decoded with U+FFFD and the record's number listed in `invalidUtf8`, as
 * the `lines` framing does; a record over `maxRecordBytes` is listed in `oversized`, never held.
 */
import { isUtf8 } from 'node:buffer';
import type { FramedBatch, FramingOptions } from './framed-batch.js';
import { JsonSplitter, type SplitterSink } from './json-splitter.js';
import { JSON_EMPTY, scanJsonText } from './scan-json-text.js';

/** The hint of a record the framing did not scan (it came through the general path): the parser scans it. */
export const NO_FACTS = -1;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const REPLACEMENT = '\uFFFD';
const NEWLINE_BYTE = Buffer.from('\n');
const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);

export async function* frameJson(stream: AsyncIterable<unknown>, options: FramingOptions): AsyncGenerator<FramedBatch> {
  const framer = new JsonFramer(options);
  for await (const chunk of stream) {
    framer.push(chunk as Buffer);
    yield* framer.takeReady();
  }
  framer.finish();
  yield* framer.takeReady();
}

class JsonFramer implements SplitterSink {
  private readonly max: number;
  private readonly startAfter: number;
  private readonly batchRecords: number;
  private readonly splitter: JsonSplitter;
  private batch: FramedBatch;
  private pending = 0;
  private ready: FramedBatch[] = [];
  /** The number of the last record cut (emitted or not). */
  private last = 0;
  private openNumber = 0;
  // The start of a line not yet complete, while the fast path may still take it.
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** Bytes of a byte order mark matched so far at the start of the stream; 3 once decided. */
  private bom = 0;

  constructor(options: FramingOptions) {
    this.max = options.maxRecordBytes;
    this.startAfter = options.startAfterRecord ?? 0;
    this.batchRecords = options.batchRecords ?? 2000;
    this.splitter = new JsonSplitter(this, this.max);
    this.batch = newBatch(this.startAfter + 1);
  }

  takeReady(): FramedBatch[] {
    const ready = this.ready;
    this.ready = [];
    return ready;
  }

  push(buf: Buffer): void {
    let pos = this.bom < 3 ? this.skipByteOrderMark(buf) : 0;
    const splitter = this.splitter;
    while (pos < buf.length) {
      const nl = buf.indexOf(NEWLINE, pos);
      if (!splitter.idle) {
        const end = nl === -1 ? buf.length : nl + 1;
        splitter.feed(buf, pos, end);
        pos = end;
      } else if (nl === -1) {
        this.carryPartialLine(buf.subarray(pos));
        break;
      } else {
        this.completeLine(buf, pos, nl, true);
        pos = nl + 1;
      }
    }
  }

  finish(): void {
    if (this.bom > 0 && this.bom < 3) {
      // The stream ended inside what looked like a byte order mark: those bytes are content.
      const taken = this.bom;
      this.bom = 3;
      this.push(BYTE_ORDER_MARK.subarray(0, taken));
    }
    if (this.carryBytes > 0) this.completeLine(Buffer.alloc(0), 0, 0, false);
    this.splitter.finish();
    if (this.batch.lastRecord >= this.batch.firstRecord) this.ready.push(this.batch);
  }

  // ---------------------------------------------------------------- the fast path

  private carryPartialLine(part: Buffer): void {
    this.carry.push(part);
    this.carryBytes += part.length;
    if (this.carryBytes <= this.max + 1) return;
    // Too long to take whole: the general path reads it as it streams.
    for (const piece of this.carry) this.splitter.feed(piece, 0, piece.length);
    this.carry = [];
    this.carryBytes = 0;
  }

  /** The line [start, nl) of `buf`, after any carried start; `newline` is false for a last line without one. */
  private completeLine(buf: Buffer, start: number, nl: number, newline: boolean): void {
    let line = buf;
    let from = start;
    let to = nl;
    if (this.carryBytes > 0) {
      this.carry.push(buf.subarray(start, nl));
      line = Buffer.concat(this.carry);
      from = 0;
      to = line.length;
      this.carry = [];
      this.carryBytes = 0;
    }
    let end = to;
    if (end > from && line[end - 1] === CARRIAGE_RETURN) end--;
    if (end - from <= this.max) {
      const text = line.toString('utf8', from, end);
      const facts = scanJsonText(text);
      if (facts >= 0) {
        this.emit(this.number(this.splitter.line), text, facts, line, from, end);
        this.splitter.line++;
        return;
      }
      if (facts === JSON_EMPTY) {
        this.splitter.line++;
        return;
      }
    }
    this.splitter.feed(line, from, to);
    if (newline) this.splitter.feed(NEWLINE_BYTE, 0, 1);
  }

  // ---------------------------------------------------------------- records of the general path

  begin(line: number): boolean {
    this.openNumber = this.number(line);
    return this.openNumber > this.startAfter;
  }

  end(parts: Buffer[] | null, bytes: number): void {
    const number = this.openNumber;
    if (number <= this.startAfter) return;
    if (parts === null) {
      this.batch.oversized.push({ record: number, bytes });
      this.counted();
      return;
    }
    const whole = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    let end = whole.length;
    while (end > 0 && isWhitespace(whole[end - 1]!)) end--;
    this.emit(number, whole.toString('utf8', 0, end), NO_FACTS, whole, 0, end);
  }

  // ---------------------------------------------------------------- numbering and batches

  /** The number of a record starting on `line`: that line, or one past the previous record. */
  private number(line: number): number {
    const number = line > this.last ? line : this.last + 1;
    this.last = number;
    if (number > this.startAfter) this.batch.lastRecord = number;
    return number;
  }

  private emit(number: number, text: string, facts: number, bytes: Buffer, from: number, to: number): void {
    if (number <= this.startAfter) return;
    const batch = this.batch;
    // Replacement characters are rare in logs: confirm with the byte check only when one shows.
    if (text.includes(REPLACEMENT) && !isUtf8(bytes.subarray(from, to))) batch.invalidUtf8.push(number);
    batch.records.push(text);
    batch.recordNumbers.push(number);
    batch.hints!.push(facts);
    this.counted();
  }

  private counted(): void {
    if (++this.pending < this.batchRecords) return;
    this.ready.push(this.batch);
    this.batch = newBatch(this.last + 1);
    this.pending = 0;
  }

  /** Skips a byte order mark at the start of the stream, even one split across chunks. */
  private skipByteOrderMark(buf: Buffer): number {
    let pos = 0;
    while (this.bom < 3 && pos < buf.length && buf[pos] === BYTE_ORDER_MARK[this.bom]) {
      this.bom++;
      pos++;
    }
    if (this.bom === 3 || pos === buf.length) return pos;
    // Not a byte order mark after all: the bytes taken for one are content.
    const taken = this.bom;
    this.bom = 3;
    if (taken > 0) this.push(BYTE_ORDER_MARK.subarray(0, taken));
    return pos;
  }
}

function newBatch(firstRecord: number): FramedBatch {
  return {
    records: [],
    recordNumbers: [],
    hints: [],
    firstRecord,
    lastRecord: firstRecord - 1,
    oversized: [],
    invalidUtf8: [],
  };
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
