/**
 * Parses one JSON record for the JSON parsers (waf, json_lines, cloudtrail) and refuses, or
 * marks, what `JSON.parse` would let through silently (docs/GUARANTEES.md, "Hostile input"):
 *
 * - Nesting deeper than `max_depth` (objects and arrays both count; the document itself is
 *   level 1): the record is refused. A 10 KB line can nest 5,000 levels, which later
 *   overflows the stack of recursive code (JSON.stringify in the outputs, filters).
 * - A key repeated in one object with a different value: the record is refused, naming the
 *   key. JSON.parse keeps the last value, other readers the first, OpenSearch refuses the
 *   document: `"action":"ALLOW","action":"BLOCK"` must not route as whichever a reader picks.
 *   (A pair repeated with the same value changes nothing and is kept.)
 * - A number a double cannot hold as written (an integer beyond ±(2^53-1), a value beyond the
 *   range of a double, which JSON.parse makes ±Infinity and JSON.stringify `null`, or a
 *   nonzero value below it, which becomes 0): kept as its original text (a string) and the
 *   event tagged `_json_number_as_text`. Decimals that merely round to the nearest double stay
 *   numbers, as with every JSON reader.
 *
 * The common record costs `JSON.parse` and two integer tests: the framing's scan (the hint)
 * says whether a record needs the exact, slower checks, which lossless-json then runs.
 */
import { getUnsafeNumberReason, parse as parseLossless, UnsafeNumberReason } from 'lossless-json';
import { errorMessage, RecordParseError } from '../../core/errors.js';
import type { Doc } from '../../core/event.js';
import { addTag } from '../../core/tags.js';
import { NO_FACTS } from '../framing/frame-json.js';
import { FACT_CHECK_KEYS, FACT_CHECK_NUMBERS, FACT_DEPTH_MASK, scanJsonText } from '../framing/scan-json-text.js';

/** Tag on an event that holds a number kept as its original text. */
export const NUMBER_AS_TEXT_TAG = '_json_number_as_text';

/** The default max_depth: above real logs (WAF 8, CloudTrail RunInstances 11), at OpenSearch's index.mapping.depth.limit. */
export const DEFAULT_MAX_DEPTH = 20;
/** The highest max_depth a pipeline may set: recursive code downstream stays far from the stack's end. */
export const MAX_MAX_DEPTH = 1000;

export interface JsonDocumentRules {
  /** The parser type, named in every reason. */
  type: string;
  key: string;
  maxDepth: number;
  /** Levels above the events that max_depth counts in (2 for CloudTrail's `{"Records":[...]}`). */
  wrapperDepth: number;
  /** The events of a parsed value, which get the tag when they hold a number kept as text. */
  events(value: unknown): Doc[];
  /** What the depth reason calls the value (default "a record"; "the event" for one CloudTrail event). */
  unit?: string;
}

/** A number kept as text while lossless-json builds the value; replaced by its text before anyone sees it. */
class KeptNumber {
  constructor(readonly text: string) {}
}

/** The value of `text`, checked by `rules`; throws RecordParseError. */
export function parseJsonDocument(
  text: string,
  hint: number | undefined,
  record: number,
  rules: JsonDocumentRules,
): unknown {
  const value = parseJsonText(text, record, rules);
  let facts = hint === undefined || hint === NO_FACTS ? scanJsonText(text) : hint;
  if (facts < 0) facts = 0; // a scalar: no nesting, keys or numbers to check
  const depth = (facts & FACT_DEPTH_MASK) - rules.wrapperDepth;
  if (depth > rules.maxDepth) {
    throw new RecordParseError(
      `${rules.type}: ${rules.unit ?? 'a record'} nests ${depth} levels deep, more than max_depth (${rules.maxDepth}) allows`,
      { key: rules.key, record },
    );
  }
  if ((facts & (FACT_CHECK_KEYS | FACT_CHECK_NUMBERS)) === 0) return value;
  return parseExactly(text, record, rules);
}

/** `JSON.parse` of `text`, or a RecordParseError saying why it is not JSON; nothing else is checked. */
export function parseJsonText(text: string, record: number, rules: JsonDocumentRules): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RecordParseError(
      `${rules.type}: invalid JSON: ${errorMessage(error)}`,
      { key: rules.key, record },
      error,
    );
  }
}

/** The slow path, for the few records the scan flagged: duplicate keys found exactly, numbers kept when inexact. */
function parseExactly(text: string, record: number, rules: JsonDocumentRules): unknown {
  let kept = false;
  const value = parseLossless(text, null, {
    parseNumber: (number: string) => {
      const reason = getUnsafeNumberReason(number);
      if (reason === undefined || reason === UnsafeNumberReason.truncate_float) return Number(number);
      kept = true;
      return new KeptNumber(number);
    },
    onDuplicateKey: ({ key, position }) => {
      const name = JSON.stringify(key.length > 100 ? `${key.slice(0, 100)}…` : key);
      throw new RecordParseError(
        `${rules.type}: key ${name} appears twice in one object with different values (character ${position}); ` +
          'readers disagree on which one counts, so the record is refused',
        { key: rules.key, record, field: key.slice(0, 100) },
      );
    },
  });
  if (!kept) return value;
  for (const event of rules.events(value)) {
    if (restoreKeptNumbers(event)) addTag(event, NUMBER_AS_TEXT_TAG);
  }
  restoreKeptNumbers(value); // any outside the events
  return value;
}

/** Replaces every KeptNumber under `value` by its text; true when there was one. Depth is bounded by max_depth. */
function restoreKeptNumbers(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  let found = false;
  const container = value as Record<string, unknown>;
  for (const key of Object.keys(container)) {
    const item = container[key];
    if (item instanceof KeptNumber) {
      container[key] = item.text;
      found = true;
    } else if (restoreKeptNumbers(item)) {
      found = true;
    }
  }
  return found;
}
