import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/core/event.js';
import { compileEventPattern, eventTime, isoMillisReader, isoWeek } from '../../src/outputs/event-pattern.js';

const lastModified = Date.UTC(2023, 11, 31, 23, 59, 0);

function event(doc: Record<string, unknown>): LogEvent {
  return {
    doc,
    origin: { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: 1, sub: 0, lastModified },
  };
}

describe('compileEventPattern', () => {
  it.each([
    ['alb-logs-%{+YYYY.MM.dd}', { '@timestamp': '2024-03-05T10:11:12.000Z' }, 'alb-logs-2024.03.05'],
    ['alb-%{+YY.MM.dd.HH}', { '@timestamp': '2024-03-05T10:11:12Z' }, 'alb-24.03.05.10'],
    ['w-%{+xxxx.ww}', { '@timestamp': '2021-01-03T12:00:00Z' }, 'w-2020.53'],
    ['w-%{+xxxx.ww}', { '@timestamp': '2024-12-30T00:00:00Z' }, 'w-2025.01'],
    ['epoch-%{+YYYY.MM.dd}', { '@timestamp': Date.UTC(2022, 0, 2, 3) }, 'epoch-2022.01.02'],
    ['tz-%{+YYYY.MM.dd}', { '@timestamp': '2024-03-05T23:30:00-02:00' }, 'tz-2024.03.06'],
    ['fallback-%{+YYYY.MM.dd}', { '@timestamp': 'not a date' }, 'fallback-2023.12.31'],
    ['fallback-%{+YYYY.MM.dd}', {}, 'fallback-2023.12.31'],
    ['waf-%{[httpRequest][country]}-%{+YYYY}', { httpRequest: { country: 'NL' }, '@timestamp': 0 }, 'waf-NL-1970'],
    ['waf-%{httpRequest.country}', { httpRequest: { country: 'DE' } }, 'waf-DE'],
    ['missing-%{[nope]}', {}, 'missing-unknown'],
    ['plain', {}, 'plain'],
  ])('formats %s when the doc is %j', (pattern, doc, expected) => {
    expect(compileEventPattern(pattern)(event(doc))).toBe(expected);
  });

  it('gives different hours different names when the cache already holds one', () => {
    const format = compileEventPattern('%{+YYYY.MM.dd.HH}');
    expect(format(event({ '@timestamp': '2024-01-01T01:59:59Z' }))).toBe('2024.01.01.01');
    expect(format(event({ '@timestamp': '2024-01-01T02:00:00Z' }))).toBe('2024.01.01.02');
    expect(format(event({ '@timestamp': '2024-01-01T01:00:00Z' }))).toBe('2024.01.01.01');
  });

  it('throws when the date format holds an unknown token', () => {
    expect(() => compileEventPattern('x-%{+YYYY.QQ}')).toThrow(/unsupported date token/);
  });
});

describe('isoWeek', () => {
  it.each([
    ['2021-01-03', 53, 2020],
    ['2021-01-04', 1, 2021],
    ['2024-12-30', 1, 2025],
    ['2026-06-15', 25, 2026],
  ])('gives week and year of %s', (date, week, year) => {
    expect(isoWeek(new Date(`${date}T00:00:00Z`))).toEqual({ week, year });
  });
});

describe('eventTime', () => {
  it('falls back to the object LastModified when @timestamp is unparsable', () => {
    expect(eventTime(event({ '@timestamp': {} }))).toBe(lastModified);
  });
});

describe('isoMillisReader', () => {
  // Each row read after the one before it by one reader, so the hour it keeps is tested against every next row.
  const rows = [
    '2024-05-01T10:00:00.000Z',
    '2024-05-01T10:59:59.999Z',
    '2024-05-01T11:00:00.001Z',
    '2024-05-01T10:30:15.123Z', // back to an earlier hour
    '2024-02-29T23:59:59.999Z', // leap day
    '2023-02-29T12:00:00.000Z', // no such day
    '2024-02-30T12:00:00.000Z',
    '2024-04-31T12:00:00.000Z',
    '2024-13-01T00:00:00.000Z',
    '2024-00-10T00:00:00.000Z',
    '2024-05-00T00:00:00.000Z',
    '2024-05-01T24:00:00.000Z', // end of day: Date.parse knows it, only with zeros
    '2024-05-01T24:30:00.000Z',
    '2024-05-01T10:60:00.000Z',
    '2024-05-01T10:00:60.000Z',
    '2024-05-01t10:00:00.000Z',
    '2024-05-01 10:00:00.000Z',
    '2024-05-01T10:00:00,000Z',
    '2024-05-01T10:00:00.000z',
    '2024-05-01T10:00:00.00xZ',
    '2024-05-01T1x:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '2024-05-01T10:00:00.000+01:00',
    '2024-05-01T10:00:00Z',
    '2024-05-01T10:00:00.0000Z',
    '+002024-05-01T10:00:00Z',
    'not a date at all really',
    '',
  ];
  it.each(rows.map((text, i) => [text, i]))('reads %j as Date.parse does (after the row before it)', (text, i) => {
    const read = isoMillisReader();
    if (i > 0) read(rows[i - 1]!);
    expect(Object.is(read(text), Date.parse(text))).toBe(true);
  });

  it("agrees with Date.parse on random text of the date filter's shape, one reader for all", () => {
    const read = isoMillisReader();
    const digits = (n: number) =>
      fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const shaped = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(3))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    const near = fc
      .tuple(fc.integer({ min: 0, max: 4 * 3_600_000 }), fc.integer({ min: 0, max: 23 }), fc.string({ maxLength: 1 }))
      .map(([offset, at, swap]) => {
        const text = new Date(Date.UTC(2024, 4, 1) + offset).toISOString();
        return swap === '' ? text : text.slice(0, at) + swap + text.slice(at + 1);
      });
    fc.assert(
      fc.property(fc.oneof(shaped, near, fc.string({ minLength: 24, maxLength: 24 })), (text) => {
        expect(Object.is(read(text), Date.parse(text))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('compileEventPattern caches by hour', () => {
  it.each([
    ['alb-logs-%{+YYYY.MM.dd}', ['2024-05-01T23:59:59.999Z', '2024-05-02T00:00:00.000Z', '2024-05-01T23:00:00.000Z']],
    ['h-%{+YYYY.MM.dd.HH}-x', ['2024-05-01T10:00:00.000Z', '2024-05-01T10:59:59.999Z', '2024-05-01T11:00:00.000Z']],
    ['m-%{+HH.mm}', ['2024-05-01T10:00:00.000Z', '2024-05-01T10:01:00.000Z', '2024-05-01T10:01:59.000Z']],
    ['f-%{[host]}-%{+YYYY.MM.dd}', ['2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00.000Z', 'not a date']],
  ])('%s gives each event the name of its own time, in any order', (pattern, times) => {
    const format = compileEventPattern(pattern);
    const fresh = (doc: Record<string, unknown>) => compileEventPattern(pattern)(event(doc));
    const docs = times.flatMap((time, i) => [
      { '@timestamp': time, host: `h${i}` },
      { '@timestamp': Date.parse(time) + 1, host: 'other' },
      { host: `h${i}` },
    ]);
    for (const doc of [...docs, ...docs.reverse()]) expect(format(event(doc))).toBe(fresh(doc));
  });
});
