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
  ];
  it.each(cases)('parses %j as %j', (input, expected) => {
    expect(parseIso8601(input)).toBe(expected);
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
