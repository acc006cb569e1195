/**
 * `%{[field]}` / `%{field}` references in strings, as Logstash users write them. Compiled
 * once into literal and path parts. A reference to a missing field stays as written (as in
 * Logstash), so the gap is visible instead of silently empty.
 */
import type { Doc } from '../core/event.js';
import { type FieldPath, getField, parseFieldPath } from '../core/field-path.js';

type Part = string | { path: FieldPath; raw: string };

const REFERENCE = /%\{([^}]+)\}/g;

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A template that is exactly one reference yields the referenced value with its type (a number stays a number). */
export function compileTemplate(text: string): (doc: Doc) => unknown {
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(REFERENCE)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push({ path: parseFieldPath(match[1]!), raw: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (parts.length === 0) return () => text;
  if (parts.length === 1 && typeof parts[0] === 'string') return () => text;
  if (parts.length === 1) {
    const { path, raw } = parts[0] as Exclude<Part, string>;
    return (doc) => {
      const value = getField(doc, path);
      if (value === undefined) return raw;
      // A copy: the same object must not sit at two places of the doc.
      return typeof value === 'object' && value !== null ? structuredClone(value) : value;
    };
  }
  return (doc) => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
      } else {
        const value = getField(doc, part.path);
        out += value === undefined ? part.raw : value === null ? '' : render(value);
      }
    }
    return out;
  };
}
