import { type ErrorContext, SluiceError } from '../core/errors.js';

/** A filter could not be built from its (already validated) config: a missing database, a bad pattern. */
export class FilterBuildError extends SluiceError {
  constructor(message: string, context: ErrorContext = {}, hint?: string, cause?: unknown) {
    super('ERR_FILTER_BUILD', message, {
      context,
      cause,
      hint: hint ?? 'Fix the filter settings in the pipeline file, then run `sluice validate`.',
    });
  }
}
