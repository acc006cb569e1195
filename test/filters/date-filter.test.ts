import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { createDateFilter, dateFilterSchema } from '../../src/filters/date-filter.js';
import { makeEvent } from './make-event.js';

function run(config: Record<string, unknown>, doc: Doc): { kept: boolean; doc: Doc } {
  const filter = createDateFilter(dateFilterSchema.parse({ type: 'date', ...config }));
  const event = makeEvent(doc);
  const kept = filter.apply(event);
  return { kept, doc: event.doc };
}

describe('date filter', () => {
  const cases: Array<[string, Record<string, unknown>, Doc, Doc]> = [
    [
      'ALB time with microseconds',
      { field: 'time' },
      { time: '2018-07-02T22:23:00.186641Z' },
      { time: '2018-07-02T22:23:00.186641Z', '@timestamp': '2018-07-02T22:23:00.186Z' },
    ],
    [
      'WAF epoch millis',
      { field: 'timestamp', formats: ['epoch_millis'] },
      { timestamp: 1576280412771 },
      { timestamp: 1576280412771, '@timestamp': '2019-12-13T23:40:12.771Z' },
    ],
    [
      'VPC flow epoch seconds into another target',
      { field: 'start', formats: ['epoch_seconds'], target: 'event.start' },
      { start: 1418530010 },
      { start: 1418530010, event: { start: '2014-12-14T04:06:50.000Z' } },
    ],
    [
      'CloudFront date and time columns',
      { date_field: 'date', time_field: 'time' },
      { date: '2019-12-04', time: '21:02:31' },
      { date: '2019-12-04', time: '21:02:31', '@timestamp': '2019-12-04T21:02:31.000Z' },
    ],
    [
      'S3 access log time in brackets',
      { field: 'time', formats: ['s3_access'] },
      { time: '[06/Feb/2019:00:00:38 +0000]' },
      { time: '[06/Feb/2019:00:00:38 +0000]', '@timestamp': '2019-02-06T00:00:38.000Z' },
    ],
    [
      'clf with an offset',
      { field: 'time', formats: ['clf'] },
      { time: '06/Feb/2019:10:00:38 +0200' },
      { time: '06/Feb/2019:10:00:38 +0200', '@timestamp': '2019-02-06T08:00:38.000Z' },
    ],
    [
      'the second format when the first fails',
      { field: 't', formats: ['iso8601', 'epoch_millis'] },
      { t: '1576280412771' },
      { t: '1576280412771', '@timestamp': '2019-12-13T23:40:12.771Z' },
    ],
    [
      'a bracket source path',
      { field: '[event][time]' },
      { event: { time: '2019-12-04T21:02:31Z' } },
      { event: { time: '2019-12-04T21:02:31Z' }, '@timestamp': '2019-12-04T21:02:31.000Z' },
    ],
    ['nothing when the field is missing', { field: 'time' }, { other: 1 }, { other: 1 }],
    ['nothing when the field is null', { field: 'time' }, { time: null }, { time: null }],
    [
      'a failure tag when no format fits',
      { field: 'time' },
      { time: 'yesterday' },
      { time: 'yesterday', tags: ['_dateparsefailure'] },
    ],
    [
      'a failure tag added to existing tags once',
      { field: 'time', formats: ['epoch_millis'] },
      { time: 'x', tags: ['a', '_dateparsefailure'] },
      { time: 'x', tags: ['a', '_dateparsefailure'] },
    ],
    [
      'a custom failure tag for a number given to iso8601',
      { field: 'time', tag_on_failure: 'bad_time' },
      { time: 1576280412771, tags: 'x' },
      { time: 1576280412771, tags: ['x', 'bad_time'] },
    ],
    [
      'a failure tag when CloudFront columns do not form a time',
      { date_field: 'date', time_field: 'time' },
      { date: '2019-12-04', time: '25:00:00' },
      { date: '2019-12-04', time: '25:00:00', tags: ['_dateparsefailure'] },
    ],
    [
      'a failure tag when a CloudFront column is not a string',
      { date_field: 'date', time_field: 'time' },
      { date: 20191204, time: '21:02:31' },
      { date: 20191204, time: '21:02:31', tags: ['_dateparsefailure'] },
    ],
    [
      'nothing when the when condition fails',
      { field: 'time', when: { equals: { field: 'kind', value: 'alb' } } },
      { kind: 'waf', time: '2019-12-04T21:02:31Z' },
      { kind: 'waf', time: '2019-12-04T21:02:31Z' },
    ],
    [
      'the time when the when condition holds',
      { field: 'time', when: { equals: { field: 'kind', value: 'alb' } } },
      { kind: 'alb', time: '2019-12-04T21:02:31Z' },
      { kind: 'alb', time: '2019-12-04T21:02:31Z', '@timestamp': '2019-12-04T21:02:31.000Z' },
    ],
    [
      'a Joda pattern with an offset (Apache access log)',
      { field: 't', formats: ['dd/MMM/yyyy:HH:mm:ss Z'] },
      { t: '10/Oct/2000:13:55:36 -0700' },
      { t: '10/Oct/2000:13:55:36 -0700', '@timestamp': '2000-10-10T20:55:36.000Z' },
    ],
    [
      'a zone-less pattern read in the time zone',
      { field: 't', formats: ['yyyy-MM-dd HH:mm:ss'], timezone: 'Europe/Berlin' },
      { t: '2024-07-01 08:00:00' },
      { t: '2024-07-01 08:00:00', '@timestamp': '2024-07-01T06:00:00.000Z' },
    ],
    [
      'a zone-less iso8601 value read in the time zone',
      { field: 't', timezone: 'America/New_York' },
      { t: '2024-01-01T08:00:00' },
      { t: '2024-01-01T08:00:00', '@timestamp': '2024-01-01T13:00:00.000Z' },
    ],
    [
      'an iso8601 value with Z regardless of the time zone',
      { field: 't', timezone: 'America/New_York' },
      { t: '2024-01-01T08:00:00Z' },
      { t: '2024-01-01T08:00:00Z', '@timestamp': '2024-01-01T08:00:00.000Z' },
    ],
    [
      'epoch millis regardless of the time zone',
      { field: 't', formats: ['UNIX_MS'], timezone: 'Asia/Tokyo' },
      { t: 1576280412771 },
      { t: 1576280412771, '@timestamp': '2019-12-13T23:40:12.771Z' },
    ],
    [
      'the Logstash name ISO8601',
      { field: 't', formats: ['ISO8601'] },
      { t: '2019-12-04T21:02:31+01:00' },
      { t: '2019-12-04T21:02:31+01:00', '@timestamp': '2019-12-04T20:02:31.000Z' },
    ],
    [
      'the Logstash name UNIX with a numeric string',
      { field: 't', formats: ['UNIX'] },
      { t: '1418530010.5' },
      { t: '1418530010.5', '@timestamp': '2014-12-14T04:06:50.500Z' },
    ],
    [
      'the Logstash name TAI64N',
      { field: 't', formats: ['TAI64N'] },
      { t: '@400000006592008a075bcd15' },
      { t: '@400000006592008a075bcd15', '@timestamp': '2024-01-01T00:00:00.123Z' },
    ],
    [
      'a pattern tried after a name',
      { field: 't', formats: ['ISO8601', 'MMM dd yyyy HH:mm:ss'] },
      { t: 'Mar 05 2024 10:00:00' },
      { t: 'Mar 05 2024 10:00:00', '@timestamp': '2024-03-05T10:00:00.000Z' },
    ],
    [
      'a failure tag when the value does not fit the pattern',
      { field: 't', formats: ['yyyy-MM-dd HH:mm:ss'] },
      { t: '2024-07-01T08:00:00' },
      { t: '2024-07-01T08:00:00', tags: ['_dateparsefailure'] },
    ],
    [
      'CloudFront columns as UTC even when a time zone is set',
      { date_field: 'date', time_field: 'time', timezone: 'Europe/Berlin' },
      { date: '2019-12-04', time: '21:02:31' },
      { date: '2019-12-04', time: '21:02:31', '@timestamp': '2019-12-04T21:02:31.000Z' },
    ],
  ];
  it.each(cases)('sets %s', (_name, config, input, expected) => {
    const result = run(config, input);
    expect(result.kept).toBe(true);
    expect(result.doc).toEqual(expected);
  });
});

