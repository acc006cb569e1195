/**
 * Every error code sluice raises, with the level it normally belongs to and the stage it
 * happens in. docs/ARCHITECTURE.md ("Error codes") shows this table; test/core/error-codes.test.ts
 * keeps the two, and the codes raised in src/, in step.
 */

/**
 * How far a failure reaches (docs/ARCHITECTURE.md, "Error codes"):
 * - `record`: that record goes to the dead-letter with its reason; the object goes on.
 * - `object`: bounded attempts at the object, then one quarantine entry in the dead-letter.
 * - `pipeline`: the pipeline pauses and retries with backoff; nothing is marked done.
 */
export type FailureLevel = 'record' | 'object' | 'pipeline';

/** Where in the pipeline a failure happens, in the terms of Vector's component spec. */
export type FailureStage = 'receiving' | 'processing' | 'sending';

export interface ErrorCodeInfo {
  level: FailureLevel;
  stage: FailureStage;
  /** One line: what went wrong. */
  meaning: string;
}

/**
 * Stages: `receiving` is the source side (list, read, decompress, and the checkpoint that records
 * what was read); `processing` is config, parsing, filters and the worker itself; `sending` is the
 * outputs and the dead-letter.
 */
export const ERROR_CODES = {
  ERR_CONFIG_INVALID: {
    level: 'pipeline',
    stage: 'processing',
    meaning: 'The configuration does not validate; every problem is listed with file:line:col (exit 78).',
  },
  ERR_USAGE: {
    level: 'pipeline',
    stage: 'processing',
    meaning: 'The command line or a SLUICE_* environment variable is invalid (exit 64).',
  },
  ERR_FILTER_BUILD: {
    level: 'pipeline',
    stage: 'processing',
    meaning: 'A filter cannot be built from its settings (a GeoIP database that does not open, a bad pattern).',
  },
  ERR_RECORD_PARSE: {
    level: 'record',
    stage: 'processing',
    meaning: 'A record does not parse as the configured log type.',
  },
  ERR_RECORD_TOO_LARGE: {
    level: 'record',
    stage: 'processing',
    meaning: 'A record is longer than max_record_bytes.',
  },
  ERR_FILTER_APPLY: {
    level: 'record',
    stage: 'processing',
    meaning: 'A filter cannot process one event (a value nested too deeply to write as text); it names the field.',
  },
  ERR_DECOMPRESS: {
    level: 'object',
    stage: 'receiving',
    meaning: 'An object is not valid gzip (corrupt or truncated).',
  },
  ERR_PARQUET: {
    level: 'object',
    stage: 'processing',
    meaning:
      'An object is not a Parquet file sluice can read (no PAR1 footer, an unsupported codec, a row group past the memory bound).',
  },
  ERR_S3_READ: {
    level: 'object',
    stage: 'receiving',
    meaning: 'Listing or reading S3 failed; says whether a retry can help and whether the object version is gone.',
  },
  ERR_FILE_READ: {
    level: 'object',
    stage: 'receiving',
    meaning: 'Listing or reading the file source failed; says whether a retry can help and whether the file is gone.',
  },
  ERR_S3_ACCESS_DENIED: {
    level: 'pipeline',
    stage: 'receiving',
    meaning:
      "S3 or the object's KMS key denied an action (HTTP 403), or STS denied assuming the source's `role_arn`; names the action and the resource to allow. Nothing is marked done.",
  },
  ERR_S3_CREDENTIALS: {
    level: 'pipeline',
    stage: 'receiving',
    meaning:
      "S3 or STS refused the credentials (invalid access key, expired token, bad signature), none were found, or STS could not give the session of the source's `role_arn`.",
  },
  ERR_FILE_ACCESS_DENIED: {
    level: 'pipeline',
    stage: 'receiving',
    meaning: 'The worker may not read a file or folder of the file source (EACCES, EPERM). Nothing is marked done.',
  },
  ERR_FILE_REFUSED: {
    level: 'object',
    stage: 'receiving',
    meaning:
      'The file source will not read a listed file (a symbolic link, a name that is not UTF-8); it is quarantined.',
  },
  ERR_DEAD_LETTER_CAP: {
    level: 'object',
    stage: 'processing',
    meaning:
      'An object dead-lettered more records than max_dead_letter_records_per_object or max_dead_letter_ratio allow; it is quarantined at once.',
  },
  ERR_CHECKPOINT: {
    level: 'pipeline',
    stage: 'receiving',
    meaning: 'The checkpoint store cannot be read or written.',
  },
  ERR_SQS: {
    level: 'pipeline',
    stage: 'receiving',
    meaning:
      'The notification queue cannot be reached or refused a call (ReceiveMessage, DeleteMessage, GetQueueAttributes); names the queue and the action.',
  },
  ERR_CHECKPOINT_CONFLICT: {
    level: 'pipeline',
    stage: 'receiving',
    meaning: 'Another worker wrote the checkpoint; this one gives up the lease and waits.',
  },
  ERR_BULK_REJECTED: {
    level: 'record',
    stage: 'sending',
    meaning: 'OpenSearch rejected one document (a mapping error); it goes to the dead-letter.',
  },
  ERR_OUTPUT_ENCODE: {
    level: 'record',
    stage: 'sending',
    meaning: 'An event cannot be encoded as JSON (a filter produced a BigInt or a cycle).',
  },
  ERR_OUTPUT_INDEX_LIMIT: {
    level: 'record',
    stage: 'sending',
    meaning: 'An event would create one index more than max_indices allows and no overflow_index is set.',
  },
  ERR_OUTPUT_FILE: {
    level: 'record',
    stage: 'sending',
    meaning:
      "The file output cannot write one path because of what the event's values made of it (a file name too long, a value naming a folder or running into a file, a path outside the output folder); that event goes to the dead-letter.",
  },
  ERR_OUTPUT_FILE_WRITE: {
    level: 'pipeline',
    stage: 'sending',
    meaning:
      'The file output cannot write its folder or disk (permission denied, read-only, a file where a folder should be, disk full, I/O error); names the path and the fix. Nothing is marked done.',
  },
  ERR_OUTPUT_STDOUT: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'Standard output is closed or failed (EPIPE: its reader went away); the worker drains and exits.',
  },
  ERR_OUTPUT_UNREACHABLE: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'OpenSearch cannot be reached (network, DNS, timeout).',
  },
  ERR_OUTPUT_TLS: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'TLS with OpenSearch failed (unknown CA, wrong host name).',
  },
  ERR_OUTPUT_TLS_CONFIG: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'A TLS file named in the output settings cannot be read.',
  },
  ERR_OUTPUT_UNAUTHENTICATED: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'OpenSearch did not accept the credentials (HTTP 401).',
  },
  ERR_OUTPUT_FORBIDDEN: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'OpenSearch denied access (HTTP 403).',
  },
  ERR_OUTPUT_UNAVAILABLE: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'OpenSearch kept failing after every retry (5xx, 429).',
  },
  ERR_OUTPUT_REQUEST: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'OpenSearch refused a bulk request as a whole (4xx, e.g. 413 too large).',
  },
  ERR_OUTPUT_PROTOCOL: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'A bulk response does not match the request (a proxy that alters responses).',
  },
  ERR_OUTPUT_START: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'OpenSearch refused the start-up check of the write path.',
  },
  ERR_OUTPUT_TEMPLATE: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'The index template file cannot be read.',
  },
  ERR_OUTPUT_CLOSED: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'An output was written to after it was closed (a bug).',
  },
  ERR_DEAD_LETTER_WRITE: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'The dead-letter cannot store entries.',
  },
  ERR_SETUP: {
    level: 'pipeline',
    stage: 'sending',
    meaning: 'Setup could not install an index template, ISM policy or dashboards; says which, and how to fix it.',
  },
  ERR_HTTP_SERVER: {
    level: 'pipeline',
    stage: 'processing',
    meaning: 'The health and metrics server cannot listen.',
  },
  ERR_UNEXPECTED: {
    level: 'pipeline',
    stage: 'processing',
    meaning: 'A failure that is not a SluiceError (a bug, or an error a library raised unwrapped).',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The table row of a code; a code sluice does not know is treated as unexpected. */
export function errorCodeInfo(code: string): ErrorCodeInfo {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode] : ERROR_CODES.ERR_UNEXPECTED;
}
