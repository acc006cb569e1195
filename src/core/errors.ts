import { type ErrorCode, errorCodeInfo, type FailureLevel, type FailureStage } from './error-codes.js';

/**
 * Typed errors. Every error sluice raises carries a stable `code` from the code table
 * (core/error-codes.ts, which gives its level and stage), the context it happened in
 * (pipeline, bucket, key, record, ...), and a hint that says what to do.
 * Retryability is decided by each integration, not here.
 */
export interface ErrorContext {
  pipeline?: string;
  bucket?: string;
  key?: string;
  record?: number;
  field?: string;
  /**
   * The key of the component's settings the error is about (`database`, `index`, `tls.ca_file`):
   * a config check reports the problem at that key's line.
   */
  setting?: string;
  [name: string]: unknown;
}

export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;
  readonly hint?: string;
  /** Where it happened: receiving (source side), processing, or sending (outputs, dead-letter). */
  readonly stage: FailureStage;
  /** The level the code normally belongs to: record, object or pipeline. */
  readonly level: FailureLevel;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; context?: ErrorContext; hint?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = options.context ?? {};
    this.hint = options.hint;
    const info = errorCodeInfo(code);
    this.stage = info.stage;
    this.level = info.level;
  }

  /** A flat object for structured logs and dead-letter entries. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...this.context,
      ...(this.cause instanceof Error ? { cause: this.cause.message } : {}),
    };
  }
}

/**
 * A setting the schema accepts but that cannot be used (a pattern with an unknown date token):
 * the pipeline build reports it at the setting's line, like a schema problem.
 */
export function invalidSetting(setting: string, message: string, cause?: unknown): SluiceError {
  return new SluiceError('ERR_CONFIG_INVALID', message, {
    context: { setting },
    cause,
    hint: 'Fix the setting, then run `sluice validate`.',
  });
}

/** One problem found while validating configuration. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export class ConfigError extends SluiceError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(
      'ERR_CONFIG_INVALID',
      problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
      { hint: 'Fix every listed problem, then run `sluice validate`.' },
    );
    this.problems = problems;
  }
}

export class RecordParseError extends SluiceError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_RECORD_PARSE', message, {
      context,
      cause,
      hint: 'The record went to the dead-letter with its raw text; check the parser type.',
    });
  }
}

/** One event of a record of several (a CloudTrail file) that did not parse. */
export interface EventParseFailure {
  /** The event's index in its record: the `sub` its id would have had. */
  sub: number;
  reason: string;
  /** The event's own text, for its dead-letter entry (never the whole record). */
  raw: string;
}

/**
 * Thrown by a parser whose record holds several events (CloudTrail's `Records`) when some of
 * them failed: `docs` are the events that parsed, `subs` their indexes in the record (so each
 * keeps the id it has when nothing fails), `failed` one entry per event that did not. The record
 * loop emits the first and dead-letters the others one by one. Code that knows no better treats
 * it as a RecordParseError of the whole record.
 */
export class PartialRecordError extends RecordParseError {
  constructor(
    readonly docs: Record<string, unknown>[],
    readonly subs: readonly number[],
    readonly failed: readonly EventParseFailure[],
    context: ErrorContext = {},
  ) {
    super(failed[0]?.reason ?? 'an event of the record did not parse', context);
  }
}

export class DecompressError extends SluiceError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_DECOMPRESS', message, {
      context,
      cause,
      hint: 'The object is not valid gzip (corrupt or truncated); it is quarantined to the dead-letter.',
    });
  }
}

/** An object that cannot be read as Parquet: not the format, or more than sluice reads in bounded memory. */
export class ParquetReadError extends SluiceError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown, hint?: string) {
    super('ERR_PARQUET', message, {
      context,
      cause,
      hint:
        hint ??
        'The object is not a Parquet file sluice can read (a text flow log is parser vpc_flow); it is quarantined to the dead-letter.',
    });
  }
}

/**
 * An object version sluice will not read: deleted, or rewritten (new ETag) since it was listed,
 * or, once notified, found in a storage class the source skips (`skip_storage_classes`).
 */
export type GoneVersion = 'deleted' | 'rewritten' | 'storage_class';

export interface SourceReadFailure {
  /** True when trying again can help (network, throttling, 5xx); false when it cannot (denied, gone). */
  retryable: boolean;
  /** Set when the version being read is gone: the runner skips that version. */
  gone?: GoneVersion;
  context?: ErrorContext;
  hint?: string;
  cause?: unknown;
}

/** The codes a source raises: a read failure of its own, a permission or credential fault, a refused file. */
export type SourceErrorCode =
  | 'ERR_S3_READ'
  | 'ERR_S3_ACCESS_DENIED'
  | 'ERR_S3_CREDENTIALS'
  | 'ERR_FILE_READ'
  | 'ERR_FILE_ACCESS_DENIED'
  | 'ERR_FILE_REFUSED';

/**
 * Listing or reading a source failed; every source raises this, with its own code. The code's
 * level says who is at fault: the object (`ERR_S3_READ`, `ERR_FILE_READ`, `ERR_FILE_REFUSED`) or
 * the pipeline's setup (access denied, credentials), which pauses the pipeline instead.
 */
export class SourceReadError extends SluiceError {
  readonly retryable: boolean;
  readonly gone?: GoneVersion;

  constructor(code: SourceErrorCode, message: string, failure: SourceReadFailure) {
    super(code, message, {
      context: { ...failure.context, retryable: failure.retryable, ...(failure.gone ? { gone: failure.gone } : {}) },
      cause: failure.cause,
      hint: failure.hint,
    });
    this.retryable = failure.retryable;
    this.gone = failure.gone;
  }
}

export class BulkRejectedError extends SluiceError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_BULK_REJECTED', message, { context, cause });
  }
}

export class OutputError extends SluiceError {
  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, hint?: string, cause?: unknown) {
    super(code, message, { context, hint, cause });
  }
}

export class CheckpointConflictError extends SluiceError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_CHECKPOINT_CONFLICT', message, {
      context,
      cause,
      hint: 'Another worker wrote this checkpoint; this worker gives up its lease and waits.',
    });
  }
}

export class CheckpointError extends SluiceError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown, hint?: string) {
    super('ERR_CHECKPOINT', message, {
      context,
      cause,
      hint: hint ?? 'Check that the checkpoint bucket or table exists and that the task may read and write it.',
    });
  }
}

/**
 * What went wrong and what to do, in one line for readiness, logs and summaries: the message,
 * then the hint when there is one. Never a stack.
 */
export function describeError(error: unknown): string {
  const message = errorMessage(error);
  const hint = error instanceof SluiceError ? error.hint : undefined;
  return hint ? `${message} — ${hint}` : message;
}

/**
 * The fields of a log line about a failure: a typed error's code, message, hint and context (its
 * stack tells an operator nothing to act on); anything else, a bug, keeps its stack under `err`.
 */
export function logFields(error: unknown): Record<string, unknown> {
  if (error instanceof SluiceError) return error.toJSON();
  return { code: 'ERR_UNEXPECTED', err: error };
}

/** Message of any thrown value, for logs. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Stable code of any thrown value. */
export function errorCode(error: unknown): ErrorCode {
  return error instanceof SluiceError ? error.code : 'ERR_UNEXPECTED';
}

/** Stage of any thrown value (an error that is not a SluiceError is unexpected). */
export function errorStage(error: unknown): FailureStage {
  return errorCodeInfo(errorCode(error)).stage;
}

/** Level of any thrown value's code. */
export function errorLevel(error: unknown): FailureLevel {
  return errorCodeInfo(errorCode(error)).level;
}