describe('dateFilterSchema', () => {
  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['neither field nor columns', {}, 'set either field, or date_field with time_field'],
    ['both field and columns', { field: 'a', date_field: 'd', time_field: 't' }, 'set either field'],
    ['date_field alone', { date_field: 'd' }, 'date_field and time_field go together'],
    ['an unknown format', { field: 'a', formats: ['rfc822'] }, 'unknown format "rfc822"; expected one of iso8601'],
    ['a misspelt format', { field: 'a', formats: ['epoch_milis'] }, 'did you mean "epoch_millis"?'],
    ['a Logstash name in lower case', { field: 'a', formats: ['unix_ms'] }, 'did you mean "UNIX_MS"?'],
    [
      'a pattern without a year',
      { field: 'a', formats: ['MMM dd HH:mm:ss'] },
      'pattern "MMM dd HH:mm:ss": a pattern needs the year',
    ],
    ['a pattern with a zone name', { field: 'a', formats: ['yyyy-MM-dd z'] }, 'zone abbreviations'],
    ['an empty format', { field: 'a', formats: [''] }, 'Too small'],
    [
      'an unknown time zone',
      { field: 'a', timezone: 'Europe/Berlinn' },
      'not a time zone this runtime knows (did you mean "Europe/Berlin"?)',
    ],
    ['an offset as time zone', { field: 'a', timezone: '+01:00' }, 'use an IANA name such as Europe/Berlin'],
    ['an unknown key', { field: 'a', fromat: 'iso8601' }, 'Unrecognized key'],
  ];
  it.each(invalid)('rejects %s', (_name, config, message) => {
    const result = dateFilterSchema.safeParse({ type: 'date', ...config });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join('\n')).toContain(message);
  });
});
