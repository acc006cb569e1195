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
export function eventTime(event: LogEvent, isoMillis: (text: string) => number = Date.parse): number {
  const value = event.doc['@timestamp'];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = isoMillis(value);
    if (!Number.isNaN(ms)) return ms;
  }
  return event.origin.lastModified;
}

const isDigit = (text: string, i: number): boolean => {
  const code = text.charCodeAt(i);
  return code >= 48 && code <= 57;
};

/** The two digits at `i` as a number, or -1. */
const twoDigits = (text: string, i: number): number =>
  isDigit(text, i) && isDigit(text, i + 1) ? (text.charCodeAt(i) - 48) * 10 + text.charCodeAt(i + 1) - 48 : -1;

/**
 * `Date.parse` with a fast path for what the date filter writes into `@timestamp`,
 * `YYYY-MM-DDTHH:mm:ss.sssZ`: the start of its hour is parsed once (`Date.parse` of
 * `YYYY-MM-DDTHH:00:00.000Z`, kept until an event of another hour comes) and minutes, seconds
 * and milliseconds are added, so consecutive events of one hour parse no date. Any other text,
 * an hour past 23, a minute or second past 59 goes to `Date.parse` as it is: the result is
 * always `Date.parse(text)` (test/outputs/event-pattern.test.ts compares them).
 */
export function isoMillisReader(): (text: string) => number {
  let hourText = '';
  let hourMs = Number.NaN;
  return (text) => {
    if (text.length !== 24 || text.charCodeAt(23) !== 90 /* Z */ || text.charCodeAt(19) !== 46 /* . */)
      return Date.parse(text);
    const minute = twoDigits(text, 14);
    const second = twoDigits(text, 17);
    const tenths = twoDigits(text, 20);
    if (
      minute < 0 ||
      minute > 59 ||
      second < 0 ||
      second > 59 ||
      tenths < 0 ||
      !isDigit(text, 22) ||
      text.charCodeAt(13) !== 58 ||
      text.charCodeAt(16) !== 58
    )
      return Date.parse(text);
    if (!text.startsWith(hourText) || hourText === '') {
      const hour = twoDigits(text, 11);
      const shaped =
        hour >= 0 &&
        hour <= 23 &&
        twoDigits(text, 0) >= 0 &&
        twoDigits(text, 2) >= 0 &&
        twoDigits(text, 5) >= 0 &&
        twoDigits(text, 8) >= 0 &&
        text.charCodeAt(4) === 45 &&
        text.charCodeAt(7) === 45 &&
        text.charCodeAt(10) === 84; /* T */
      if (!shaped) return Date.parse(text);
      hourText = text.slice(0, 13);
      hourMs = Date.parse(`${hourText}:00:00.000Z`);
    }
    const millis = tenths * 10 + text.charCodeAt(22) - 48;
    return hourMs + minute * 60_000 + second * 1000 + millis;
  };
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

/**
 * Formats the time parts of one pattern: hourly formats are cached per hour (the last hour of
 * each part first, as events come in time order, then a bounded map).
 */
function timeFormatter(slots: number): (format: TimeFormat, ms: number, slot: number) => string {
  const cache = new Map<string, string>();
  const lastHour: number[] = new Array<number>(slots).fill(Number.NaN);
  const lastText: string[] = new Array<string>(slots).fill('');
  return (format, ms, slot) => {
    const hour = Math.floor(ms / 3_600_000);
    if (format.hourly && hour === lastHour[slot]) return lastText[slot]!;
    const key = format.hourly ? `${slot}:${hour}` : '';
    let out = key ? cache.get(key) : undefined;
    if (out === undefined) {
      const d = new Date(ms);
      out = '';
      for (const token of format.tokens) out += typeof token === 'string' ? token : token(d);
      if (key) {
        if (cache.size > 4096) cache.clear(); // bounded: replays over many hours stay small
        cache.set(key, out);
      }
    }
    if (format.hourly) {
      lastHour[slot] = hour;
      lastText[slot] = out;
    }
    return out;
  };
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

  const formatTime = timeFormatter(parts.length);
  const isoMillis = isoMillisReader();
  // Text and hourly times only: the whole name is the same for every event of an hour.
  const hourlyName = parts.every((p) => p.kind === 'text' || (p.kind === 'time' && p.format.hourly));
  let nameHour = Number.NaN;
  let name = '';

  return (event) => {
    let ms: number | undefined;
    if (hourlyName) {
      ms = eventTime(event, isoMillis);
      if (Math.floor(ms / 3_600_000) === nameHour) return name;
    }
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.kind === 'text') out += part.text;
      else if (part.kind === 'field') out += textOf(getField(event.doc, part.path));
      else {
        ms ??= eventTime(event, isoMillis);
        out += formatTime(part.format, ms, i);
      }
    }
    if (hourlyName) {
      nameHour = Math.floor(ms! / 3_600_000);
      name = out;
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
