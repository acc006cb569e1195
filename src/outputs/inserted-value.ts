/**
 * The one home for "a field value inserted into a name" (an index name, a file path): the value
 * comes from the log, so from the internet. Whatever it holds, the work per event is bounded
 * (a megabyte value costs as much as a short one), it becomes plain text, the name's own rules
 * clean it, and it is cut to a bound on a code point boundary. Each kind of name passes its
 * rules as `clean` to `insertedValue`, and that as the `fieldText` hook of compileEventPattern.
 */

/** The UTF-8 byte length of one UTF-16 code unit, counting a surrogate pair as 4 on its first half. */
function utf8Bytes(code: number, next: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return 4;
  return 3;
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that ends on a code point boundary. One pass. */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const size = utf8Bytes(text.charCodeAt(i), text.charCodeAt(i + 1));
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += size === 4 ? 2 : 1;
  }
  return i === text.length ? text : text.slice(0, i);
}

/** Control and format characters (NUL, newlines, bidi overrides, zero-width joiners): invisible in a name. */
export const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;
/** Lone surrogates: not valid UTF-8, so not in any name. */
export const LONE_SURROGATE = /\p{Cs}/gu;

export interface InsertedValueRules {
  /** UTF-8 bytes the value may take once cleaned. */
  maxBytes: number;
  /** The name's own character rules; it may shorten the text, and lengthen it a little (lowercasing). */
  clean: (text: string) => string;
}

/**
 * One field value as it goes into a name: a scalar's text, bounded before any other work,
 * cleaned by the name's rules, and cut to `maxBytes`. Objects and arrays insert `object`; a
 * missing field inserts `unknown`.
 */
export function insertedValue(value: unknown, rules: InsertedValueRules): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else if (value === undefined || value === null) return 'unknown';
  else return 'object';
  // Cleaning can lengthen a character (lowercase İ is two code units): take a few more than the bound.
  const bounded = text.length > rules.maxBytes * 2 ? text.slice(0, rules.maxBytes * 2) : text;
  return utf8Prefix(rules.clean(bounded), rules.maxBytes);
}
