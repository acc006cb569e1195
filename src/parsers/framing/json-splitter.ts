/**
 * The JSON framing's general path: a byte-level state machine that cuts a stream into
 * top-level JSON documents wherever they start and end (several on one line, one over many
 * lines, one across stream chunks), for the lines the fast path in `frame-json.ts` cannot
 * take whole. It checks enough grammar (what may follow what, strings, matching brackets) to
 * notice early that a document is broken, and then resynchronises:
 *
 * - Between documents, whitespace is skipped; `{` or `[` starts a document.
 * - Anything else, and a document found broken (a byte the grammar does not allow, a raw
 *   control character such as a line break inside a string, brackets nested deeper than
 *   MAX_TRACKED_DEPTH, the end of the stream inside it), is one record that ends before the
 *   first line after its start that begins with `{` or `[` in its first column; the next
 *   document starts there. Formatters indent nested values, so a broken pretty-printed
 *   document is one record (one dead-letter entry, not one per line), and a line cut short
 *   where a value was due does not swallow the document on the next line: when the break
 *   shows only after such a line, the bytes from that line on are scanned again (once: a
 *   record found during that second scan resynchronises forward only, so no input costs more
 *   than two passes). A document that is not broken is never cut, however it is laid out.
 *
 * Memory: a record's bytes are held (as slices of the chunks) only up to `maxRecordBytes`;
 * past that it is only counted, and cannot be scanned again. The bracket stack is bounded.
 */

/** Where the splitter hands its records. */
export interface SplitterSink {
  /** A record starts on `line`; returns whether its text is wanted (false when resume skips it). */
  begin(line: number): boolean;
  /** The record ends; `parts` is null when it was not wanted or exceeded `maxRecordBytes` (then `bytes` says by how much). */
  end(parts: Buffer[] | null, bytes: number): void;
}

enum Mode {
  Between,
  Document,
  /** Junk, or a broken document: runs to the next line that starts with `{` or `[`. */
  Skip,
}

enum Expect {
  Value,
  ValueOrClose,
  Key,
  KeyOrClose,
  Colon,
  CommaOrClose,
}

/** Deeper than this a document is treated as broken (no real log nests so deep; see max_depth). */
export const MAX_TRACKED_DEPTH = 4096;

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);
const OBJECT = 1;
const ARRAY = 2;

export class JsonSplitter {
  /** The line of the next byte, 1-based. */
  line = 1;
  private mode = Mode.Between;
  private atLineStart = true;
  private readonly stack = new Uint8Array(MAX_TRACKED_DEPTH + 1);
  private depth = 0;
  private expect = Expect.Value;
  private inString = false;
  private escape = false;
  private stringIsKey = false;
  private inToken = false;
  // The open record: its bytes so far (null once over maxRecordBytes), their count, whether the
  // sink wants its text, and where its bytes start in the buffer being scanned.
  private parts: Buffer[] | null = null;
  private bytes = 0;
  private wanted = false;
  private segmentStart = 0;
  /** Offset in the open document of the first line after its start that begins with `{` or `[`; -1: none. */
  private candidate = -1;
  private candidateLine = 0;
  /** True while bytes are scanned again; a record found then never goes back (mayRescan). */
  private rescanning = false;
  private mayRescan = true;
  /** Set by a rescan: the bytes to scan before the rest of the current buffer. */
  private again: Buffer | null = null;

  constructor(
    private readonly sink: SplitterSink,
    private readonly maxRecordBytes: number,
  ) {}

  /** True between documents at the start of a line: the fast path may take the next line. */
  get idle(): boolean {
    return this.mode === Mode.Between && this.atLineStart;
  }

  feed(buf: Buffer, start: number, end: number): void {
    let from = this.scan(buf, start, end);
    while (this.again !== null) {
      // A rescan: its bytes first, found again as records that do not rescan, then the rest.
      this.scanAgain();
      from = this.scan(buf, from, end);
    }
  }

  /** The end of the stream: an open document was unterminated (broken), an open skip ends here. */
  finish(): void {
    this.segmentStart = 0;
    if (this.mode === Mode.Document && this.rescan(EMPTY, 0)) this.scanAgain();
    if (this.mode !== Mode.Between) this.close(EMPTY, 0);
  }

  private scanAgain(): void {
    const again = this.again!;
    this.again = null;
    this.rescanning = true;
    this.scan(again, 0, again.length);
    this.rescanning = false;
  }

