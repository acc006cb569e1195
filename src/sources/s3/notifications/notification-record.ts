import type { NotifiedRecord } from './notification-envelope.js';

/** Why a notified record is not read; each is counted in `sluice_sqs_records_total{outcome}`. */
export type RecordSkip =
  /** Not a create event (a removal, a restore, a tag change): nothing new to read. */
  | 'not_created'
  /** A bucket outside `notifications.buckets`. */
  | 'other_bucket'
  /** A key outside the prefixes, `include` and `exclude`, or one sluice writes itself. */
  | 'filtered'
  /** A folder marker (a key ending in `/`): it holds no records. */
  | 'folder';

/** The object version a record names, to claim and read. */
export interface NotifiedObject {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  region?: string;
}

export type RecordDecision = { kind: 'read'; object: NotifiedObject } | { kind: 'skip'; reason: RecordSkip };

/** Which records a pipeline reads: the source's filters, applied to notified keys as to listed ones. */
export interface RecordFilter {
  /** Only these buckets; undefined: any bucket the queue names. */
  buckets?: ReadonlySet<string>;
  /** Key prefixes to read (`['']`: every key). */
  prefixes: readonly string[];
  include: readonly RegExp[];
  exclude: readonly RegExp[];
  /** Keys sluice writes itself (its checkpoint or dead-letter in the same bucket). */
  isOwnKey(bucket: string, key: string): boolean;
}

/** Decides one record of a message. Pure. */
export function decideRecord(record: NotifiedRecord, filter: RecordFilter): RecordDecision {
  if (!record.created || record.etag === undefined) return { kind: 'skip', reason: 'not_created' };
  const { bucket, key } = record;
  if (filter.buckets && !filter.buckets.has(bucket)) return { kind: 'skip', reason: 'other_bucket' };
  if (key.endsWith('/')) return { kind: 'skip', reason: 'folder' };
  if (!filter.prefixes.some((prefix) => key.startsWith(prefix))) return { kind: 'skip', reason: 'filtered' };
  if (filter.include.length > 0 && !filter.include.some((pattern) => pattern.test(key))) {
    return { kind: 'skip', reason: 'filtered' };
  }
  if (filter.exclude.some((pattern) => pattern.test(key))) return { kind: 'skip', reason: 'filtered' };
  if (filter.isOwnKey(bucket, key)) return { kind: 'skip', reason: 'filtered' };
  return {
    kind: 'read',
    object: {
      bucket,
      key,
      etag: record.etag,
      size: record.size ?? 0,
      ...(record.region ? { region: record.region } : {}),
    },
  };
}
