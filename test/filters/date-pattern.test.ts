import { describe, expect, it } from 'vitest';
import { compileDatePattern, datePatternProblem } from '../../src/filters/date-pattern.js';
import { localToUtc } from '../../src/filters/time-zone.js';

describe('compileDatePattern', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['dd/MMM/yyyy:HH:mm:ss Z', '06/Feb/2019:10:00:38 +0200', '2019-02-06T08:00:38.000Z'],
    ['dd/MMM/yyyy:HH:mm:ss Z', '06/Feb/2019:10:00:38 -0130', '2019-02-06T11:30:38.000Z'],
    ['dd/MMM/yyyy:HH:mm:ss Z', '06/feb/2019:10:00:38 +0000', '2019-02-06T10:00:38.000Z'],
    ['dd/MMM/yyyy:HH:mm:ss ZZ', '06/Feb/2019:10:00:38 +02:00', '2019-02-06T08:00:38.000Z'],
    ['dd/MMM/yyyy:HH:mm:ss Z', '06/Feb/2019:10:00:38 Z', '2019-02-06T10:00:38.000Z'],
    ['yyyy-MM-dd HH:mm:ss', '2024-03-01 23:59:59', '2024-03-01T23:59:59.000Z'],
    ['yyyy-MM-dd HH:mm:ss.SSS', '2024-03-01 23:59:59.123', '2024-03-01T23:59:59.123Z'],
    ['yyyy-MM-dd HH:mm:ss.SSS', '2024-03-01 23:59:59.1234567', '2024-03-01T23:59:59.123Z'],
    ['yyyy-MM-dd HH:mm:ss,SSS', '2024-03-01 23:59:59,5', '2024-03-01T23:59:59.500Z'],
    ["yyyy-MM-dd'T'HH:mm:ss", '2024-03-01T08:00:00', '2024-03-01T08:00:00.000Z'],
    ['MMM dd yyyy HH:mm:ss', 'Jan 05 2024 07:08:09', '2024-01-05T07:08:09.000Z'],
    ['MMM d yyyy H:mm:ss', 'Jan 5 2024 7:08:09', '2024-01-05T07:08:09.000Z'],
    ['MMM d yyyy H:mm:ss', 'Jan 15 2024 17:08:09', '2024-01-15T17:08:09.000Z'],
    ['MMMM d, yyyy h:mm a', 'September 9, 2024 12:05 AM', '2024-09-09T00:05:00.000Z'],
    ['MMMM d, yyyy h:mm a', 'September 9, 2024 12:05 PM', '2024-09-09T12:05:00.000Z'],
    ['MMMM d, yyyy hh:mm a', 'May 1, 2024 01:30 pm', '2024-05-01T13:30:00.000Z'],
    ['EEE, dd MMM yyyy HH:mm:ss Z', 'Tue, 05 Mar 2024 10:00:00 +0100', '2024-03-05T09:00:00.000Z'],
    ['EEEE dd.MM.yy HH:mm', 'Tuesday 05.03.24 10:00', '2024-03-05T10:00:00.000Z'],
    ['dd.MM.yy', '05.03.49', '2049-03-05T00:00:00.000Z'],
    ['dd.MM.yy', '05.03.50', '1950-03-05T00:00:00.000Z'],
    ['yyyyMMddHHmmss', '20240229120000', '2024-02-29T12:00:00.000Z'],
    ["yyyy-MM-dd''HH", "2024-02-29'12", '2024-02-29T12:00:00.000Z'],
    // Refused values: each must fail on its own flaw.
    ['yyyyMMddHHmmss', '20230229120000', undefined], // 2023 has no 29 February
    ['yyyy-MM-dd HH:mm:ss', '2024-03-01 24:00:00', undefined],
    ['yyyy-MM-dd HH:mm:ss', '2024-13-01 00:00:00', undefined],
    ['yyyy-MM-dd HH:mm:ss', '2024-03-01 00:00:00 trailing', undefined],
    ['yyyy-MM-dd HH:mm:ss', '2024-03-01 00:00', undefined],
    ['yyyy-MM-dd HH:mm:ss', '2024-3-01 00:00:00', undefined], // MM takes two digits
    ['MMM dd yyyy HH:mm:ss', 'Foo 05 2024 07:08:09', undefined],
    ['MMMM d, yyyy h:mm a', 'May 1, 2024 13:30 PM', undefined],
    ['MMMM d, yyyy h:mm a', 'May 1, 2024 1:30 XM', undefined],
    ['dd/MMM/yyyy:HH:mm:ss Z', '06/Feb/2019:10:00:38 +2500', undefined],
    ['dd/MMM/yyyy:HH:mm:ss Z', '06/Feb/2019:10:00:38 CET', undefined],
    ['EEE, dd MMM yyyy', 'Tux, 05 Mar 2024', undefined],
    ['yyyy-MM-dd', '', undefined],
  ];
  it.each(cases)('reads %j from %j', (pattern, text, expected) => {
    expect(compileDatePattern(pattern)(text)).toBe(expected);
  });

  it('reads a wall time in the zone when the value has no offset', () => {
    const parse = compileDatePattern('yyyy-MM-dd HH:mm:ss', localToUtc('Europe/Berlin'));
    expect(parse('2024-01-15 12:00:00')).toBe('2024-01-15T11:00:00.000Z');
    expect(parse('2024-07-15 12:00:00')).toBe('2024-07-15T10:00:00.000Z');
  });

  it('keeps the offset written in the value when a zone is set', () => {
    const parse = compileDatePattern('yyyy-MM-dd HH:mm:ss Z', localToUtc('Europe/Berlin'));
    expect(parse('2024-07-15 12:00:00 +0000')).toBe('2024-07-15T12:00:00.000Z');
  });

  it('starts each value afresh when one parser reads many', () => {
    const parse = compileDatePattern('yyyy-MM-dd[HH:mm]');
    expect(parse('2024-01-01[10:30]')).toBe('2024-01-01T10:30:00.000Z');
    const withZone = compileDatePattern('yyyy-MM-dd HH:mm:ss.SSS Z');
    expect(withZone('2024-01-01 10:30:00.250 +0100')).toBe('2024-01-01T09:30:00.250Z');
    const noFraction = compileDatePattern('yyyy-MM-dd HH:mm');
    expect(noFraction('2024-01-02 00:00')).toBe('2024-01-02T00:00:00.000Z');
  });
});