  /** Scans buf[start, end); returns `end`, or where to go on after the bytes of a rescan (`this.again`). */
  private scan(buf: Buffer, start: number, end: number): number {
    this.segmentStart = start;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      const lineStart = this.atLineStart;
      this.atLineStart = c === NEWLINE;
      if (this.mode === Mode.Document) {
        if (!this.step(c)) {
          // Broken: back to the first line that could start a document, else on to the next one.
          if (this.rescan(buf, i + 1)) return i + 1;
          if (lineStart && isOpener(c)) {
            this.close(buf, i);
            this.open(i, c);
          } else {
            this.mode = Mode.Skip;
          }
        } else if (this.depth === 0) {
          this.close(buf, i + 1);
        } else if (lineStart && isOpener(c) && this.candidate < 0) {
          this.candidate = this.bytes + (i - this.segmentStart);
          this.candidateLine = this.line;
        }
      } else if (this.mode === Mode.Skip) {
        if (lineStart && isOpener(c)) {
          this.close(buf, i);
          this.open(i, c);
        }
      } else if (isOpener(c)) {
        this.open(i, c);
      } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== NEWLINE) {
        this.begin(i);
        this.mode = Mode.Skip;
      }
      if (c === NEWLINE) this.line++;
    }
    if (this.mode !== Mode.Between) this.append(buf, this.segmentStart, end);
    return end;
  }

  private begin(at: number): void {
    this.wanted = this.sink.begin(this.line);
    this.parts = [];
    this.bytes = 0;
    this.segmentStart = at;
    this.candidate = -1;
    this.mayRescan = !this.rescanning;
  }

  private open(at: number, opener: number): void {
    this.begin(at);
    this.mode = Mode.Document;
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.inToken = false;
    this.expect = Expect.Value;
    this.step(opener);
  }

  /**
   * A document broke after a line that could have started one: it ends before that line, and the
   * bytes from there to `end` are scanned again. False when there is no such line, the bytes were
   * not held, or this document was itself found by a rescan.
   */
  private rescan(buf: Buffer, end: number): boolean {
    if (this.candidate < 0 || !this.mayRescan || this.parts === null) return false;
    if (this.bytes + (end - this.segmentStart) > this.maxRecordBytes) return false;
    this.append(buf, this.segmentStart, end);
    const held = Buffer.concat(this.parts!);
    this.parts = [held.subarray(0, this.candidate)];
    this.bytes = this.candidate;
    this.again = held.subarray(this.candidate);
    this.end();
    this.line = this.candidateLine;
    this.atLineStart = true;
    return true;
  }

  private close(buf: Buffer, end: number): void {
    this.append(buf, this.segmentStart, end);
    this.end();
  }

  private end(): void {
    const parts = this.wanted ? this.parts : null;
    this.parts = null;
    this.mode = Mode.Between;
    this.sink.end(parts, this.bytes);
  }

  private append(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.bytes += end - start;
    if (this.parts === null) return;
    if (this.bytes > this.maxRecordBytes) this.parts = null;
    else this.parts.push(buf.subarray(start, end));
  }

  /** One byte of an open document; false when the grammar does not allow it. */
  private step(c: number): boolean {
    if (this.inString) {
      if (this.escape) this.escape = false;
      else if (c === 0x5c) this.escape = true;
      else if (c === 0x22) {
        this.inString = false;
        this.expect = this.stringIsKey ? Expect.Colon : Expect.CommaOrClose;
      } else if (c < 0x20) return false;
      return true;
    }
    if (this.inToken) {
      if (isTokenByte(c)) return true;
      this.inToken = false;
      this.expect = Expect.CommaOrClose;
    }
    switch (c) {
      case 0x20:
      case 0x09:
      case 0x0d:
      case NEWLINE:
        return true;
      case 0x7b:
      case 0x5b:
        if (!this.expectsValue() || this.depth >= MAX_TRACKED_DEPTH) return false;
        this.stack[++this.depth] = c === 0x7b ? OBJECT : ARRAY;
        this.expect = c === 0x7b ? Expect.KeyOrClose : Expect.ValueOrClose;
        return true;
      case 0x7d:
      case 0x5d:
        return this.closeContainer(c === 0x7d ? OBJECT : ARRAY);
      case 0x3a:
        if (this.expect !== Expect.Colon) return false;
        this.expect = Expect.Value;
        return true;
      case 0x2c:
        if (this.expect !== Expect.CommaOrClose) return false;
        this.expect = this.stack[this.depth] === OBJECT ? Expect.Key : Expect.Value;
        return true;
      case 0x22:
        this.stringIsKey = this.expect === Expect.Key || this.expect === Expect.KeyOrClose;
        if (!this.stringIsKey && !this.expectsValue()) return false;
        this.inString = true;
        return true;
      default:
        // Numbers and true/false/null: their spelling is JSON.parse's to check.
        if (!this.expectsValue() || !isTokenByte(c)) return false;
        this.inToken = true;
        return true;
    }
  }

  private expectsValue(): boolean {
    return this.expect === Expect.Value || this.expect === Expect.ValueOrClose;
  }

  private closeContainer(kind: number): boolean {
    if (this.stack[this.depth] !== kind) return false;
    const open = kind === OBJECT ? Expect.KeyOrClose : Expect.ValueOrClose;
    if (this.expect !== open && this.expect !== Expect.CommaOrClose) return false;
    this.depth--;
    this.expect = Expect.CommaOrClose;
    return true;
  }
}

function isOpener(c: number): boolean {
  return c === 0x7b || c === 0x5b;
}

/** Bytes that may continue a number or a literal. */
function isTokenByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45;
}
