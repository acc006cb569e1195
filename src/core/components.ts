/**
 * The small interfaces every component kind implements. Each component folder
 * (parsers/, filters/, outputs/, checkpoint/, sources/) exports from its index.ts a
 * zod schema for its config slot and a factory that builds it.
 */
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { EncodedBatch, ObjectOrigin } from './encoded-batch.js';
import type { Doc, LogEvent, Origin, SourceObject } from './event.js';
import type { Metrics } from './metrics.js';

// ---------------------------------------------------------------- parsers

/** Parses one record of one object. May keep state across records of that object (CloudFront's #Fields header). */
export interface RecordParser {
  /**
   * Returns zero or more documents (zero for header and comment lines); throws RecordParseError.
   * `hint` is what the framing learned about the record while cutting it, when it did (the
   * `json` framing's scan facts); a parser gives the same result without it, only slower.
   */
  parse(record: string, recordNumber: number, hint?: number): Doc[];
  /**
   * Parsers of the `parquet` framing: one row, its values in the order of `columns` (the file's
   * top-level column names, the same array for every row of an object) as the Parquet reader
   * decoded them (INT64 as bigint). Returns zero or more documents; throws RecordParseError.
   */
  parseRow?(values: readonly unknown[], columns: readonly string[], recordNumber: number): Doc[];
}

/**
 * How an object's bytes are cut into records: `lines`, one per line; `json`, one per top-level
 * JSON document however it is laid out (NDJSON, pretty-printed, concatenated); `document`, the
 * whole object is one record; `parquet`, one per row of a Parquet file, read by byte ranges
 * (Source.readRange) because its index is in a footer, and handed to the parser's parseRow.
 */
export type Framing = 'lines' | 'json' | 'document' | 'parquet';

export interface ParserFactory {
  readonly type: string;
  readonly framing: Framing;
  /**
   * True when a parser learns the object's layout from its header lines (CloudFront's `#Fields:`,
   * VPC flow's first line): resuming mid-object must then read the object from its first record
   * again (the records before the resume point are parsed, not emitted), or it parses without a layout.
   */
  readonly resumeReadsHeaders: boolean;
  /** A fresh parser for one object. */
  forObject(key: string): RecordParser;
}

// ---------------------------------------------------------------- filters

export interface Filter {
  readonly type: string;
  /** Changes the event in place; returns false to drop it. Synchronous: per-event work never awaits. */
  apply(event: LogEvent): boolean;
  /**
   * Filters that hide secrets (`redact`) offer this: `text` with the same string rules applied
   * (query parameters, URL userinfo, custom patterns, header values in WAF's JSON form), for
   * text that never became a document: dead-letter `raw` and `sluice parse` messages. It
   * applies whatever the filter's `when` says (raw text has no fields to test) and never throws.
   */
  redactText?(text: string): string;
  close?(): Promise<void> | void;
}

// ---------------------------------------------------------------- dead-letter

export interface DeadLetterEntry {
  pipeline: string;
  bucket: string;
  key: string;
  etag?: string;
  /** 1-based record number, or 0 when the whole object failed. */
  record: number;
  /**
   * The event's index within a record of several (CloudTrail) when only that event failed: a
   * parse or filter failure of one event carries it whatever its index. An output refuses one
   * event at a time, so its entries carry it only above 0 (`eventSub`): without it, the record's first.
   */
  sub?: number;
  code: string;
  reason: string;
  /** The raw record text when it never became a document. */
  raw?: string;
  /** The document when it was rejected by an output. */
  doc?: Doc;
  at: string;
}

/** The `sub` of an output's entry for one event it refused: the event's index in its record, left out for 0. */
export function eventSub(origin: Origin): { sub?: number } {
  return origin.sub > 0 ? { sub: origin.sub } : {};
}

export interface DeadLetter {
  /** Resolves only when every entry is durably stored. */
  put(entries: DeadLetterEntry[]): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- outputs

export interface WriteReport {
  /** Newly stored. */
  stored: number;
  /** Already stored before (OpenSearch 409 on a create with the same id). */
  duplicates: number;
  /** Handed to the dead-letter with a reason. */
  deadLettered: number;
}

export interface Output {
  readonly type: string;
  /**
   * True when writing an event again stores it once (OpenSearch with deterministic ids). The
   * runner saves record offsets less often for such outputs; for any other (files, stdout, or
   * when left out) it marks every acknowledgement, so a crash repeats as little as it can.
   */
  readonly idempotent?: boolean;
  /**
   * Local preparation that contacts no service (reads the files its settings name, e.g. an index
   * template). The pipeline build calls it, so `sluice validate` reports what it finds.
   */
  prepare?(): Promise<void>;
  /** Checks the real write path (reachable, authorized, template present); throws an error saying what to fix. */
  start(): Promise<void>;
  /** Settles only when every event is stored or dead-lettered; rejects only when neither is possible. */
  write(events: LogEvent[]): Promise<WriteReport>;
  /**
   * Outputs the encoded path can encode for (OpenSearch: outputs/batch-encoders.ts `createBatchEncoder`):
   * one batch's events as a worker thread or the main thread inline encoded them, settled as `write` settles.
   */
  writeEncoded?(batch: EncodedBatch, object: ObjectOrigin): Promise<WriteReport>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- sources

export interface ListWindow {
  /** Only objects whose LastModified is at or after this instant can be new; null lists everything. */
  since: Date | null;
  /** Optional upper bound (backfill). */
  until?: Date | null;
  /**
   * What since/until compare with: the object's LastModified (live runs, default), or the time
   * its key names (backfill: `[since, until)` by the log's own date; keys without a date fall
   * back to LastModified).
   */
  selectBy?: 'last_modified' | 'key_time';
}

export interface Source {
  readonly type: string;
  /** Names the place in checkpoints and dead-letter entries (the bucket, or the directory). */
  readonly location: string;
  /** Objects that may be new in the window, in no guaranteed order. */
  list(window: ListWindow, signal?: AbortSignal): AsyncIterable<SourceObject>;
  /** The object's raw bytes (still compressed). */
  open(object: SourceObject, signal?: AbortSignal): Promise<Readable>;
  /**
   * Bytes [start, end) of the object's listed version, for formats read by random access
   * (Parquet keeps its index in a footer). A version gone since it was listed fails as open() does.
   */
  readRange(object: SourceObject, start: number, end: number, signal?: AbortSignal): Promise<Buffer>;
  /**
   * The object as it is now, or null when it no longer exists. The runner asks for objects the
   * checkpoint has in progress that a listing did not return, so none is left half-read.
   */
  stat(key: string, signal?: AbortSignal): Promise<SourceObject | null>;
}

// ---------------------------------------------------------------- shared context

export interface ComponentContext {
  pipeline: string;
  logger: Logger;
  metrics: Metrics;
  /** Directory the config file lives in: relative paths in config resolve against it. */
  baseDir: string;
  deadLetter?: DeadLetter;
  /** The pipeline's field naming (`schema`): which built-in index template an output installs. Default aws. */
  schema?: 'aws' | 'ecs';
}

/**
 * What a filter is built with: no metrics registry and no dead-letter (filters use neither), so a
 * worker thread builds its filters without loading prom-client (pipeline/batch-thread.ts).
 */
export type FilterContext = Pick<ComponentContext, 'pipeline' | 'logger' | 'baseDir' | 'schema'>;
