import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { z } from 'zod';
import type { LogEvent } from '../core/event.js';
import { checkEventPattern, compileEventPattern } from './event-pattern.js';
import { INVISIBLE, insertedValue, LONE_SURROGATE } from './inserted-value.js';

/**
 * File paths of the file output from a pattern and the event. Field values come from the log,
 * so from the internet: an inserted value never holds a path separator, a NUL or any control
 * or format character, never starts with `.` (so never `..`), and takes at most
 * MAX_PATH_VALUE_BYTES. The path is then checked to lie inside the pattern's fixed directory
 * (the literal text before its first `%{`, relative to the config file's directory); one that
 * does not is refused, and that event goes to the dead-letter.
 */

/** Bytes one inserted value may take: leaves room for the pattern's own text in a 255-byte file name. */
export const MAX_PATH_VALUE_BYTES = 100;

/** Both separators (`\` too: the files may be read on Windows, or by a tool that splits on it). */
const SEPARATORS = /[/\\]/g;
const LEADING_DOTS = /^\.+/;

function cleanPathValue(text: string): string {
  const cleaned = text
    .replace(INVISIBLE, '')
    .replace(LONE_SURROGATE, '_')
    .replace(SEPARATORS, '_')
    .replace(LEADING_DOTS, '');
  return cleaned === '' ? '_' : cleaned;
}

const PATH_VALUE_RULES = { maxBytes: MAX_PATH_VALUE_BYTES, clean: cleanPathValue };

/** A field value as it goes into a file path: one plain name piece, never a separator or a leading dot. */
export function pathValue(value: unknown): string {
  return insertedValue(value, PATH_VALUE_RULES);
}

/** The directory every path of the pattern must stay in: its literal text before the first `%{`, up to the last `/`. */
export function fixedDirectory(pattern: string, baseDir: string): string {
  const first = pattern.indexOf('%{');
  const prefix = first === -1 ? pattern : pattern.slice(0, first);
  return resolve(baseDir, prefix.endsWith('/') ? prefix : dirname(prefix));
}

/** True when `path` names something strictly inside `directory` (both absolute). */
export function isInside(directory: string, path: string): boolean {
  const rel = relative(directory, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

export type FileTarget = { path: string } | { refused: string };

/** Compiles a file output path such as `out/alb-%{+YYYY-MM-dd}.ndjson` into a function of the event. */
export function compileFilePath(pattern: string, baseDir: string): (event: LogEvent) => FileTarget {
  const format = compileEventPattern(pattern, { fieldText: pathValue });
  const directory = fixedDirectory(pattern, baseDir);
  // Resolving and checking a path costs more than formatting it: once per distinct path (bounded).
  const seen = new Map<string, FileTarget>();
  return (event) => {
    const raw = format(event);
    let target = seen.get(raw);
    if (target === undefined) {
      const path = resolve(baseDir, raw);
      target = isInside(directory, path)
        ? { path }
        : { refused: `the path ${JSON.stringify(path)} lies outside the output directory ${directory}` };
      if (seen.size > 4096) seen.clear();
      seen.set(raw, target);
    }
    return target;
  };
}

/**
 * For the config schema: what compileEventPattern would refuse, and a path that starts with a
 * field (its fixed directory would be the config file's, and log content would name any file
 * in it, the config itself included). Such a path must start with a directory of its own.
 */
export function checkFilePathPattern(pattern: string, ctx: z.RefinementCtx): void {
  checkEventPattern(pattern, ctx);
  if (/^%\{\s*[^+\s]/.test(pattern)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'the path starts with a field, so log content would name any file beside the config file; ' +
        'start it with a directory of its own, e.g. out/%{[field]}.ndjson',
    });
  }
}
