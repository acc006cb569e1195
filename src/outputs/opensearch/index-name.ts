import type { LogEvent } from '../../core/event.js';
import { compileEventPattern } from '../event-pattern.js';
import { INVISIBLE, insertedValue, LONE_SURROGATE, utf8Prefix } from '../inserted-value.js';

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
const LEADING = /^[_\-+]+/;
/** What data must not put first: the three OpenSearch refuses and `.`, which makes an index hidden. */
const DATA_LEADING = /^[._\-+]+/;

const FALLBACK_NAME = 'sluice-unnamed';

/** Lowercase, without refused or invisible characters. Length-preserving except for the invisible ones. */
function cleanCharacters(text: string): string {
  return text.toLowerCase().replace(INVISIBLE, '').replace(LONE_SURROGATE, '_').replace(REFUSED, '_');
}

/** Makes any string a valid index name: lowercase, no forbidden or invisible characters, no leading `-_+`, at most 255 bytes. */
export function sanitizeIndexName(name: string): string {
  const out = utf8Prefix(cleanCharacters(name).replace(LEADING, ''), MAX_INDEX_NAME_BYTES);
  return out === '' || out === '.' || out === '..' ? FALLBACK_NAME : out;
}

/** One field value as it goes into an index name (inserted-value.ts): lowercased and cleaned, at most 100 bytes. */
const INDEX_VALUE_RULES = { maxBytes: MAX_INSERTED_VALUE_BYTES, clean: cleanCharacters };

/** Lowercase, no refused or invisible characters, no leading `-_+`: what is left of a pattern's own text. */
function cleanLiteral(text: string): string {
  return cleanCharacters(text).replace(LEADING, '');
}

/** Compiles an index pattern such as `alb-logs-%{+YYYY.MM.dd}` into a function of the event. */
export function compileIndexName(pattern: string): (event: LogEvent) => string {
  const format = compileEventPattern(pattern, { fieldText: (value) => insertedValue(value, INDEX_VALUE_RULES) });
  // A name may start with a dot only when the pattern's own text does (the user chose it). When
  // the pattern starts with a placeholder, data comes first and may not make the name hidden.
  const firstPlaceholder = pattern.indexOf('%{');
  const dataLeads = firstPlaceholder !== -1 && cleanLiteral(pattern.slice(0, firstPlaceholder)) === '';
  const seen = new Map<string, string>();
  // The pattern gives the same string for every event of an hour (event-pattern.ts): compared by identity first.
  let lastRaw: string | undefined;
  let lastName = '';
  return (event) => {
    const raw = format(event);
    if (raw === lastRaw) return lastName;
    let name = seen.get(raw);
    if (name === undefined) {
      name = sanitizeIndexName(dataLeads ? cleanCharacters(raw).replace(DATA_LEADING, '') : raw);
      if (seen.size > 4096) seen.clear();
      seen.set(raw, name);
    }
    lastRaw = raw;
    lastName = name;
    return name;
  };
}

/** The wildcard an index template must match for every name the pattern can produce. */
export function indexPatternWildcard(pattern: string): string {
  const pieces = pattern.split(/%\{[^}]+\}/);
  const cleaned = pieces.map((piece, i) => (i === 0 ? cleanLiteral(piece) : cleanCharacters(piece)));
  return utf8Prefix(cleaned.join('*').replace(/\*+/g, '*'), MAX_INDEX_NAME_BYTES) || FALLBACK_NAME;
}
