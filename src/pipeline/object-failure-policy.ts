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
 * quarantine, so an output that was down never shortens the attempts of the object itself.
 */
export interface FailureCounts {
  /** Failures of the object itself (a read failure, bad gzip): counted towards max_object_attempts. */
  object: number;
  /** Failures that were not its fault (an output or the dead-letter down, a bug): they set the backoff. */
  output: number;
}

export const NO_FAILURES: FailureCounts = { object: 0, output: 0 };

/**
 * What the runner does with an object whose processing failed:
 * - `skip_version`: the version read is gone (deleted, or rewritten since it was listed): mark it
 *   done with the reason; a rewrite is listed again under its new ETag.
 * - `retry`: the object's own fault (a read failure, bad gzip) with attempts left: try it again
 *   in a later poll after the backoff.
 * - `quarantine`: the object's own fault and its last attempt, or past its dead-letter cap (at
 *   once): one dead-letter entry, marked done.
 * - `output_failure`: not the object's fault (an output or the dead-letter is down, or a bug):
 *   report the pipeline unhealthy and try the object again in a later poll; it never counts
 *   towards quarantine.
 */
export type ObjectFailureDecision =
  | { action: 'skip_version'; gone: GoneVersion; reason: string }
  | { action: 'retry'; counts: FailureCounts; backoff: BackoffPlan }
  | { action: 'quarantine'; counts: FailureCounts; reason: string }
  | { action: 'output_failure'; counts: FailureCounts; backoff: BackoffPlan };

/** Backoff before an object that failed on its own is tried again. */
export const OBJECT_RETRY_BACKOFF = { baseMs: 500, capMs: 10_000 } as const;
/** Backoff before an object is tried again after an output-side failure; its exponent stops growing at 6. */
export const OUTPUT_RETRY_BACKOFF = { baseMs: 1000, capMs: 30_000, maxAttempt: 6 } as const;

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
  if (errorLevel(error) === 'object') {
    const counts = { ...previous, object: previous.object + 1 };
    // Another attempt would dead-letter the same records again: quarantine at once.
    if (error instanceof DeadLetterCapError) return { action: 'quarantine', counts, reason: error.message };
    if (counts.object >= maxObjectAttempts) {
      return { action: 'quarantine', counts, reason: `${errorMessage(error)} (after ${counts.object} attempts)` };
    }
    return { action: 'retry', counts, backoff: { attempt: counts.object, ...OBJECT_RETRY_BACKOFF } };
  }
  const counts = { ...previous, output: previous.output + 1 };
  const { maxAttempt, ...delays } = OUTPUT_RETRY_BACKOFF;
  return { action: 'output_failure', counts, backoff: { attempt: Math.min(counts.output, maxAttempt), ...delays } };
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
