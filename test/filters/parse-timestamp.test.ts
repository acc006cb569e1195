import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClf, parseEpochMillis, parseEpochSeconds, parseIso8601 } from '../../src/filters/parse-timestamp.js';

describe('parseIso8601', () => {
  const cases: Array<[string, string | undefined]> = [
    ['2018-07-02T22:23:00.186641Z', '2018-07-02T22:23:00.186Z'], // ALB microseconds
    ['2018-07-02T22:23:00.186999Z', '2018-07-02T22:23:00.186Z'], // truncated, not rounded
    ['2019-12-04T21:02:31Z', '2019-12-04T21:02:31.000Z'], // CloudTrail eventTime
    ['2019-12-04T21:02:31.5Z', '2019-12-04T21:02:31.500Z'],
    ['2019-12-04T21:02:31,25Z', '2019-12-04T21:02:31.250Z'],
    ['2019-12-04T21:02Z', '2019-12-04T21:02:00.000Z'],
    ['2019-12-04 21:02:31', '2019-12-04T21:02:31.000Z'], // no zone means UTC
    ['2019-12-04t21:02:31z', '2019-12-04T21:02:31.000Z'],
    ['2019-12-04', '2019-12-04T00:00:00.000Z'],
    ['2019-12-04T21:02:31+02:00', '2019-12-04T19:02:31.000Z'],
    ['2019-12-04T01:02:31+0200', '2019-12-03T23:02:31.000Z'],
    ['2019-12-31T23:30:00-01', '2020-01-01T00:30:00.000Z'],
    ['2020-02-29T00:00:00Z', '2020-02-29T00:00:00.000Z'], // leap day
    ['0050-01-01T00:00:00+01:00', '0049-12-31T23:00:00.000Z'], // two-digit years stay as written
    ['2019-02-29T00:00:00Z', undefined], // not a leap year
    ['2019-13-01T00:00:00Z', undefined],
    ['2019-12-32T00:00:00Z', undefined],
    ['2019-12-04T24:00:00Z', undefined],
    ['2019-12-04T21:60:00Z', undefined],
    ['2019-12-04T21:02:31.Z', undefined],
    ['2019-12-04T21:02:31Zjunk', undefined],
    ['2019-12-04T21:02:31+25:00', undefined],
    ['2019-12-04X21:02:31Z', undefined],
    ['2019/12/04 21:02:31', undefined],
    ['06/Feb/2019:00:00:38 +0000', undefined],
    ['1549411238', undefined],
    ['', undefined],
    ['garbage', undefined],
    // The date filter's own output and ALB's microseconds: kept or cut, not rebuilt.
    ['2018-07-02T22:23:00.186Z', '2018-07-02T22:23:00.186Z'],
    ['2018-07-02T22:23:00.1866Z', '2018-07-02T22:23:00.186Z'],
    ['2018-07-02T22:23:00.186641999Z', '2018-07-02T22:23:00.186Z'],
    ['2018-07-02T22:23:00.1866419999Z', '2018-07-02T22:23:00.186Z'],
    ['2018-07-02T22:23:00.186641z', '2018-07-02T22:23:00.186Z'],
    ['2018-07-02 22:23:00.186641Z', '2018-07-02T22:23:00.186Z'],
    ['2018-07-02t22:23:00.186641Z', '2018-07-02T22:23:00.186Z'],
    ['2018-07-02T22:23:00,186641Z', '2018-07-02T22:23:00.186Z'],
    ['2018-07-02T22:23:00.186641+00:00', '2018-07-02T22:23:00.186Z'],
    ['2018-07-02T22:23:00.186641+01:00', '2018-07-02T21:23:00.186Z'],
    ['2018-07-02T22:23:00.999999Z', '2018-07-02T22:23:00.999Z'],
    ['2019-02-29T00:00:00.000000Z', undefined],
    ['2019-04-31T00:00:00.000Z', undefined],
    ['2019-00-10T00:00:00.000Z', undefined],
    ['2019-12-00T00:00:00.000Z', undefined],
    ['2019-12-04T24:00:00.000000Z', undefined],
    ['2019-12-04T23:60:00.000000Z', undefined],
    ['2019-12-04T23:59:60.000000Z', undefined],
    ['2019-12-04T23:59:59.000000Zx', undefined],
  ];
  it.each(cases)('parses %j as %j', (input, expected) => {
    expect(parseIso8601(input)).toBe(expected);
  });

  it('gives what Date gives for the fields, on random UTC texts with 3 to 9 fraction digits', () => {
    const digits = (n: number) =>
      fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const text = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.integer({ min: 3, max: 9 }))
      .chain(([y, mo, d, h, mi, s, n]) => digits(n).map((f) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${f}Z`));
    const near = fc
      .tuple(fc.integer({ min: 0, max: 400 * 86_400_000 }), digits(6))
      .map(([offset, f]) => `${new Date(Date.UTC(2023, 11, 1) + offset).toISOString().slice(0, 20)}${f}Z`);
    fc.assert(
      fc.property(fc.oneof(text, near), (input) => {
        const [y, mo, d, h, mi, s, ms] = [0, 5, 8, 11, 14, 17, 20].map((at, i) =>
          Number(input.slice(at, at + (i === 0 ? 4 : i === 6 ? 3 : 2))),
        ) as [number, number, number, number, number, number, number];
        const date = new Date(0);
        date.setUTCFullYear(y, mo - 1, d);
        date.setUTCHours(h, mi, s, ms);
        const real =
          date.getUTCFullYear() === y &&
          date.getUTCMonth() === mo - 1 &&
          date.getUTCDate() === d &&
          date.getUTCHours() === h &&
          date.getUTCMinutes() === mi &&
          date.getUTCSeconds() === s;
        expect(parseIso8601(input)).toBe(real ? `${input.slice(0, 23)}Z` : undefined);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parseClf', () => {
  const cases: Array<[string, string | undefined]> = [
    ['[06/Feb/2019:00:00:38 +0000]', '2019-02-06T00:00:38.000Z'],
    ['06/Feb/2019:00:00:38 +0000', '2019-02-06T00:00:38.000Z'],
    ['[06/Feb/2019:00:00:38 -0700]', '2019-02-06T07:00:38.000Z'],
    ['[31/Dec/2019:23:00:00 -0130]', '2020-01-01T00:30:00.000Z'],
    ['[06/Foo/2019:00:00:38 +0000]', undefined],
    ['[30/Feb/2019:00:00:38 +0000]', undefined],
    ['[06/Feb/2019:00:00:38 +0000', undefined],
    ['[06/Feb/2019 00:00:38 +0000]', undefined],
    ['2019-02-06T00:00:38Z', undefined],
  ];
  it.each(cases)('parses %j as %j', (input, expected) => {
    expect(parseClf(input)).toBe(expected);
  });
});

describe('parseEpochSeconds', () => {
  const cases: Array<[unknown, string | undefined]> = [
    [1549411238, '2019-02-06T00:00:38.000Z'],
    ['1549411238', '2019-02-06T00:00:38.000Z'],
    [1549411238.001, '2019-02-06T00:00:38.001Z'],
    ['1549411238.5', '2019-02-06T00:00:38.500Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    [1e15, undefined], // beyond year 9999
    ['12abc', undefined],
    [Number.NaN, undefined],
    [null, undefined],
    [true, undefined],
  ];
  it.each(cases)('parses %j as %j', (input, expected) => {
    expect(parseEpochSeconds(input)).toBe(expected);
  });
});

describe('parseEpochMillis', () => {
  const cases: Array<[unknown, string | undefined]> = [
    [1576280412771, '2019-12-13T23:40:12.771Z'], // WAF timestamp
    ['1576280412771', '2019-12-13T23:40:12.771Z'],
    [-1000, '1969-12-31T23:59:59.000Z'],
    ['', undefined],
    [{}, undefined],
  ];
  it.each(cases)('parses %j as %j', (input, expected) => {
    expect(parseEpochMillis(input)).toBe(expected);
  });
});