describe('datePatternProblem', () => {
  const problems: Array<[string, string]> = [
    ['HH:mm:ss', 'needs the year (yyyy), the month (MM or MMM) and the day (dd); missing y, M, d'],
    ['MMM dd HH:mm:ss', 'missing y'],
    ['yyyy-MM-dd hh:mm', 'hh (1-12) and a (AM/PM) go together'],
    ['yyyy-MM-dd HH:mm a', 'hh (1-12) and a (AM/PM) go together'],
    ['yyyy-MM-dd HH:mm:ss z', 'zone abbreviations (PST, CET) are ambiguous'],
    ['yyyy-MM-dd HH:mm:ss ZZZ', 'ZZZ (zone names) is not supported'],
    ['YYYY-MM-dd', 'Y is the week-based year'],
    ['yyyy-MM-dd HH:mm:ss X', 'Joda has no X'],
    ['yyyy-MM-dd Q', 'pattern letter Q is not supported'],
    ['yyyy-MM-ddd', 'ddd: at most two d'],
    ["yyyy-MM-dd'T", 'never closed'],
  ];
  it.each(problems)('explains %j', (pattern, message) => {
    expect(datePatternProblem(pattern)).toContain(message);
  });

  it('finds nothing wrong when the pattern compiles', () => {
    expect(datePatternProblem('dd/MMM/yyyy:HH:mm:ss Z')).toBeUndefined();
  });
});
