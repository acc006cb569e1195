/**
 * The per-object cap on dead-lettered records (max_dead_letter_records_per_object and
 * max_dead_letter_ratio). A few bad records of an object go to the dead-letter one by one; an
 * object that would send more is quarantined as one entry instead, so a small gzip of garbage
 * cannot expand into millions of entries (4 KB of gzip once became 2 M entries, 550 MB).
 */
import { type ErrorContext, SluiceError } from '../core/errors.js';
import type { DeadLetterCap } from '../core/pipeline-settings.js';

/**
 * Why an object is past its cap, naming each limit it passed, or undefined while it is within
 * it. `deadLettered` counts the object's records (and events an output rejected) that went or
 * would go to the dead-letter one by one; `records` the records read, failed ones included.
 */
export function deadLetterCapExceeded(cap: DeadLetterCap, deadLettered: number, records: number): string | undefined {
  const passed: string[] = [];
  if (deadLettered > cap.maxRecords) passed.push(`max_dead_letter_records_per_object (${cap.maxRecords})`);
  if (cap.maxRatio < 1 && records >= cap.ratioMinRecords && deadLettered > cap.maxRatio * records) {
    passed.push(`max_dead_letter_ratio (${cap.maxRatio})`);
  }
  if (passed.length === 0) return undefined;
  return (
    `${deadLettered} of the first ${records} records would go to the dead-letter, more than ` +
    `${passed.join(' and ')} allows; the object is quarantined and the rest of it is not read`
  );
}

/**
 * An object past its dead-letter cap. Object level, and quarantined at once: another attempt
 * would read and dead-letter the same records again.
 */
export class DeadLetterCapError extends SluiceError {
  constructor(reason: string, context: ErrorContext) {
    super('ERR_DEAD_LETTER_CAP', reason, {
      context,
      hint:
        "The object is quarantined as one dead-letter entry. Check that the pipeline's parser fits these objects; " +
        'raise max_dead_letter_records_per_object or max_dead_letter_ratio if so many bad records are expected.',
    });
  }
}
