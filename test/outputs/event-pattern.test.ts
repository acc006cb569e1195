import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/core/event.js';
import { compileEventPattern, eventTime, isoWeek } from '../../src/outputs/event-pattern.js';

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
