import type { z } from 'zod';
import type { LogEvent } from '../core/event.js';
import { type FieldPath, getField, parseFieldPath } from '../core/field-path.js';

/**
 * Logstash-style patterns over an event: `%{+YYYY.MM.dd}` formats the event's own time in UTC,
 * `%{[field][sub]}` or `%{field.sub}` inserts a field value. Compiled once at start-up.
 */
export type EventPattern = (event: LogEvent) => string;

type Part = { kind: 'text'; text: string } | { kind: 'time'; format: TimeFormat } | { kind: 'field'; path: FieldPath };

type TimeToken = (d: Date) => string;
interface TimeFormat {
  tokens: (TimeToken | string)[];
  /** Formats that never look below the hour can be cached per hour. */
  hourly: boolean;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO-8601 week number and week-based year of a UTC date. */
export function isoWeek(d: Date): { week: number; year: number } {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day); // the Thursday of this week decides its year
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return { week: Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7), year: t.getUTCFullYear() };
}

// Longest first: the tokenizer takes the first that matches at each position.
const TIME_TOKENS: [string, TimeToken, boolean][] = [
  ['xxxx', (d) => pad(isoWeek(d).year, 4), true],
  ['YYYY', (d) => pad(d.getUTCFullYear(), 4), true],
  ['yyyy', (d) => pad(d.getUTCFullYear(), 4), true],
  ['YY', (d) => pad(d.getUTCFullYear() % 100), true],
  ['yy', (d) => pad(d.getUTCFullYear() % 100), true],
  ['MM', (d) => pad(d.getUTCMonth() + 1), true],
  ['dd', (d) => pad(d.getUTCDate()), true],
  ['HH', (d) => pad(d.getUTCHours()), true],
  ['ww', (d) => pad(isoWeek(d).week), true],
  ['mm', (d) => pad(d.getUTCMinutes()), false],
  ['ss', (d) => pad(d.getUTCSeconds()), false],
];

function compileTimeFormat(format: string): TimeFormat {
  const tokens: (TimeToken | string)[] = [];
  let hourly = true;
  let i = 0;
  while (i < format.length) {
    const match = TIME_TOKENS.find(([token]) => format.startsWith(token, i));
    if (match) {
      tokens.push(match[1]);
      hourly &&= match[2];
      i += match[0].length;
    } else {
      if (/[A-Za-z]/.test(format[i]!)) {
        throw new Error(`unsupported date token at ${JSON.stringify(format.slice(i))} in %{+${format}}`);
      }
      tokens.push(format[i]!);
      i += 1;
    }
  }
  return { tokens, hourly };
}

/** The event's own time: `@timestamp` (ISO string or epoch ms), else the object's LastModified so replays agree. */
export function eventTime(event: LogEvent): number {
  const value = event.doc['@timestamp'];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  return event.origin.lastModified;
}

function fieldText(value: unknown): string {
  if (value === undefined || value === null) return 'unknown';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface EventPatternOptions {
  /** How an inserted field value becomes text (default: its string, objects as JSON, missing as `unknown`). */
  fieldText?: (value: unknown) => string;
}

export function compileEventPattern(pattern: string, options: EventPatternOptions = {}): EventPattern {
  const textOf = options.fieldText ?? fieldText;
  const parts: Part[] = [];
  const re = /%\{([^}]+)\}/g;
  let last = 0;
  for (let m = re.exec(pattern); m !== null; m = re.exec(pattern)) {
    if (m.index > last) parts.push({ kind: 'text', text: pattern.slice(last, m.index) });
    const inner = m[1]!.trim();
    if (inner.startsWith('+')) parts.push({ kind: 'time', format: compileTimeFormat(inner.slice(1)) });
    else parts.push({ kind: 'field', path: parseFieldPath(inner) });
    last = m.index + m[0].length;
  }
  if (last < pattern.length) parts.push({ kind: 'text', text: pattern.slice(last) });
  if (parts.every((p) => p.kind === 'text')) return () => pattern;

  const cache = new Map<string, string>();
  const formatTime = (format: TimeFormat, ms: number, slot: number): string => {
    const key = format.hourly ? `${slot}:${Math.floor(ms / 3_600_000)}` : '';
    if (key) {
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
    }
    const d = new Date(ms);
    let out = '';
    for (const token of format.tokens) out += typeof token === 'string' ? token : token(d);
    if (key) {
      if (cache.size > 4096) cache.clear(); // bounded: replays over many hours stay small
      cache.set(key, out);
    }
    return out;
  };

  return (event) => {
    let out = '';
    let ms: number | undefined;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.kind === 'text') out += part.text;
      else if (part.kind === 'field') out += textOf(getField(event.doc, part.path));
      else {
        ms ??= eventTime(event);
        out += formatTime(part.format, ms, i);
      }
    }
    return out;
  };
}

/**
 * For config schemas: reports at validation time what compileEventPattern would throw at start-up
 * (a `%{[field]}` that is not a field path or reaches the prototype chain, an unknown date token).
 */
export function checkEventPattern(pattern: string, ctx: z.RefinementCtx): void {
  try {
    compileEventPattern(pattern);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
  }
}
