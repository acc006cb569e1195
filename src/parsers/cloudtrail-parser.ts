import type { ParserFactory } from '../core/components.js';
import { errorMessage, RecordParseError } from '../core/errors.js';
import type { Doc } from '../core/event.js';

/**
 * CloudTrail log files: one `{"Records":[...]}` document per object (document framing);
 * every element of Records becomes one event, in order (its index is the event's `sub`).
 * A file without a Records array (a digest file under the wrong prefix) is an error.
 */
export function cloudtrailParserFactory(): ParserFactory {
  return {
    type: 'cloudtrail',
    framing: 'document',
    resumeReadsHeaders: false,
    forObject: (key) => ({
      parse(record: string, recordNumber: number): Doc[] {
        let value: unknown;
        try {
          // A UTF-8 byte order mark is not JSON.
          value = JSON.parse(record.charCodeAt(0) === 0xfeff ? record.slice(1) : record);
        } catch (error) {
          throw new RecordParseError(
            `cloudtrail: invalid JSON: ${errorMessage(error)}`,
            { key, record: recordNumber },
            error,
          );
        }
        const records = (value as { Records?: unknown } | null)?.Records;
        if (!Array.isArray(records)) {
          throw new RecordParseError('cloudtrail: document has no "Records" array (is this a CloudTrail log file?)', {
            key,
            record: recordNumber,
            field: 'Records',
          });
        }
        for (let i = 0; i < records.length; i++) {
          const event = records[i];
          if (event === null || typeof event !== 'object' || Array.isArray(event)) {
            throw new RecordParseError(`cloudtrail: Records[${i}] is not an object`, {
              key,
              record: recordNumber,
              field: `Records[${i}]`,
            });
          }
        }
        return records as Doc[];
      },
    }),
  };
}
