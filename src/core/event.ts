/** A document as parsers emit it and filters change it: the log's own fields. */
export type Doc = Record<string, unknown>;

/** Where an event came from. It names the event for its deterministic id, its dead-letter entry and its acknowledgement. */
export interface Origin {
  pipeline: string;
  bucket: string;
  key: string;
  etag: string;
  /** 1-based record number in the object (line number for line framing; for JSON framing the line a document starts on, see parsers/framing/frame-json.ts). */
  record: number;
  /** 0-based index of the event among those one record produced (CloudTrail: one record, many events). */
  sub: number;
  /** The object's LastModified (epoch ms): the fallback event time, so replays pick the same index. */
  lastModified: number;
}

export interface LogEvent {
  doc: Doc;
  origin: Origin;
}

/** An object that a source can read. */
export interface SourceObject {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  lastModified: Date;
  storageClass?: string;
  /** The bucket's region when it is known to differ from the source's (a notification record names it). */
  region?: string;
}
