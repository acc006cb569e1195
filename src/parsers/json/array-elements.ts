/**
 * Where the elements of one array sit in a JSON text: the array that is the value of `key` in
 * the top-level object (CloudTrail's `{"Records":[...]}`). The CloudTrail parser uses it only
 * on the slow path, for a file whose scan flagged something to check, so that each event is
 * checked (and refused) on its own text instead of the whole file failing for one event.
 *
 * Like scan-json-text.ts it only tracks structure; the text was already accepted by JSON.parse.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index of the quote that ends the string opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end !== -1) {
    let b = end - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    if ((end - 1 - b) % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** The first index at or after `from` that is not whitespace. */
function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The [start, end) offsets of each element of the array under top-level `key`, flattened
 * (`[start0, end0, start1, end1, ...]`); undefined when the text is not an object holding that
 * key once with an array value.
 */
export function arrayElementSpans(text: string, key: string): number[] | undefined {
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) !== OPEN_OBJECT) return undefined;
  let depth = 0;
  let spans: number[] | undefined;
  let found = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end === -1) return undefined;
      if (depth === 1) {
        const colon = skipWhitespace(text, end + 1);
        if (text.charCodeAt(colon) === COLON && keyText(text, i, end) === key) {
          found++;
          const value = skipWhitespace(text, colon + 1);
          if (text.charCodeAt(value) !== OPEN_ARRAY) return undefined;
          const elements = elementsOf(text, value);
          if (!elements) return undefined;
          spans = elements.spans;
          i = elements.end;
          continue;
        }
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) break;
    }
  }
  return found === 1 ? spans : undefined;
}

/** The text of the key whose quotes are at `start` and `end` (escapes decoded only when there are some). */
function keyText(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end + 1)) as string) : raw;
}

/** The element spans of the array opening at `open`, and the index of its closing bracket. */
function elementsOf(text: string, open: number): { spans: number[]; end: number } | undefined {
  const spans: number[] = [];
  let depth = 0;
  let start = -1;
  let last = -1; // the last character of the current element that is not whitespace
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (depth === 0) {
      if (isWhitespace(c)) continue;
      if (c === COMMA || c === CLOSE_ARRAY) {
        if (start !== -1) spans.push(start, last + 1);
        start = -1;
        if (c === CLOSE_ARRAY) return { spans, end: i };
        continue;
      }
      if (start === -1) start = i;
    }
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end === -1) return undefined;
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
    if (depth === 0) last = i;
  }
  return undefined;
}
