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
    ['an unknown format', { field: 'a', formats: ['rfc822'] }, 'Invalid option'],
    ['an unknown key', { field: 'a', fromat: 'iso8601' }, 'Unrecognized key'],
  ];
  it.each(invalid)('rejects %s', (_name, config, message) => {
    const result = dateFilterSchema.safeParse({ type: 'date', ...config });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join('\n')).toContain(message);
  });
});
