/**
 * Hand-written timestamp parsers for the formats AWS logs use. Each returns the instant
 * as an ISO 8601 UTC string with milliseconds (`2019-02-06T00:00:38.000Z`), or undefined
 * when the input is not in that format. No Date parsing: `Date.parse` accepts too much
 * (and differs between engines), and a library costs more than these few lines.
 * A time written without an offset is UTC, as AWS writes it, unless a zone is given.
 */
import type { LocalToUtc } from './time-zone.js';

const MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

export const MONTHS: Record<string, number> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};

/** The number written by `count` ASCII digits at `start`, or -1. */
export function digitsAt(text: string, start: number, count: number): number {
  if (start + count > text.length) return -1;
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  return n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : String(n);
}

/** Whether the fields name a real day and a time of it (seconds 0-59: no leap second). */
function isCivil(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

/**
 * Valid calendar fields plus a UTC offset in minutes, as ISO UTC text. A null offset means the
 * text had none: the wall time is read in `zone`, or as UTC without one.
 */
export function civilToIso(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number | null,
  zone?: LocalToUtc,
): string | undefined {
  if (!isCivil(year, month, day, hour, minute, second)) return undefined;
  if (offsetMinutes === 0 || (offsetMinutes === null && zone === undefined)) {
    // Fast path (ALB, WAF, CloudFront, CloudTrail are all UTC): no Date object at all.
    return `${pad4(year)}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${pad3(millis)}Z`;
  }
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as written.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const local = date.getTime();
  if (offsetMinutes !== null) return millisToIso(local - offsetMinutes * 60_000);
  const instant = zone!(local);
  return instant === undefined ? undefined : millisToIso(instant);
}

/** Epoch milliseconds as ISO UTC text; undefined outside years 0000-9999. */
export function millisToIso(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) return undefined;
  return new Date(ms).toISOString();
}

/**
 * Parses `±HH:MM`, `±HHMM`, `±HH` or `Z` at `start` through to the end; returns minutes east
 * of UTC, null when there is nothing at `start`, or undefined when what is there is no offset.
 */
export function parseOffset(text: string, start: number): number | null | undefined {
  if (start === text.length) return null;
  const sign = text.charCodeAt(start);
  if (sign === 90 /* Z */ || sign === 122 /* z */) return start + 1 === text.length ? 0 : undefined;
  if (sign !== 43 /* + */ && sign !== 45 /* - */) return undefined;
  const hours = digitsAt(text, start + 1, 2);
  if (hours < 0 || hours > 23) return undefined;
  let pos = start + 3;
  let minutes = 0;
  if (pos < text.length) {
    if (text.charCodeAt(pos) === 58 /* : */) pos++;
    minutes = digitsAt(text, pos, 2);
    if (minutes < 0 || minutes > 59 || pos + 2 !== text.length) return undefined;
  }
  const total = hours * 60 + minutes;
  return sign === 45 ? -total : total;
}

/**
 * ISO 8601 / RFC 3339 in the extended form: `YYYY-MM-DD`, optionally followed by `T` (or a
 * space) and `HH:MM[:SS[.fraction]]`, optionally followed by `Z` or an offset. No offset
 * means `zone`, else UTC. Fractions of any length (ALB's microseconds) are truncated to milliseconds.
 */
