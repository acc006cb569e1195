import { type ErrorContext, SluiceError } from '../core/errors.js';

/**
 * A filter could not process one event (a value it cannot handle, such as one nested deeper
 * than the stack allows). Record level: the record loop dead-letters that record and goes on.
 * The context names the field path.
 */
export class FilterApplyError extends SluiceError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_FILTER_APPLY', message, {
      context,
      cause,
      hint: 'The record went to the dead-letter with the reason; fix the filter settings or the data at that field.',
    });
  }
}
