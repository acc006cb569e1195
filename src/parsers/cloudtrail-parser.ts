import type { ParserFactory } from '../core/components.js';
import { type EventParseFailure, PartialRecordError, RecordParseError } from '../core/errors.js';
import type { Doc } from '../core/event.js';
import { NO_FACTS } from './framing/frame-json.js';
import { FACT_CHECK_KEYS, FACT_CHECK_NUMBERS, FACT_DEPTH_MASK, scanJsonText } from './framing/scan-json-text.js';
import { arrayElementSpans } from './json/array-elements.js';
import {
  DEFAULT_MAX_DEPTH,
  type JsonDocumentRules,
  parseJsonDocument,
  parseJsonText,
} from './json/parse-json-document.js';

export interface CloudtrailParserOptions {
  /** Deepest nesting an event may have (objects and arrays; the event itself is 1). */
  maxDepth?: number;
}

/** `{"Records":[ ... ]}`: the levels above each event. */
const WRAPPER_DEPTH = 2;

/**
 * CloudTrail log files: one `{"Records":[...]}` document per object, cut by the `json`
 * framing (the whole document is one record, minified or pretty-printed); every element of
 * Records becomes one event, in order (its index is the event's `sub`, part of its id).
 *
 * Each event is its own unit of failure: an event nested deeper than max_depth, with a key
 * repeated with another value, or that is not an object, is refused alone (PartialRecordError:
 * the record loop dead-letters it with the record number, its index and its own text) and the
 * other events are emitted with the ids they have when nothing fails. The whole file fails as
 * one record only when it is not JSON, has no Records array (a digest file under the wrong
 * prefix), or names Records twice. parse-json-document.ts says what is refused and what is kept
 * as text; max_depth counts inside each event.
 */
export function cloudtrailParserFactory(options: CloudtrailParserOptions = {}): ParserFactory {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  return {
    type: 'cloudtrail',
    framing: 'json',
    resumeReadsHeaders: false,
    forObject: (key) => {
      const file: JsonDocumentRules = {
        type: 'cloudtrail',
        key,
        maxDepth,
        wrapperDepth: WRAPPER_DEPTH,
        events: recordsOf,
      };
      const event: JsonDocumentRules = {
        type: 'cloudtrail',
        key,
        maxDepth,
        wrapperDepth: 0,
        events: (value) => [value as Doc],
        unit: 'the event',
      };
      return {
        parse(record: string, recordNumber: number, hint?: number): Doc[] {
          // A UTF-8 byte order mark is not JSON (the framing drops one at the start of an object).
          const text = record.charCodeAt(0) === 0xfeff ? record.slice(1) : record;
          const facts = hint === undefined || hint === NO_FACTS ? scanJsonText(text) : hint;
          const checks =
            facts >= 0 && ((facts & (FACT_CHECK_KEYS | FACT_CHECK_NUMBERS)) !== 0 || deeper(facts, maxDepth));
          if (checks) {
            // The whole file must be JSON; then each event is checked on its own text, and refused alone.
            const value = parseJsonText(text, recordNumber, file);
            const spans = arrayElementSpans(text, 'Records');
            const records = (value as { Records?: unknown } | null)?.Records;
            if (spans !== undefined && Array.isArray(records) && spans.length === 2 * records.length) {
              return eventsOf(records, text, { spans, rules: event }, recordNumber, key);
            }
            // Records named twice (or no plain array): the file is judged as one unit, as below.
          }
          const value = parseJsonDocument(text, facts, recordNumber, file);
          return eventsOf((value as { Records?: unknown } | null)?.Records, text, undefined, recordNumber, key);
        },
      };
    },
  };
}

function deeper(facts: number, maxDepth: number): boolean {
  return (facts & FACT_DEPTH_MASK) - WRAPPER_DEPTH > maxDepth;
}

/**
 * The events of a parsed file. With `each`, every event is parsed again from its own span of
 * the text under the event rules, and refused alone; otherwise the parsed elements are taken,
 * and only one that is not an object is refused. Throws PartialRecordError when any was refused.
 */
function eventsOf(
  records: unknown,
  text: string,
  each: { spans: number[]; rules: JsonDocumentRules } | undefined,
  recordNumber: number,
  key: string,
): Doc[] {
  if (!Array.isArray(records)) {
    throw new RecordParseError('cloudtrail: document has no "Records" array (is this a CloudTrail log file?)', {
      key,
      record: recordNumber,
      field: 'Records',
    });
  }
  if (each === undefined && records.every(isObject)) return records as Doc[];
  // The slow path: events to check, or to refuse, one by one.
  const failed: EventParseFailure[] = [];
  const docs: Doc[] = [];
  const subs: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const raw = each ? text.slice(each.spans[2 * i], each.spans[2 * i + 1]) : undefined;
    try {
      if (!isObject(records[i])) throw new RecordParseError(`cloudtrail: Records[${i}] is not an object`);
      docs.push(
        raw !== undefined && each ? (parseJsonDocument(raw, undefined, recordNumber, each.rules) as Doc) : records[i],
      );
      subs.push(i);
    } catch (error) {
      const reason = (error as Error).message.replace(/^cloudtrail: (?!Records\[)/, `cloudtrail: Records[${i}]: `);
      failed.push({ sub: i, reason, raw: raw ?? JSON.stringify(records[i]) ?? String(records[i]) });
    }
  }
  if (failed.length === 0) return docs;
  const first = failed[0]!;
  throw new PartialRecordError(docs, subs, failed, { key, record: recordNumber, field: `Records[${first.sub}]` });
}

function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function recordsOf(value: unknown): Doc[] {
  const records = (value as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) ? records.filter(isObject) : [];
}
