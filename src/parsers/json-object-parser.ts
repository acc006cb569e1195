import type { ParserFactory } from '../core/components.js';
import { errorMessage, RecordParseError } from '../core/errors.js';
import type { Doc } from '../core/event.js';

/** One JSON object per line, emitted with its own structure and names (WAF, JSON lines). */
export function jsonObjectParserFactory(type: string): ParserFactory {
  return {
    type,
    framing: 'lines',
    resumeReadsHeaders: false,
    forObject: (key) => ({
      parse(record: string, recordNumber: number): Doc[] {
        let value: unknown;
        try {
          value = JSON.parse(record);
        } catch (error) {
          throw new RecordParseError(
            `${type}: invalid JSON: ${errorMessage(error)}`,
            { key, record: recordNumber },
            error,
          );
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          throw new RecordParseError(`${type}: line is JSON but not an object`, { key, record: recordNumber });
        }
        return [value as Doc];
      },
    }),
  };
}

/** AWS WAF logs: one JSON document per line, kept in AWS's camelCase structure (headers stay a name/value array). */
export function wafParserFactory(): ParserFactory {
  return jsonObjectParserFactory('waf');
}

export function jsonLinesParserFactory(): ParserFactory {
  return jsonObjectParserFactory('json_lines');
}
