/**
 * The record loop: one framed batch in (parsers/framing), out come the events that passed the
 * filters, the dead-letter entries of the records that became no event, and the counts. Pure
 * and synchronous: no I/O, no awaiting, nothing kept between batches but the parser's own state.
 *
 * It lives in pipeline/, not beside parsers/framing/, because it is where a pipeline's pieces
 * meet: framing knows bytes, a parser knows one record, filters know one event; the resume
 * point, the record's origin and what counts as a failure belong to the pipeline. It is the one
 * copy that the worker (process-object.ts), `sluice parse` and the benchmark all run, so what
 * `sluice parse` prints and what the benchmark measures is what gets indexed.
 */
import type { DeadLetterEntry, Filter, ParserFactory, RecordParser } from '../core/components.js';
import type { ErrorCode } from '../core/error-codes.js';
import {
  type EventParseFailure,
  errorCode,
  errorMessage,
  PartialRecordError,
  RecordParseError,
  SluiceError,
} from '../core/errors.js';
import type { Doc, LogEvent } from '../core/event.js';
import { addTag } from '../core/tags.js';
import { rowText } from '../parsers/framing/frame-parquet.js';
import type { FramedBatch, FramingOptions } from '../parsers/framing/framed-batch.js';

/** The object a loop reads: what every event's origin and every dead-letter entry names. */
export interface LoopObject {
  pipeline: string;
  bucket: string;
  key: string;
  etag: string;
  /** The object's LastModified, epoch ms. */
  lastModified: number;
}

export interface RecordLoopOptions {
  parser: ParserFactory;
  filters: readonly Filter[];
  object: LoopObject;
  /** Records at or before this number were acknowledged before a restart: never emitted again. */
  resumeAfter: number;
  /** Records longer than this are dead-lettered unread (passed on to framing). */
  maxRecordBytes: number;
  /**
   * The last step of every kept event: `schema: ecs` renames its fields (ecs/field-naming.ts), after the
   * filters, so they and their conditions see the parser's names. Absent for `schema: aws`.
   */
  rename?: (doc: Doc) => Doc;
}

export interface BatchResult {
  /** Events that passed every filter, in record order. */
  events: LogEvent[];
  /**
   * Records that did not parse or were too long, one entry each, and events a filter threw on
   * (one entry per event, with its record's raw text, never the half-filtered document).
   */
  failures: DeadLetterEntry[];
  /** Records after the resume point that parsed (into zero or more events). */
  records: number;
  /** Records after the resume point read at all: parsed, unparsable or too long. */
  read: number;
  /** Events a filter dropped. */
  dropped: number;
}

/** Tag on events whose record's bytes were not UTF-8 (decoded with U+FFFD); the event is kept. */
export const INVALID_UTF8_TAG = '_invalid_utf8';

/** One object's record loop. Create one per object (the parser keeps per-object state). */
export class RecordLoop {
  /** What to hand `frameRecords` for this object. */
  readonly framing: FramingOptions;
  private readonly parser: RecordParser;
  private readonly filters: readonly Filter[];
  /** The object it reads. */
  readonly object: LoopObject;
  private readonly resumeAfter: number;
  private readonly maxRecordBytes: number;
  private readonly rename: ((doc: Doc) => Doc) | undefined;

  constructor(options: RecordLoopOptions) {
    this.parser = options.parser.forObject(options.object.key);
    if (options.parser.framing === 'parquet' && !this.parser.parseRow) {
      throw new Error(`parser ${options.parser.type} has parquet framing but no parseRow`);
    }
    this.filters = options.filters;
    this.object = options.object;
    this.resumeAfter = options.resumeAfter;
    this.maxRecordBytes = options.maxRecordBytes;
    this.rename = options.rename;
    this.framing = {
      maxRecordBytes: options.maxRecordBytes,
      // A parser whose state comes from header lines must read them again, so framing skips nothing.
      startAfterRecord: options.parser.resumeReadsHeaders ? 0 : options.resumeAfter,
    };
  }

