import type { LogEvent } from '../../core/event.js';
import { compileEventPattern } from '../event-pattern.js';

/**
 * Index names from a pattern and the event. Field values come from the log, so from the
 * internet: whatever they hold, the name is one OpenSearch accepts (the rules of
 * MetadataCreateIndexService.validateIndexOrAliasName: lowercase, none of `\ / * ? " < > |`,
 * space, `,`, `#` or `:`, not starting with `_ - +`, not `.` or `..`, at most 255 bytes), a
 * value never makes it hidden (a leading `.`), and the work per event is bounded whatever
 * the size of the value.
 */
export const MAX_INDEX_NAME_BYTES = 255;

/** Bytes one inserted field value may take: a load balancer, account or web ACL name fits, a megabyte does not. */
export const MAX_INSERTED_VALUE_BYTES = 100;

/** Characters OpenSearch refuses (plus `:`, refused since 2.x) and any whitespace: replaced by `_`. */
const REFUSED = /[\\/*?"<>|,#:\s]/gu;
/** Control and format characters (NUL, bidi overrides, zero-width joiners) and lone surrogates: invisible, removed. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;
const LONE_SURROGATE = /\p{Cs}/gu;
const LEADING = /^[_\-+]+/;
/** What data must not put first: the three OpenSearch refuses and `.`, which makes an index hidden. */
const DATA_LEADING = /^[._\-+]+/;

const FALLBACK_NAME = 'sluice-unnamed';

/** Lowercase, without refused or invisible characters. Length-preserving except for the invisible ones. */
function cleanCharacters(text: string): string {
  return text.toLowerCase().replace(INVISIBLE, '').replace(LONE_SURROGATE, '_').replace(REFUSED, '_');
}

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

/** Makes any string a valid index name: lowercase, no forbidden or invisible characters, no leading `-_+`, at most 255 bytes. */
export function sanitizeIndexName(name: string): string {
  const out = utf8Prefix(cleanCharacters(name).replace(LEADING, ''), MAX_INDEX_NAME_BYTES);
  return out === '' || out === '.' || out === '..' ? FALLBACK_NAME : out;
}

/**
 * One field value as it goes into a name: a scalar's text, bounded before any other work (so a
 * megabyte value costs as much as a short one), cleaned, and cut to MAX_INSERTED_VALUE_BYTES.
 * Objects and arrays insert `object`; a missing field inserts `unknown`.
 */
function insertedValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else if (value === undefined || value === null) return 'unknown';
  else return 'object';
  // Lowercasing can lengthen a character (İ becomes two code units): take a few more than the bound.
  const bounded = text.length > MAX_INSERTED_VALUE_BYTES * 2 ? text.slice(0, MAX_INSERTED_VALUE_BYTES * 2) : text;
  return utf8Prefix(cleanCharacters(bounded), MAX_INSERTED_VALUE_BYTES);
}

/** Lowercase, no refused or invisible characters, no leading `-_+`: what is left of a pattern's own text. */
function cleanLiteral(text: string): string {
  return cleanCharacters(text).replace(LEADING, '');
}

/** Compiles an index pattern such as `alb-logs-%{+YYYY.MM.dd}` into a function of the event. */
export function compileIndexName(pattern: string): (event: LogEvent) => string {
  const format = compileEventPattern(pattern, { fieldText: insertedValue });
  // A name may start with a dot only when the pattern's own text does (the user chose it). When
  // the pattern starts with a placeholder, data comes first and may not make the name hidden.
  const firstPlaceholder = pattern.indexOf('%{');
  const dataLeads = firstPlaceholder !== -1 && cleanLiteral(pattern.slice(0, firstPlaceholder)) === '';
  const seen = new Map<string, string>();
  return (event) => {
    const raw = format(event);
    let name = seen.get(raw);
    if (name === undefined) {
      name = sanitizeIndexName(dataLeads ? cleanCharacters(raw).replace(DATA_LEADING, '') : raw);
      if (seen.size > 4096) seen.clear();
      seen.set(raw, name);
    }
    return name;
  };
}

/** The wildcard an index template must match for every name the pattern can produce. */
export function indexPatternWildcard(pattern: string): string {
  const pieces = pattern.split(/%\{[^}]+\}/);
  const cleaned = pieces.map((piece, i) => (i === 0 ? cleanLiteral(piece) : cleanCharacters(piece)));
  return utf8Prefix(cleaned.join('*').replace(/\*+/g, '*'), MAX_INDEX_NAME_BYTES) || FALLBACK_NAME;
}
