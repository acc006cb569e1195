import type { ParserFactory } from '../core/components.js';
import { RecordParseError } from '../core/errors.js';
import type { Doc } from '../core/event.js';
import { DEFAULT_MAX_DEPTH, type JsonDocumentRules, parseJsonDocument } from './json/parse-json-document.js';

export interface CloudtrailParserOptions {
  /** Deepest nesting an event may have (objects and arrays; the event itself is 1). */
  maxDepth?: number;
}

/**
 * CloudTrail log files: one `{"Records":[...]}` document per object, cut by the `json`
 * framing (the whole document is one record, minified or pretty-printed); every element of
 * Records becomes one event, in order (its index is the event's `sub`). A file without a
 * Records array (a digest file under the wrong prefix) is an error. parse-json-document.ts
 * says what is refused and what is kept as text; max_depth counts inside each event.
 */
export function cloudtrailParserFactory(options: CloudtrailParserOptions = {}): ParserFactory {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  return {
    type: 'cloudtrail',
    framing: 'json',
    resumeReadsHeaders: false,
    forObject: (key) => {
      const rules: JsonDocumentRules = { type: 'cloudtrail', key, maxDepth, wrapperDepth: 2, events: recordsOf };
      return {
        parse(record: string, recordNumber: number, hint?: number): Doc[] {
          // A UTF-8 byte order mark is not JSON (the framing drops one at the start of an object).
          const text = record.charCodeAt(0) === 0xfeff ? record.slice(1) : record;
          const value = parseJsonDocument(text, hint, recordNumber, rules);
          const records = (value as { Records?: unknown } | null)?.Records;
          if (!Array.isArray(records)) {
            throw new RecordParseError('cloudtrail: document has no "Records" array (is this a CloudTrail log file?)', {
              key,
              record: recordNumber,
              field: 'Records',
            });
          }
          for (let i = 0; i < records.length; i++) {
            if (!isObject(records[i])) {
              throw new RecordParseError(`cloudtrail: Records[${i}] is not an object`, {
                key,
                record: recordNumber,
                field: `Records[${i}]`,
              });
            }
          }
          return records as Doc[];
        },
      };
    },
  };
}

function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function recordsOf(value: unknown): Doc[] {
  const records = (value as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) ? records.filter(isObject) : [];
}
