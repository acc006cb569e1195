/**
 * Events a local output (file, stdout) will not write, and what becomes of them: a record-level
 * failure, so each goes to the pipeline's dead-letter with its code and reason and the rest of
 * the batch is written. Failing the write instead would write the rest of the batch again on
 * every retry: these outputs are not idempotent.
 */
import { type ComponentContext, type DeadLetterEntry, eventSub } from '../core/components.js';
import type { ErrorCode } from '../core/error-codes.js';
import { errorMessage, OutputError } from '../core/errors.js';
import type { LogEvent } from '../core/event.js';

/** An event an output will not write, and why. */
export interface Refusal {
  event: LogEvent;
  code: ErrorCode;
  reason: string;
  /** JSON cannot hold the document, so the entry leaves it out. */
  omitDoc?: boolean;
}

/**
 * The event's document as one JSON line, or the refusal of a document JSON cannot express (a
 * BigInt, a cycle, nesting deeper than JSON.stringify can follow): ERR_OUTPUT_ENCODE, without
 * the document, which the entry could not hold either.
 */
export function encodeLine(event: LogEvent): string | Refusal {
  try {
    return JSON.stringify(event.doc);
  } catch (error) {
    return {
      event,
      code: 'ERR_OUTPUT_ENCODE',
      reason: `cannot encode the event as JSON: ${errorMessage(error)}`,
      omitDoc: true,
    };
  }
}

/**
 * Hands refused events to the pipeline's dead-letter; without one, each is logged with its code
 * and reason (never its document), as records that do not parse are. Rejects with
 * ERR_DEAD_LETTER_WRITE, a failure of the whole write, when the dead-letter cannot store them.
 */
export async function deadLetterRefused(
  ctx: ComponentContext,
  output: string,
  refused: readonly Refusal[],
): Promise<void> {
  if (refused.length === 0) return;
  const { pipeline, deadLetter, logger, metrics } = ctx;
  const labels = { pipeline, output };
  const at = new Date().toISOString();
  const entries: DeadLetterEntry[] = refused.map(({ event, code, reason, omitDoc }) => {
    const { bucket, key, etag, record } = event.origin;
    const doc = omitDoc ? {} : { doc: event.doc };
    return { pipeline, bucket, key, etag, record, ...eventSub(event.origin), code, reason, ...doc, at };
  });
  if (!deadLetter) {
    metrics.eventsDeadLettered.inc(labels, entries.length);
    for (const { bucket, key, record, code, reason } of entries) {
      logger.error(
        { ...labels, bucket, key, record, code, reason },
        'event not written; configure dead_letter to keep it',
      );
    }
    return;
  }
  try {
    await deadLetter.put(entries);
  } catch (cause) {
    throw new OutputError(
      'ERR_DEAD_LETTER_WRITE',
      `the ${output} output refused ${entries.length} events and the dead-letter could not store them`,
      labels,
      'Check the dead-letter destination (bucket or path) and its permissions.',
      cause,
    );
  }
  metrics.eventsDeadLettered.inc(labels, entries.length);
  const { key, record, code, reason } = entries[0]!;
  logger.warn(
    { ...labels, events: entries.length, key, record, code, reason },
    `events the ${output} output could not write went to the dead-letter`,
  );
}
