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
