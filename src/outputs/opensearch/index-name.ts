import type { LogEvent } from '../../core/event.js';
import { compileEventPattern } from '../event-pattern.js';

/** Characters OpenSearch refuses in index names (plus `:` which is deprecated, and whitespace). */
const INVALID = /[\\/*?"<>|,#:\s]/g;

/** Makes any string a valid index name: lowercase, no forbidden characters, no leading `-_+`, at most 255 bytes. */
export function sanitizeIndexName(name: string): string {
  let out = name
    .toLowerCase()
    .replace(INVALID, '_')
    .replace(/^[-_+]+/, '');
  if (out === '' || out === '.' || out === '..') out = 'sluice-unnamed';
  while (Buffer.byteLength(out) > 255) out = out.slice(0, -1);
  return out;
}

/** Compiles an index pattern such as `alb-logs-%{+YYYY.MM.dd}` into a function of the event. */
export function compileIndexName(pattern: string): (event: LogEvent) => string {
  const format = compileEventPattern(pattern);
  const seen = new Map<string, string>();
  return (event) => {
    const raw = format(event);
    let name = seen.get(raw);
    if (name === undefined) {
      name = sanitizeIndexName(raw);
      if (seen.size > 4096) seen.clear();
      seen.set(raw, name);
    }
    return name;
  };
}

/** The wildcard an index template must match for every name the pattern can produce. */
export function indexPatternWildcard(pattern: string): string {
  const wildcard = pattern.replace(/%\{[^}]+\}/g, '*').replace(/\*+/g, '*');
  return sanitizeIndexName(wildcard.replace(/\*/g, '\u0000')).replace(/\u0000/g, '*');
}
