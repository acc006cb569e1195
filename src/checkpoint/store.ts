import { type AwsErrorShape, awsStatus } from '../core/aws-error.js';
import { CheckpointConflictError, CheckpointError, type ErrorContext, errorMessage } from '../core/errors.js';
import type { CheckpointState } from './state.js';

/** A loaded checkpoint and the version a save must name to replace it. */
export interface VersionedState {
  state: CheckpointState;
  version: string;
}

/**
 * Loads and saves one pipeline's checkpoint with optimistic concurrency.
 * `save` replaces the stored state only if its version is still `expectedVersion` (null: only
 * if none exists) and returns the new version; otherwise it throws CheckpointConflictError.
 * Other failures throw CheckpointError. Implementations serialize `state` before their first
 * await, so the caller may keep changing it while the save is in flight.
 */
export interface CheckpointStore {
  load(): Promise<VersionedState | null>;
  save(state: CheckpointState, expectedVersion: string | null): Promise<string>;
  /** Where the checkpoint lives, for logs (`s3://bucket/key`, `dynamodb://table/name`, a path). */
  describe(): string;
}

/**
 * The error a failed save throws: a conflict when another writer won (the caller reloads and
 * may have lost its lease), any other failure as CheckpointError. One wording for every store.
 */
export function saveFailure(
  description: string,
  expectedVersion: string | null,
  context: ErrorContext,
  error: unknown,
  conflict: boolean,
): CheckpointConflictError | CheckpointError {
  if (conflict) {
    return new CheckpointConflictError(
      `checkpoint ${description} changed since version ${expectedVersion ?? '(none)'} was read`,
      context,
      error,
    );
  }
  return new CheckpointError(`cannot write checkpoint ${description}: ${errorMessage(error)}`, context, error);
}

/** AWS answers for a call IAM refused: S3's 403 AccessDenied, DynamoDB's AccessDeniedException. */
function isAccessDenied(error: unknown): boolean {
  const shape = (error ?? {}) as AwsErrorShape;
  const name = shape.name ?? shape.Code ?? '';
  return awsStatus(error) === 403 || name === 'AccessDenied' || name === 'AccessDeniedException';
}

/**
 * A checkpoint read or write the task's role may not make: the message names the action IAM
 * refused and its resource, the hint every action the store needs there. Undefined for any
 * other failure. `actions` are the store's actions on that resource, `action` the one refused.
 */
export function checkpointDenied(
  error: unknown,
  denial: { action: string; actions: readonly string[]; resource: string; context: ErrorContext; note?: string },
): CheckpointError | undefined {
  if (!isAccessDenied(error)) return undefined;
  const { action, actions, resource, context } = denial;
  const allowed = actions.length > 1 ? `${actions.slice(0, -1).join(', ')} and ${actions.at(-1)}` : action;
  return new CheckpointError(
    `${action} denied on ${resource} (checkpoint): ${errorMessage(error)}`,
    { ...context, action, resource },
    error,
    `Allow ${allowed} on ${resource} for the task role (and in the bucket or table policy if it has one). ` +
      `The pipeline retries by itself and resumes once it is allowed; nothing was marked done.${denial.note ? ` ${denial.note}` : ''}`,
  );
}
