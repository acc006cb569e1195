import { describe, expect, it } from 'vitest';
import { DIRECTORY_LAYOUTS } from '../../src/sources/s3/layouts.js';
import { parsePartitionPattern } from '../../src/sources/s3/partition-pattern.js';
import { planCloudFront, planPartitions, planRange, planS3AccessFlat } from '../../src/sources/s3/partition-planner.js';

const d = (iso: string) => new Date(iso);

function plan(
  patternIndex: { layout: keyof typeof DIRECTORY_LAYOUTS; index: number },
  base: string,
  vars: Record<string, string>,
  since: string,
  now: string,
  until?: string,
) {
  const pattern = DIRECTORY_LAYOUTS[patternIndex.layout][patternIndex.index]!;
  const range = planRange({ since: d(since), until: until ? d(until) : null }, pattern.unit, d(now));
  return planPartitions(base, pattern, vars, range);
}

describe('planPartitions', () => {
  const alb = 'AWSLogs/123456789012/elasticloadbalancing/eu-west-1/';
  const cases: Array<{
    name: string;
    layout: keyof typeof DIRECTORY_LAYOUTS;
    index: number;
    base: string;
    vars: Record<string, string>;
    since: string;
    now: string;
    until?: string;
    expected: Array<{ prefix: string; startAfter?: string }>;
  }> = [
    {
      name: 'lists the day before, the day of since and the day after now when the layout is alb',
      layout: 'alb',
      index: 0,
      base: alb,
      vars: { account: '123456789012', region: 'eu-west-1' },
      since: '2024-05-10T10:00:00Z',
      now: '2024-05-10T12:00:00Z',
      expected: [{ prefix: `${alb}2024/05/09/` }, { prefix: `${alb}2024/05/10/` }, { prefix: `${alb}2024/05/11/` }],
    },
    {
      name: 'narrows each day to the connection log files when the layout is alb_connection',
      layout: 'alb_connection',
      index: 0,
      base: alb,
      vars: { account: '123456789012', region: 'eu-west-1' },
      since: '2024-05-10T10:00:00Z',
      now: '2024-05-10T12:00:00Z',
      expected: [
        { prefix: `${alb}2024/05/09/conn_log` },
        { prefix: `${alb}2024/05/10/conn_log` },
        { prefix: `${alb}2024/05/11/conn_log` },
      ],
    },
    {
      name: 'narrows each day to the NLB files of the account and region when the layout is nlb',
      layout: 'nlb',
      index: 0,
      base: alb,
      vars: { account: '123456789012', region: 'eu-west-1' },
      since: '2024-05-10T10:00:00Z',
      now: '2024-05-10T12:00:00Z',
      expected: [
        { prefix: `${alb}2024/05/09/123456789012_elasticloadbalancing_eu-west-1_net.` },
        { prefix: `${alb}2024/05/10/123456789012_elasticloadbalancing_eu-west-1_net.` },
        { prefix: `${alb}2024/05/11/123456789012_elasticloadbalancing_eu-west-1_net.` },
      ],
    },
    {
      name: 'crosses a leap-day month boundary when since is early on March 1st',
      layout: 'elb',
      index: 0,
      base: alb,
      vars: {},
      since: '2024-03-01T00:30:00Z',
      now: '2024-03-01T01:00:00Z',
      expected: [{ prefix: `${alb}2024/02/29/` }, { prefix: `${alb}2024/03/01/` }, { prefix: `${alb}2024/03/02/` }],
    },
    {
      name: 'crosses a year boundary when since is just after midnight on January 1st',
      layout: 'vpc_flow',
      index: 0,
      base: 'AWSLogs/123456789012/vpcflowlogs/us-east-1/',
      vars: {},
      since: '2025-01-01T00:10:00Z',
      now: '2025-01-01T00:20:00Z',
      expected: [
        { prefix: 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/12/31/' },
        { prefix: 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2025/01/01/' },
        { prefix: 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2025/01/02/' },
      ],
    },
    {
      name: 'uses UTC dates when since carries a time zone offset',
      layout: 'alb',
      index: 0,
      base: alb,
      vars: {},
      // 01:00 in UTC+02:00 is 23:00 UTC the day before.
      since: '2024-05-10T01:00:00+02:00',
      now: '2024-05-09T23:30:00Z',
      expected: [{ prefix: `${alb}2024/05/08/` }, { prefix: `${alb}2024/05/09/` }, { prefix: `${alb}2024/05/10/` }],
    },
    {
      name: 'lists hours with a minute StartAfter in the first hour when the layout is waf',
      layout: 'waf',
      index: 0,
      base: 'AWSLogs/123456789012/WAFLogs/us-east-1/my-acl/',
      vars: {},
      since: '2024-03-31T23:07:00Z',
      now: '2024-04-05T00:00:00Z',
      until: '2024-04-01T00:20:00Z',
      expected: [
        {
          prefix: 'AWSLogs/123456789012/WAFLogs/us-east-1/my-acl/2024/03/31/22/',
          startAfter: 'AWSLogs/123456789012/WAFLogs/us-east-1/my-acl/2024/03/31/22/07',
        },
        { prefix: 'AWSLogs/123456789012/WAFLogs/us-east-1/my-acl/2024/03/31/23/' },
        { prefix: 'AWSLogs/123456789012/WAFLogs/us-east-1/my-acl/2024/04/01/00/' },
        { prefix: 'AWSLogs/123456789012/WAFLogs/us-east-1/my-acl/2024/04/01/01/' },
      ],
    },
    {
      name: 'starts after the file-name time in the first day when the layout is cloudtrail',
      layout: 'cloudtrail',
      index: 0,
      base: 'AWSLogs/111122223333/CloudTrail/us-east-2/',
      vars: { account: '111122223333', region: 'us-east-2' },
      since: '2024-12-31T10:15:00Z',
      now: '2024-12-31T11:00:00Z',
      expected: [
        {
          prefix: 'AWSLogs/111122223333/CloudTrail/us-east-2/2024/12/30/',
          startAfter:
            'AWSLogs/111122223333/CloudTrail/us-east-2/2024/12/30/111122223333_CloudTrail_us-east-2_20241230T1015',
        },
        { prefix: 'AWSLogs/111122223333/CloudTrail/us-east-2/2024/12/31/' },
        { prefix: 'AWSLogs/111122223333/CloudTrail/us-east-2/2025/01/01/' },
      ],
    },
    {
      name: 'walks the organization trail path when the trail belongs to an organization',
      layout: 'cloudtrail',
      index: 1,
      base: 'AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-2/',
      vars: { org: 'o-abc123def4', account: '111122223333', region: 'us-east-2' },
      since: '2024-06-02T00:00:00Z',
      now: '2024-06-02T00:00:00Z',
      expected: [
        {
          prefix: 'AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-2/2024/06/01/',
          startAfter:
            'AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-2/2024/06/01/111122223333_CloudTrail_us-east-2_20240601T0000',
        },
        { prefix: 'AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-2/2024/06/02/' },
        { prefix: 'AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-2/2024/06/03/' },
      ],
    },
    {
      name: 'renders hive-style segments when VPC flow logs use Hive-compatible prefixes',
      layout: 'vpc_flow',
      index: 1,
      base: 'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/',
      vars: {},
      since: '2024-02-01T05:00:00Z',
      now: '2024-02-01T06:00:00Z',
      expected: [
        {
          prefix:
            'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=01/day=31/',
        },
        {
          prefix:
            'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=02/day=01/',
        },
        {
          prefix:
            'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=02/day=02/',
        },
      ],
    },
  ];

  it.each(cases)('$name', ({ layout, index, base, vars, since, now, until, expected }) => {
    expect(plan({ layout, index }, base, vars, since, now, until)).toEqual(expected);
  });

  it.each([
    [
      'alb_connection',
      'conn_log.123456789012_elasticloadbalancing_us-east-2_app.my-lb.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz',
      true,
    ],
    [
      'alb_connection',
      'conn_log_123456789012_elasticloadbalancing_us-east-2_app.my-lb.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz',
      true,
    ],
    [
      'alb_connection',
      '123456789012_elasticloadbalancing_us-east-2_app.my-lb.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz',
      false,
    ],
    [
      'nlb',
      '123456789012_elasticloadbalancing_us-east-2_net.my-nlb.c6e77e28c25b2234_20181220T2340Z_a1b2c3d4.log.gz',
      true,
    ],
    [
      'nlb',
      '123456789012_elasticloadbalancing_us-east-2_app.my-lb.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz',
      false,
    ],
    [
      'nlb',
      'conn_log.123456789012_elasticloadbalancing_us-east-2_app.my-lb.1234567890abcdef_20220215T2340Z_x.log.gz',
      false,
    ],
  ] as const)('tells the %s layout file %s apart (%s)', (layout, name, matches) => {
    expect(DIRECTORY_LAYOUTS[layout][0]!.fileMatcher!.test(name)).toBe(matches);
  });

  it('lists whole days without StartAfter when S3 access logs are date-partitioned', async () => {
    const { S3_ACCESS_PARTITIONED } = await import('../../src/sources/s3/layouts.js');
    const range = planRange(
      { since: d('2024-07-01T12:00:00Z') },
      S3_ACCESS_PARTITIONED.unit,
      d('2024-07-01T13:00:00Z'),
    );
    expect(planPartitions('logs/123456789012/us-east-1/src/', S3_ACCESS_PARTITIONED, {}, range)).toEqual([
      { prefix: 'logs/123456789012/us-east-1/src/2024/06/30/' },
      { prefix: 'logs/123456789012/us-east-1/src/2024/07/01/' },
      { prefix: 'logs/123456789012/us-east-1/src/2024/07/02/' },
    ]);
  });

  it('steps by month across a year boundary when the custom pattern has no day', () => {
    const pattern = parsePartitionPattern('logs/{app}/{yyyy}/{MM}/');
    const range = planRange({ since: d('2024-12-15T00:00:00Z') }, pattern.unit, d('2024-12-20T00:00:00Z'));
    expect(planPartitions('logs/web/', pattern, { app: 'web' }, range).map((l) => l.prefix)).toEqual([
      'logs/web/2024/11/',
      'logs/web/2024/12/',
      'logs/web/2025/01/',
    ]);
  });

  it('stops at the day after until when a backfill window is set', () => {
    const pattern = parsePartitionPattern('{yyyy}/{MM}/{dd}/');
    const range = planRange(
      { since: d('2023-01-30T00:00:00Z'), until: d('2023-02-02T00:00:00Z') },
      pattern.unit,
      d('2024-01-01T00:00:00Z'),
    );
    expect(planPartitions('', pattern, {}, range).map((l) => l.prefix)).toEqual([
      '2023/01/29/',
      '2023/01/30/',
      '2023/01/31/',
      '2023/02/01/',
      '2023/02/02/',
      '2023/02/03/',
    ]);
  });
});

describe('planCloudFront', () => {
  it('starts after the distribution and hour of since minus one hour when names encode the hour', () => {
    const range = planRange({ since: d('2024-01-01T00:30:00Z') }, 'hour', d('2024-01-01T02:10:00Z'));
    expect(planCloudFront('cf/E2EXAMPLE123.', range)).toEqual({
      prefix: 'cf/E2EXAMPLE123.',
      startAfter: 'cf/E2EXAMPLE123.2023-12-31-23',
      stopAfter: 'cf/E2EXAMPLE123.2024-01-01-03\uffff',
    });
  });
});

describe('planS3AccessFlat', () => {
  it('starts after the second of since minus one hour when logs use the simple prefix', () => {
    const range = planRange({ since: d('2024-02-29T10:11:12Z') }, 'hour', d('2024-02-29T11:00:00Z'));
    expect(planS3AccessFlat('logs/', range)).toEqual({
      prefix: 'logs/',
      startAfter: 'logs/2024-02-29-09-11-12',
      stopAfter: 'logs/2024-02-29-12-00-00\uffff',
    });
  });
});

describe('parsePartitionPattern', () => {
  it.each([
    ['logs/{yyyy}/{MM}/{dd}', 'must end with "/"'],
    ['logs/{account}/', 'no date part'],
    ['{yyyy}/{MM}/{account}/', 'date segments must come last'],
    ['{yyyy}/{dd}/', 'without gaps'],
    ['{yyyy}/', 'too coarse'],
    ['{yyyy}/{MM}/{dd}/{HH}{mm}/', '{mm} must be a segment of its own'],
    ['a//{yyyy}/{MM}/', 'empty segment'],
    ['{yyyy/{MM}/', 'invalid {placeholder}'],
  ])('rejects %s with a message saying why', (source, message) => {
    expect(() => parsePartitionPattern(source)).toThrow(message);
  });

  it('turns a trailing minute segment into a StartAfter inside hourly partitions when minutes are folders', () => {
    const pattern = parsePartitionPattern('x/{yyyy}/{MM}/{dd}/{HH}/{mm}/');
    expect(pattern.unit).toBe('hour');
    expect(pattern.segments.map((s) => s.source)).toEqual(['x', '{yyyy}', '{MM}', '{dd}', '{HH}']);
    expect(pattern.startAfter?.source).toBe('{mm}');
  });
});
