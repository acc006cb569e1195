import { describe, expect, it } from 'vitest';
import { isTimeZone, localToUtc } from '../../src/filters/time-zone.js';

/** A wall time written as UTC milliseconds, the way the date parsers hand it over. */
const wall = (text: string) => Date.parse(`${text}Z`);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('localToUtc', () => {
  const cases: Array<[string, string, string, string]> = [
    // zone, wall time, instant, why
    ['Europe/Berlin', '2024-01-15T12:00:00.000', '2024-01-15T11:00:00.000Z', 'winter time is UTC+1'],
    ['Europe/Berlin', '2024-07-15T12:00:00.000', '2024-07-15T10:00:00.000Z', 'summer time is UTC+2'],
    ['Europe/Berlin', '2024-03-31T01:59:59.999', '2024-03-31T00:59:59.999Z', 'the last moment before the gap'],
    ['Europe/Berlin', '2024-03-31T02:00:00.000', '2024-03-31T01:00:00.000Z', 'the gap starts: moved forward to 03:00'],
    ['Europe/Berlin', '2024-03-31T02:30:00.000', '2024-03-31T01:30:00.000Z', 'inside the gap: 03:30 summer time'],
    ['Europe/Berlin', '2024-03-31T03:00:00.000', '2024-03-31T01:00:00.000Z', 'the first summer-time moment'],
    ['Europe/Berlin', '2024-10-27T01:59:00.000', '2024-10-26T23:59:00.000Z', 'before the overlap'],
    ['Europe/Berlin', '2024-10-27T02:30:00.000', '2024-10-27T00:30:00.000Z', 'the overlap: the earlier instant'],
    ['Europe/Berlin', '2024-10-27T03:00:00.000', '2024-10-27T02:00:00.000Z', 'after the overlap: winter time'],
    ['America/New_York', '2024-03-10T02:30:00.000', '2024-03-10T07:30:00.000Z', 'US gap: 03:30 EDT'],
    ['America/New_York', '2024-11-03T01:30:00.000', '2024-11-03T05:30:00.000Z', 'US overlap: 01:30 EDT, the earlier'],
    ['Australia/Lord_Howe', '2024-04-07T01:45:00.000', '2024-04-06T14:45:00.000Z', 'a half-hour overlap: UTC+11'],
    ['Asia/Kolkata', '2024-06-01T05:30:00.000', '2024-06-01T00:00:00.000Z', 'a half-hour offset, no DST'],
    ['Asia/Kathmandu', '2024-06-01T05:45:00.000', '2024-06-01T00:00:00.000Z', 'a quarter-hour offset'],
    ['Pacific/Apia', '2011-12-30T12:00:00.000', '2011-12-30T22:00:00.000Z', 'a skipped day: 24 hours forward'],
    ['UTC', '2024-03-31T02:30:00.000', '2024-03-31T02:30:00.000Z', 'UTC reads the wall time as it is'],
    ['Etc/GMT-3', '2024-03-31T02:30:00.000', '2024-03-30T23:30:00.000Z', 'a fixed zone (the sign is POSIX)'],
  ];
  it.each(cases)('reads %s %s as %s (%s)', (zone, text, expected) => {
    expect(iso(localToUtc(zone)(wall(text)))).toBe(expected);
  });

  it('keeps milliseconds and gives the same instant when the minute is cached', () => {
    const toUtc = localToUtc('Europe/Berlin', 2);
    expect(iso(toUtc(wall('2024-07-15T12:00:00.123')))).toBe('2024-07-15T10:00:00.123Z');
    expect(iso(toUtc(wall('2024-07-15T12:00:59.999')))).toBe('2024-07-15T10:00:59.999Z');
    // Evicted by two other minutes, then read again.
    toUtc(wall('2024-01-01T00:00:00'));
    toUtc(wall('2024-01-01T00:01:00'));
    expect(iso(toUtc(wall('2024-07-15T12:00:30.000')))).toBe('2024-07-15T10:00:30.000Z');
  });

  it('places years before 1000 and before 1970', () => {
    expect(iso(localToUtc('Europe/Berlin')(wall('1960-06-01T12:00:00')))).toBe('1960-06-01T11:00:00.000Z');
    expect(iso(localToUtc('UTC')(wall('0999-06-01T12:00:00')))).toBe('0999-06-01T12:00:00.000Z');
  });
});

describe('isTimeZone', () => {
  it.each([
    ['Europe/Berlin', true],
    ['europe/berlin', true],
    ['UTC', true],
    ['Europe/Berlinn', false],
    ['+01:00', false],
    ['', false],
  ])('says %j is a zone: %s', (name, expected) => {
    expect(isTimeZone(name)).toBe(expected);
  });
});
