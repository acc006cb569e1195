/**
 * `%{[field]}` / `%{field}` references in strings, as Logstash users write them. Compiled
 * once into literal and path parts. A reference to a missing field stays as written (as in
 * Logstash), so the gap is visible instead of silently empty.
 */
import type { Doc } from '../core/event.js';
import { type FieldPath, fieldPathProblem, getField, parseFieldPath } from '../core/field-path.js';
import { boundedJsonText } from '../core/json-text.js';
import { cloneJson } from './clone-json.js';
import { FilterApplyError } from './filter-apply-error.js';

type Part = string | { path: FieldPath; raw: string };

const REFERENCE = /%\{([^}]+)\}/g;

/** Why a reference in `text` is not a field path, or undefined when every one is. */
export function templateProblem(text: string): string | undefined {
  for (const match of text.matchAll(REFERENCE)) {
    const problem = fieldPathProblem(match[1]!);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function render(value: unknown, raw: string): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object') return String(value);
  const text = boundedJsonText(value);
  // Only a value nested past MAX_JSON_TEXT_DEPTH (hostile input) or one JSON cannot hold gets here.
  if (text === undefined) {
    throw new FilterApplyError(`cannot render ${raw}: the value is nested too deeply to write as text`, {
      field: raw.slice(2, -1),
    });
  }
  return text;
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
      return cloneJson(value);
    };
  }
  return (doc) => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
      } else {
        const value = getField(doc, part.path);
        out += value === undefined ? part.raw : value === null ? '' : render(value, part.raw);
      }
    }
    return out;
  };
}
