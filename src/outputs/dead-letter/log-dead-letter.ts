import type { Logger } from 'pino';
import type { DeadLetter, DeadLetterEntry } from '../../core/components.js';

/**
 * The dead-letter of a pipeline without a `dead_letter` section: every entry is logged as a
 * warning with its code, reason, key and record (never its raw text or document: they may hold
 * secrets) and counted like any other (outputs/dead-letter/pipeline-dead-letter.ts). So a
 * document OpenSearch rejects settles its write instead of failing the object every poll.
 */
export class LogDeadLetter implements DeadLetter {
  constructor(private readonly logger: Logger) {}

  async put(entries: DeadLetterEntry[]): Promise<void> {
    for (const { bucket, key, etag, record, sub, code, reason } of entries) {
      this.logger.warn(
        { bucket, key, etag, record, ...(sub === undefined ? {} : { sub }), code, reason },
        'dead-letter entry logged, not stored: configure dead_letter to keep records that cannot be indexed',
      );
    }
  }

  async close(): Promise<void> {}
}
