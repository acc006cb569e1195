import type { DeadLetterEntry } from '../core/components.js';
import { errorCode, errorLevel, errorMessage, type GoneVersion, SourceReadError } from '../core/errors.js';
import type { SourceObject } from '../core/event.js';

/** The arguments of backoffDelayMs (core/backoff.ts): the runner draws the jittered delay. */
export interface BackoffPlan {
  attempt: number;
  baseMs: number;
  capMs: number;
}

/**
 * What the runner does with an object whose processing failed:
 * - `skip_version`: the version read is gone (deleted, or rewritten since it was listed): mark it
 *   done with the reason; a rewrite is listed again under its new ETag.
 * - `retry`: the object's own fault (a read failure, bad gzip) with attempts left: try it again
 *   in a later poll after the backoff.
 * - `quarantine`: the object's own fault and its last attempt: one dead-letter entry, marked done.
 * - `output_failure`: not the object's fault (an output or the dead-letter is down, or a bug):
 *   report the pipeline unhealthy and try the object again in a later poll; it never counts
 *   towards quarantine on its own.
 */
export type ObjectFailureDecision =
  | { action: 'skip_version'; gone: GoneVersion; reason: string }
  | { action: 'retry'; failures: number; backoff: BackoffPlan }
  | { action: 'quarantine'; failures: number; reason: string }
  | { action: 'output_failure'; failures: number; backoff: BackoffPlan };

/** Backoff before an object that failed on its own is tried again. */
export const OBJECT_RETRY_BACKOFF = { baseMs: 500, capMs: 10_000 } as const;
/** Backoff before an object is tried again after an output-side failure; its exponent stops growing at 6. */
export const OUTPUT_RETRY_BACKOFF = { baseMs: 1000, capMs: 30_000, maxAttempt: 6 } as const;

/**
 * Decides what to do with a failed object from the error (its class and its code's level in
 * core/error-codes.ts), how many failures the object had before this one, and the pipeline's
 * `max_object_attempts`. Pure: the runner carries the decision out.
 */
export function decideObjectFailure(
  error: unknown,
  previousFailures: number,
  maxObjectAttempts: number,
): ObjectFailureDecision {
  if (error instanceof SourceReadError && error.gone) {
    return { action: 'skip_version', gone: error.gone, reason: `${error.gone} before it was read` };
  }
  const failures = previousFailures + 1;
  if (errorLevel(error) === 'object') {
    if (failures >= maxObjectAttempts) {
      return { action: 'quarantine', failures, reason: `${errorMessage(error)} (after ${failures} attempts)` };
    }
    return { action: 'retry', failures, backoff: { attempt: failures, ...OBJECT_RETRY_BACKOFF } };
  }
  const { maxAttempt, ...delays } = OUTPUT_RETRY_BACKOFF;
  return { action: 'output_failure', failures, backoff: { attempt: Math.min(failures, maxAttempt), ...delays } };
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
