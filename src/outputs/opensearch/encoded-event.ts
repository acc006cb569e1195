import type { Doc, LogEvent, Origin } from '../../core/event.js';

/**
 * An event a worker thread encoded: its origin and its line's bytes. The document is read back
 * from the line (JSON.parse) only when something needs it: a dead-letter entry for an item
 * OpenSearch rejected or that is over `max_indices`.
 */
export class EncodedEvent implements LogEvent {
  private parsed: Doc | undefined;

  constructor(
    readonly origin: Origin,
    /** Action line, document JSON and newline. */
    readonly line: Uint8Array,
    private readonly headBytes: number,
  ) {}

  /** The document's JSON, as the line holds it. */
  sourceText(): string {
    const { line, headBytes } = this;
    return Buffer.from(line.buffer, line.byteOffset + headBytes, line.length - headBytes - 1).toString();
  }

  get doc(): Doc {
    this.parsed ??= JSON.parse(this.sourceText()) as Doc;
    return this.parsed;
  }

  set doc(doc: Doc) {
    this.parsed = doc;
  }
}
