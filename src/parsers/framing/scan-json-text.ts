/**
 * One pass over a JSON text that says whether it is exactly one document (an object or an
 * array, surrounded by nothing but whitespace) and, if so, what the parser must check that
 * `JSON.parse` cannot see: how deep the document nests, whether a key may repeat inside one
 * object, whether a number may not fit a double. The JSON framing runs it on every line (the
 * common case: one document per line) and hands the result to the parser as the record's hint;
 * the parser runs it itself on a record that came without one (json/parse-json-document.ts),
 * so each document is scanned once.
 *
 * Hot path, measured on the bench's WAF lines: strings are skipped with `indexOf('"')`
 * (about 3x faster than testing every character), keys are compared by position and length
 * without slicing, and the result is a small integer, so nothing is allocated per line.
 * It only tracks structure: a text it calls one document may still be invalid JSON, which
 * `JSON.parse` then reports.
 */

/** The text holds only whitespace. */
export const JSON_EMPTY = -1;
/** The first character that is not whitespace cannot start a document (`{` or `[`). */
export const JSON_JUNK = -2;
/** A document starts but does not end exactly at the end of the text (unterminated, or more follows). */
export const JSON_PARTIAL = -3;

/** Facts (a result >= 0): the deepest nesting, 1 for `{}`, saturated at this mask. */
export const FACT_DEPTH_MASK = 0xffff;
/** Facts: a key repeats in one object, or a key has escapes, or an object has too many keys to compare: run the exact check. */
export const FACT_CHECK_KEYS = 1 << 16;
/** Facts: a number has 16 or more digits or an exponent: it may not fit a double exactly. */
export const FACT_CHECK_NUMBERS = 1 << 17;

/** Keys are compared (quadratically, but on small numbers) only in objects this shallow ... */
const TRACK_DEPTH = 64;
/** ... and only the first this many keys of an object; past either, the exact check runs instead. */
const KEYS_PER_OBJECT = 32;

const keyStart = new Int32Array((TRACK_DEPTH + 1) * KEYS_PER_OBJECT);
const keyLength = new Int32Array((TRACK_DEPTH + 1) * KEYS_PER_OBJECT);
const keyCount = new Int32Array(TRACK_DEPTH + 1);
/** Per object, one bit per key length modulo 32: a key whose bit is clear cannot repeat an earlier one. */
const keyLengths = new Int32Array(TRACK_DEPTH + 1);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Scans `text`: JSON_EMPTY, JSON_JUNK, JSON_PARTIAL, or the facts of the one document it holds
 * (FACT_DEPTH_MASK bits and FACT_CHECK_* flags).
 */
export function scanJsonText(text: string): number {
  const n = text.length;
  let i = 0;
  while (i < n && isWhitespace(text.charCodeAt(i))) i++;
  if (i === n) return JSON_EMPTY;
  const first = text.charCodeAt(i);
  if (first !== 0x7b && first !== 0x5b) return JSON_JUNK;
  let depth = 0;
  let maxDepth = 0;
  let flags = 0;
  // The next backslash at or after the scan position (-1: none): a string holds an escape iff it comes before its end.
  let backslash = text.indexOf('\\', i);
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      let escaped = false;
      if (backslash !== -1 && (backslash < end || end === -1)) {
        escaped = true;
        // A quote ends the string when an even number of backslashes precedes it.
        while (end !== -1 && text.charCodeAt(end - 1) === BACKSLASH) {
          let b = end - 2;
          while (text.charCodeAt(b) === BACKSLASH) b--;
          if ((end - 1 - b) % 2 === 0) break;
          end = text.indexOf('"', end + 1);
        }
        backslash = end === -1 ? -1 : text.indexOf('\\', end + 1);
      }
      if (end === -1) return JSON_PARTIAL;
      const after = text.charCodeAt(end + 1);
      if (after === COLON) {
        flags |= keyFlags(text, depth, i + 1, end, escaped);
        i = end + 1; // past the colon
      } else {
        if (isWhitespace(after) && colonFollows(text, end + 2)) flags |= keyFlags(text, depth, i + 1, end, escaped);
        i = end;
      }
    } else if (c === COMMA) {
      // the most frequent byte outside strings: nothing to do
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > maxDepth) maxDepth = depth;
      if (depth <= TRACK_DEPTH) {
        keyCount[depth] = 0;
        keyLengths[depth] = 0;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0)
        return restIsWhitespace(text, i + 1) ? Math.min(maxDepth, FACT_DEPTH_MASK) | flags : JSON_PARTIAL;
      if (depth < 0) return JSON_PARTIAL;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let digits = 0;
      let exponent = false;
      let k = i;
      for (; k < n; k++) {
        const d = text.charCodeAt(k);
        if (d >= 0x30 && d <= 0x39) digits++;
        else if (d === 0x65 || d === 0x45) exponent = true;
        else if (d !== 0x2e && d !== 0x2b && d !== 0x2d) break;
      }
      if (digits >= 16 || exponent) flags |= FACT_CHECK_NUMBERS;
      i = k - 1;
    }
  }
  return JSON_PARTIAL;
}

/** Records the key text[start, end) in the object at `depth`; FACT_CHECK_KEYS when the exact check must run. */
function keyFlags(text: string, depth: number, start: number, end: number, escaped: boolean): number {
  if (escaped || depth > TRACK_DEPTH || depth < 1) return FACT_CHECK_KEYS;
  const count = keyCount[depth]!;
  if (count >= KEYS_PER_OBJECT) return FACT_CHECK_KEYS;
  const base = depth * KEYS_PER_OBJECT;
  const length = end - start;
  const bit = 1 << (length & 31);
  const lengths = keyLengths[depth]!;
  if ((lengths & bit) !== 0) {
    for (let k = base; k < base + count; k++) {
      if (keyLength[k] === length && sameText(text, keyStart[k]!, start, length)) return FACT_CHECK_KEYS;
    }
  }
  keyLengths[depth] = lengths | bit;
  keyStart[base + count] = start;
  keyLength[base + count] = length;
  keyCount[depth] = count + 1;
  return 0;
}

function sameText(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) {
    if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  }
  return true;
}

function colonFollows(text: string, from: number): boolean {
  let k = from;
  while (k < text.length && isWhitespace(text.charCodeAt(k))) k++;
  return text.charCodeAt(k) === COLON;
}

function restIsWhitespace(text: string, from: number): boolean {
  for (let k = from; k < text.length; k++) {
    if (!isWhitespace(text.charCodeAt(k))) return false;
  }
  return true;
}