  /**
   * Parses and filters one batch. Returns null when the whole batch lies at or before the resume
   * point: it was read only so a header-reading parser keeps its state; nothing is to be sent
   * or acknowledged for it.
   */
  run(batch: FramedBatch): BatchResult | null {
    const resumeAfter = this.resumeAfter;
    const result: BatchResult = { events: [], failures: [], records: 0, read: 0, dropped: 0 };
    let unparsed = 0;
    for (const oversized of batch.oversized) {
      if (oversized.record <= resumeAfter) continue;
      unparsed++;
      const reason = `record of ${oversized.bytes} bytes exceeds max_record_bytes (${this.maxRecordBytes})`;
      result.failures.push(this.failure(oversized.record, 'ERR_RECORD_TOO_LARGE', reason));
    }
    const { pipeline, bucket, key, etag, lastModified } = this.object;
    const parser = this.parser;
    const filters = this.filters;
    const rename = this.rename;
    const events = result.events;
    const { records, recordNumbers, hints, rows, columns } = batch;
    const invalid = batch.invalidUtf8.length > 0 ? new Set(batch.invalidUtf8) : undefined;
    let parsed = 0;
    let dropped = 0;
    // The record whose raw text a filter failure already carried (a record of many events carries it once).
    let rawCarried = 0;
    for (let i = 0; i < recordNumbers.length; i++) {
      const record = recordNumbers[i]!;
      let docs: Doc[];
      // Set when only some events of a record of many parsed: the index in the record of each of docs.
      let subs: readonly number[] | undefined;
      try {
        // Parquet rows arrive decoded (frame-parquet.ts); every other framing hands over text.
        docs = rows ? parser.parseRow!(rows[i]!, columns!, record) : parser.parse(records[i]!, record, hints?.[i]);
      } catch (error) {
        if (!(error instanceof PartialRecordError)) {
          if (record > resumeAfter) {
            unparsed++;
            result.failures.push(this.parseFailure(record, error, rawText(batch, i)));
          }
          continue;
        }
        if (record <= resumeAfter) continue;
        // Some events of a record of many failed: each alone to the dead-letter, the others go on.
        for (const failed of error.failed) result.failures.push(this.eventFailure(record, failed));
        docs = error.docs;
        subs = error.subs;
      }
      if (record <= resumeAfter) continue;
      parsed++;
      // Bytes that were not UTF-8 became U+FFFD: the event is kept, and says so.
      if (invalid?.has(record)) for (const doc of docs) addTag(doc, INVALID_UTF8_TAG);
      for (let n = 0; n < docs.length; n++) {
        // The event's index in its record: its id is the same whether or not other events failed.
        const sub = subs === undefined ? n : subs[n]!;
        // An explicit literal: an object spread per event costs ~10x more on Node 20 (bench).
        const event: LogEvent = {
          doc: docs[n]!,
          origin: { pipeline, bucket, key, etag, record, sub, lastModified },
        };
        const outcome = applyFilters(filters, event);
        if (outcome === true) {
          if (rename !== undefined) event.doc = rename(event.doc);
          events.push(event);
        } else if (outcome === false) dropped++;
        else {
          const many = subs !== undefined || docs.length > 1;
          const raw = many && rawCarried === record ? undefined : rawText(batch, i);
          if (many) rawCarried = record;
          result.failures.push(this.filterFailure(record, many ? sub : undefined, outcome, raw));
        }
      }
    }
    if (batch.lastRecord <= resumeAfter) return null;
    result.records = parsed;
    result.read = parsed + unparsed;
    result.dropped = dropped;
    return result;
  }

  private parseFailure(record: number, error: unknown, raw: string): DeadLetterEntry {
    const reason = error instanceof RecordParseError ? error.message : `parser failed: ${errorMessage(error)}`;
    return this.failure(record, errorCode(error), reason, raw);
  }

  /**
   * The entry of one event a filter threw on. Its document may be half filtered (a redact filter
   * later in the chain never ran), so the entry carries the record's raw text instead, which the
   * dead-letter redacts. A record of many events (CloudTrail) names the event by `sub` and carries
   * its raw text once, with its first event a filter failed on (`raw` undefined for the others).
   */
  private filterFailure(
    record: number,
    sub: number | undefined,
    failure: FilterFailure,
    raw?: string,
  ): DeadLetterEntry {
    const entry = this.failure(record, failure.code, failure.reason, raw);
    if (sub !== undefined) entry.sub = sub;
    return entry;
  }

  /** The entry of one event of a record of many that did not parse: its index and its own text. */
  private eventFailure(record: number, failed: EventParseFailure): DeadLetterEntry {
    const entry = this.failure(record, 'ERR_RECORD_PARSE', failed.reason, failed.raw);
    entry.sub = failed.sub;
    return entry;
  }

  private failure(record: number, code: string, reason: string, raw?: string): DeadLetterEntry {
    const { pipeline, bucket, key, etag } = this.object;
    return { pipeline, bucket, key, etag, record, code, reason, raw, at: new Date().toISOString() };
  }
}

/** The raw text of the batch's i-th record for a dead-letter entry: the line, or a Parquet row as JSON. */
function rawText(batch: FramedBatch, i: number): string {
  return batch.rows ? rowText(batch.columns!, batch.rows[i]!) : batch.records[i]!;
}

/** Why a filter could not process one event: that record goes to the dead-letter. */
interface FilterFailure {
  code: ErrorCode;
  reason: string;
}

/**
 * Applies the filters in order: true keeps the event, false when one dropped it, or the failure
 * of the filter that threw. One try/catch per event, outside the loop over filters: it costs
 * nothing measurable on the hot path while nothing throws (bench, see docs/BENCHMARKS.md).
 */
function applyFilters(filters: readonly Filter[], event: LogEvent): boolean | FilterFailure {
  let i = 0;
  try {
    for (; i < filters.length; i++) {
      if (!filters[i]!.apply(event)) return false;
    }
  } catch (error) {
    return filterFailure(filters[i]!, error);
  }
  return true;
}

/**
 * A record-level error keeps its code (ERR_FILTER_APPLY names the field); anything else a filter
 * throws on one event (a bug, a stack overflow on hostile input) is ERR_FILTER_APPLY too. An
 * error of the object or pipeline level is not the record's fault: it fails the object.
 */
function filterFailure(filter: Filter, error: unknown): FilterFailure {
  if (error instanceof SluiceError && error.level !== 'record') throw error;
  const code = error instanceof SluiceError ? error.code : 'ERR_FILTER_APPLY';
  return { code, reason: `${filter.type} filter: ${errorMessage(error)}` };
}
