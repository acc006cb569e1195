/**
 * Wall-clock times without an offset, read in an IANA time zone (`Europe/Berlin`), through
 * the runtime's own time zone data (Intl): nothing to download or keep up to date by hand.
 *
 * Around a change of offset the rules of java.time (and so of Logstash's date filter) apply:
 * a wall time that happens twice (clocks set back) is the earlier instant; one that never
 * happens (clocks set forward) moves forward by the length of the gap (02:30 becomes 03:30).
 */
import { LruCache } from './lru-cache.js';

/** Local wall time, as if it were UTC, in milliseconds; returns the instant, or undefined when the zone cannot place it. */
export type LocalToUtc = (localMs: number) => number | undefined;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** A fixed offset (`+01:00`, `-0500`): newer runtimes' Intl accept it as a zone; the date filter does not. */
const OFFSET = /^[+-]\d/;

/**
 * True when the runtime knows the zone name (Intl throws RangeError for an unknown one) and it
 * is a named zone: an offset has no clock changes and belongs in the pattern (`Z`), on every runtime.
 */
export function isTimeZone(name: string): boolean {
  if (OFFSET.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A function giving the zone's offset from UTC (ms, east positive) at an instant. */
function offsetReader(format: Intl.DateTimeFormat): (utcMs: number) => number {
  return (utcMs) => {
    const fields: Record<string, number> = {};
    let bc = false;
    for (const part of format.formatToParts(utcMs)) {
      if (part.type === 'era') bc = part.value === 'BC';
      else if (part.type !== 'literal') fields[part.type] = Number(part.value);
    }
    const wall = new Date(0);
    wall.setUTCFullYear(bc ? 1 - fields.year! : fields.year!, fields.month! - 1, fields.day!);
    wall.setUTCHours(fields.hour!, fields.minute!, fields.second!, 0);
    // Intl drops the milliseconds; the offset is what is left of the difference.
    return wall.getTime() - (utcMs - (((utcMs % 1000) + 1000) % 1000));
  };
}

/** The instant for a local wall time, by the rules above. */
function resolve(offsetAt: (utcMs: number) => number, localMs: number): number {
  // At most one change of offset lies within a day of any wall time.
  const before = offsetAt(localMs - DAY_MS);
  const after = offsetAt(localMs + DAY_MS);
  if (before === after) return localMs - before;
  const earlier = localMs - before; // the instant read with the offset in force before the change
  const later = localMs - after;
  const earlierValid = offsetAt(earlier) === before;
  const laterValid = offsetAt(later) === after;
  if (earlierValid && laterValid) return Math.min(earlier, later); // set back: the earlier instant
  if (earlierValid) return earlier;
  if (laterValid) return later;
  // Set forward: the wall time does not exist; read with the earlier offset, it lands after the gap.
  return earlier;
}

/**
 * Builds the reader for one zone. Formatting through Intl costs microseconds, so the offset
 * for each local minute is cached: logs arrive in time order and share a handful of minutes
 * at a time. UTC (and its aliases) needs no lookup at all.
 */
export function localToUtc(timeZone: string, cacheSize = 4096): LocalToUtc {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  if (format.resolvedOptions().timeZone === 'UTC') return (localMs) => localMs;
  const offsetAt = offsetReader(format);
  const offsets = new LruCache<number, number>(cacheSize);
  return (localMs) => {
    if (!Number.isFinite(localMs)) return undefined;
    const minute = Math.floor(localMs / MINUTE_MS);
    let offset = offsets.get(minute);
    if (offset === undefined) {
      const start = minute * MINUTE_MS;
      offset = start - resolve(offsetAt, start);
      offsets.set(minute, offset);
    }
    return localMs - offset;
  };
}
