import type { ParserFactory } from '../core/components.js';
import { RecordParseError } from '../core/errors.js';
import type { Doc } from '../core/event.js';
import { DEFAULT_MAX_DEPTH, type JsonDocumentRules, parseJsonDocument } from './json/parse-json-document.js';

export interface JsonObjectParserOptions {
  /** Deepest nesting a record may have (objects and arrays; the record itself is 1). */
  maxDepth?: number;
}

/**
 * One JSON object per record, emitted with its own structure and names (WAF, JSON lines).
 * Records are cut by the `json` framing: one per document, whether the object holds one per
 * line, pretty-printed ones or several concatenated. parse-json-document.ts says what is
 * refused (too deep, a key twice) and what is kept as text (numbers a double cannot hold).
 */
export function jsonObjectParserFactory(type: string, options: JsonObjectParserOptions = {}): ParserFactory {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  return {
    type,
    framing: 'json',
    resumeReadsHeaders: false,
    forObject: (key) => {
      const rules: JsonDocumentRules = { type, key, maxDepth, wrapperDepth: 0, events: asEvents };
      return {
        parse(record: string, recordNumber: number, hint?: number): Doc[] {
          const value = parseJsonDocument(record, hint, recordNumber, rules);
          if (!isObject(value)) {
            throw new RecordParseError(`${type}: record is JSON but not an object`, { key, record: recordNumber });
          }
          return [value];
        },
      };
    },
  };
}

function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function asEvents(value: unknown): Doc[] {
  return isObject(value) ? [value] : [];
}

/** AWS WAF logs: one JSON document per record, kept in AWS's camelCase structure (headers stay a name/value array). */
export function wafParserFactory(options: JsonObjectParserOptions = {}): ParserFactory {
  return jsonObjectParserFactory('waf', options);
}

export function jsonLinesParserFactory(options: JsonObjectParserOptions = {}): ParserFactory {
  return jsonObjectParserFactory('json_lines', options);
}