export function parseIso8601(text: string, zone?: LocalToUtc): string | undefined {
  const year = digitsAt(text, 0, 4);
  if (year < 0 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (month < 0 || day < 0) return undefined;
  if (text.length === 10) return civilToIso(year, month, day, 0, 0, 0, 0, null, zone);
  const separator = text.charCodeAt(10);
  if (separator !== 84 /* T */ && separator !== 116 /* t */ && separator !== 32 /* space */) return undefined;
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  if (hour < 0 || minute < 0 || text.charCodeAt(13) !== 58) return undefined;
  let pos = 16;
  let second = 0;
  let millis = 0;
  if (text.charCodeAt(pos) === 58 /* : */) {
    second = digitsAt(text, pos + 1, 2);
    if (second < 0) return undefined;
    pos += 3;
    const mark = text.charCodeAt(pos);
    if (mark === 46 /* . */ || mark === 44 /* , */) {
      pos++;
      const fractionStart = pos;
      let scale = 100;
      while (pos < text.length) {
        const digit = text.charCodeAt(pos) - 48;
        if (digit < 0 || digit > 9) break;
        millis += digit * scale;
        scale /= 10;
        pos++;
      }
      if (pos === fractionStart) return undefined;
      millis = Math.floor(millis);
      // Already the output but for digits past the millisecond (ALB writes microseconds): the
      // text is kept or cut instead of rebuilt. Up to nine digits, whose sum cannot round up.
      const digits = pos - fractionStart;
      if (
        digits >= 3 &&
        digits <= 9 &&
        pos + 1 === text.length &&
        text.charCodeAt(pos) === 90 /* Z */ &&
        separator === 84 /* T */ &&
        mark === 46 /* . */
      )
        return isCivil(year, month, day, hour, minute, second)
          ? digits === 3
            ? text
            : `${text.slice(0, 23)}Z`
          : undefined;
    }
  }
  const offset = parseOffset(text, pos);
  if (offset === undefined) return undefined;
  return civilToIso(year, month, day, hour, minute, second, millis, offset, zone);
}

/**
 * Common Log Format time as S3 server access logs write it: `[06/Feb/2019:00:00:38 +0000]`,
 * brackets optional.
 */
export function parseClf(text: string): string | undefined {
  let start = 0;
  let end = text.length;
  if (text.charCodeAt(0) === 91 /* [ */) {
    if (text.charCodeAt(end - 1) !== 93 /* ] */) return undefined;
    start = 1;
    end -= 1;
  }
  // dd/Mon/yyyy:HH:MM:SS +hhmm  (26 characters)
  if (end - start !== 26) return undefined;
  const body = start === 0 && end === text.length ? text : text.slice(start, end);
  const day = digitsAt(body, 0, 2);
  const month = MONTHS[body.slice(3, 6)];
  const year = digitsAt(body, 7, 4);
  const hour = digitsAt(body, 12, 2);
  const minute = digitsAt(body, 15, 2);
  const second = digitsAt(body, 18, 2);
  if (
    day < 0 ||
    month === undefined ||
    year < 0 ||
    hour < 0 ||
    minute < 0 ||
    second < 0 ||
    body[2] !== '/' ||
    body[6] !== '/' ||
    body[11] !== ':' ||
    body[14] !== ':' ||
    body[17] !== ':' ||
    body[20] !== ' '
  ) {
    return undefined;
  }
  const offset = parseOffset(body, 21);
  if (offset === undefined || offset === null) return undefined;
  return civilToIso(year, month, day, hour, minute, second, 0, offset);
}

const NUMERIC = /^-?\d+(?:\.\d+)?$/;

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
  return undefined;
}

/** Seconds since the epoch, a number or a numeric string, fractions kept to the millisecond. */
export function parseEpochSeconds(value: unknown): string | undefined {
  const seconds = toNumber(value);
  return seconds === undefined ? undefined : millisToIso(Math.round(seconds * 1000));
}

/** Milliseconds since the epoch (WAF's `timestamp`), a number or a numeric string. */
export function parseEpochMillis(value: unknown): string | undefined {
  const millis = toNumber(value);
  return millis === undefined ? undefined : millisToIso(Math.floor(millis));
}

const TAI64_EPOCH_HIGH = 0x40000000; // the label's high 32 bits at 1970: 2^62 + 10 seconds

/**
 * TAI64N (daemontools, s6): `@` and 24 hex digits, a 64-bit label and 32-bit nanoseconds.
 * The label is 2^62 plus 10 plus the Unix seconds, which is how tai64nlocal and Logstash read
 * it (leap seconds since 1972 are not subtracted).
 */
export function parseTai64n(text: string): string | undefined {
  const hex = text.charCodeAt(0) === 64 /* @ */ ? text.slice(1) : text;
  if (!/^[0-9a-fA-F]{24}$/.test(hex)) return undefined;
  const high = Number.parseInt(hex.slice(0, 8), 16);
  const low = Number.parseInt(hex.slice(8, 16), 16);
  const nanos = Number.parseInt(hex.slice(16), 16);
  if (nanos > 999_999_999) return undefined;
  const seconds = (high - TAI64_EPOCH_HIGH) * 2 ** 32 + low - 10;
  return millisToIso(seconds * 1000 + Math.floor(nanos / 1_000_000));
}
