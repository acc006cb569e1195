import type { DeadLetterEntry } from '../core/components.js';
import { errorCode, errorLevel, errorMessage, type GoneVersion, SourceReadError } from '../core/errors.js';
import type { SourceObject } from '../core/event.js';
import { DeadLetterCapError } from './dead-letter-cap.js';

/** The arguments of backoffDelayMs (core/backoff.ts): the runner draws the jittered delay. */
export interface BackoffPlan {
  attempt: number;
  baseMs: number;
  capMs: number;
}

/**
 * How often an object failed so far, kept apart: only its own failures count towards
 * quarantine, so an output that was down or a permission that was missing never shortens the
 * attempts of the object itself.
 */
export interface FailureCounts {
  /** Failures of the object itself (a read failure, bad gzip): counted towards max_object_attempts. */
  object: number;
  /** Failures of the pipeline while on this object (an output down, access denied, a bug): never counted. */
  pipeline: number;
}

export const NO_FAILURES: FailureCounts = { object: 0, pipeline: 0 };

/**
 * What the runner does with an object whose processing failed:
 * - `skip_version`: the version read is gone (deleted, or rewritten since it was listed): mark it
 *   done with the reason; a rewrite is listed again under its new ETag.
 * - `retry`: the object's own fault (a read failure, bad gzip) with attempts left: try it again
 *   in a later poll after the backoff.
 * - `quarantine`: the object's own fault on its last attempt, or one that no retry can mend (a
 *   file the source refuses to read; an object past its dead-letter cap): one dead-letter entry,
 *   marked done.
 * - `pause_pipeline`: not the object's fault (an output or the dead-letter is down, access is
 *   denied, the credentials are refused, or a bug): the pipeline pauses and retries with backoff
 *   (pipelinePauseBackoff); the object stays pending and nothing is marked done.
 */
export type ObjectFailureDecision =
  | { action: 'skip_version'; gone: GoneVersion; reason: string }
  | { action: 'retry'; counts: FailureCounts; backoff: BackoffPlan }
  | { action: 'quarantine'; counts: FailureCounts; reason: string }
  | { action: 'pause_pipeline'; counts: FailureCounts };

/** Backoff before an object that failed on its own is tried again. */
export const OBJECT_RETRY_BACKOFF = { baseMs: 500, capMs: 10_000 } as const;
/** First delay bound of a paused pipeline; it doubles per consecutive pause up to `max_pause_seconds`. */
export const PIPELINE_PAUSE_BASE_MS = 1000;
/** A run that must end (`--once`, a backfill) gives up after this many pauses in a row, reporting the fault. */
export const BOUNDED_RUN_PAUSES = 5;

/**
 * Decides what to do with a failed object from the error (its class and its code's level in
 * core/error-codes.ts), the object's failures before this one, and the pipeline's
 * `max_object_attempts`. Pure: the runner carries the decision out and keeps the counts.
 */
export function decideObjectFailure(
  error: unknown,
  previous: FailureCounts,
  maxObjectAttempts: number,
): ObjectFailureDecision {
  if (error instanceof SourceReadError && error.gone) {
    return { action: 'skip_version', gone: error.gone, reason: `${error.gone} before it was read` };
  }
  if (errorLevel(error) !== 'object') {
    return { action: 'pause_pipeline', counts: { ...previous, pipeline: previous.pipeline + 1 } };
  }
  const counts = { ...previous, object: previous.object + 1 };
  // Another attempt would dead-letter the same records again: quarantine at once.
  if (error instanceof DeadLetterCapError) return { action: 'quarantine', counts, reason: error.message };
  if (error instanceof SourceReadError && !error.retryable) {
    return { action: 'quarantine', counts, reason: `${errorMessage(error)} (not retried: retrying cannot help)` };
  }
  if (counts.object >= maxObjectAttempts) {
    return { action: 'quarantine', counts, reason: `${errorMessage(error)} (after ${counts.object} attempts)` };
  }
  return { action: 'retry', counts, backoff: { attempt: counts.object, ...OBJECT_RETRY_BACKOFF } };
}

/** The backoff of a pipeline paused `pauses` times in a row (1 for the first), capped at `maxPauseMs`. */
export function pipelinePauseBackoff(pauses: number, maxPauseMs: number): BackoffPlan {
  // 2^20 s is far past any cap: the exponent stops there so the product stays finite.
  return { attempt: Math.min(Math.max(pauses, 1), 20), baseMs: PIPELINE_PAUSE_BASE_MS, capMs: maxPauseMs };
}

/** The one dead-letter entry that stands for a quarantined object (record 0: the whole object). */
export function quarantineEntry(
  pipeline: string,
  object: SourceObject,
  error: unknown,
  reason: string,
): DeadLetterEntry {
  return {
    pipeline,
    bucket: object.bucket,
    key: object.key,
    etag: object.etag,
    record: 0,
    code: errorCode(error),
    reason,
    at: new Date().toISOString(),
  };
}
