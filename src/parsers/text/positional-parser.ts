import type { ParserFactory, RecordParser } from '../../core/components.js';
import { RecordParseError } from '../../core/errors.js';
import type { Doc } from '../../core/event.js';
import { checkFieldCount, type FieldSpec, mapTokens } from './map-tokens.js';
import { splitPlainLine, TokenizeError, tokenizeLine } from './tokenize-line.js';

export interface PositionalFormat {
  type: string;
  /** Fields in the order AWS writes them, oldest first; newer layouts append. */
  fields: readonly FieldSpec[];
  /** Fewer tokens than this is not a line of this format (a shorter, older layout still has at least these). */
  minFields: number;
  /** `[...]` groups a token (S3 access logs' time). */
  brackets?: boolean;
  /** Tokens are never quoted: a `"` is part of its token (NLB). Split at spaces only. */
  plain?: boolean;
  /** A hand-written builder for the format's hot path; the table-driven mapping otherwise. */
  build?: (tokens: readonly (string | null)[], count: number, context: { key: string; record: number }) => Doc;
}

/** A parser for a space-separated AWS format whose fields are known by position (ALB and its connection logs, Classic ELB, NLB, S3 access). */
export class PositionalParser implements RecordParser {
  private readonly tokens: (string | null)[] = [];
  // Reused per line; copied only when an error is raised.
  private readonly context: { key: string; record: number };

  constructor(
    private readonly format: PositionalFormat,
    key: string,
  ) {
    this.context = { key, record: 0 };
  }

  parse(record: string, recordNumber: number): Doc[] {
    this.context.record = recordNumber;
    let count: number;
    try {
      count = this.format.plain
        ? splitPlainLine(record, this.tokens)
        : tokenizeLine(record, this.tokens, this.format.brackets);
    } catch (error) {
      if (!(error instanceof TokenizeError)) throw error;
      const field = this.format.fields[error.token]?.name ?? `field_${error.token + 1}`;
      throw new RecordParseError(`${this.format.type}: ${error.message} (field ${field})`, { ...this.context, field });
    }
    if (count < this.format.minFields) {
      throw new RecordParseError(
        `${this.format.type}: line has ${count} fields, expected at least ${this.format.minFields} (${this.format.fields[count]?.name ?? 'more'} is missing)`,
        { ...this.context, field: this.format.fields[count]?.name },
      );
    }
    checkFieldCount(this.format.type, count, this.format.fields.length, this.context);
    if (this.format.build) return [this.format.build(this.tokens, count, this.context)];
    return [mapTokens(this.tokens, count, this.format.fields, {}, this.context)];
  }
}

export function positionalParserFactory(format: PositionalFormat): ParserFactory {
  return {
    type: format.type,
    framing: 'lines',
    // Every line carries its whole layout: a resume skips the acknowledged lines unread.
    resumeReadsHeaders: false,
    forObject: (key: string) => new PositionalParser(format, key),
  };
}
