import { beforeAll, describe, expect, it } from 'vitest';
import { testS3Client, uniqueName } from '../../helpers/services.js';
import { countRequests, createBucket, daysAgo, listKeys, nextSecond, parts, putAll, s3Source } from './s3-test-kit.js';

const ACCOUNT = '123456789012';
// A CloudTrail digest: not log records, and (put before since) never listed by a poll.
const DIGEST = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-2/2020/01/01/${ACCOUNT}_CloudTrail-Digest_us-east-2_trail_us-east-2_20200101T000000Z.json.gz`;

const elbDay = (t: Date) => {
  const p = parts(t);
  return { p, day: `AWSLogs/${ACCOUNT}/elasticloadbalancing/eu-west-1/${p.yyyy}/${p.MM}/${p.dd}/` };
};
const albAccessKey = (t: Date, n: number) => {
  const { p, day } = elbDay(t);
  return `${day}${ACCOUNT}_elasticloadbalancing_eu-west-1_app.web.50dc6c495c0c9188_${p.yyyy}${p.MM}${p.dd}T${p.HH}${p.mm}Z_10.0.0.${n}_a${n}.log.gz`;
};
// The connection log name as AWS delivers it, `conn_log.<account>_...`.
const albConnectionKey = (t: Date, n: number) => `${elbDay(t).day}conn_log.${albAccessKey(t, n).split('/').at(-1)}`;
const nlbKey = (t: Date, n: number) => {
  const { p, day } = elbDay(t);
  return `${day}${ACCOUNT}_elasticloadbalancing_eu-west-1_net.tls.c6e77e28c25b2234_${p.yyyy}${p.MM}${p.dd}T${p.HH}${p.mm}Z_n${n}.log.gz`;
};

/** Keys a layout writes for an instant; `old` keys go in before `since`, `fresh` after. */
interface LayoutCase {
  name: string;
  config: Record<string, unknown>;
  keyAt: (at: Date, n: number) => string;
  /** Also run with `layout: auto` (the layout must be recognisable from the keys). */
  auto: boolean;
}

const cases: LayoutCase[] = [
  {
    name: 'alb',
    config: { layout: 'alb', prefix: 'ALB/' },
    auto: true,
    keyAt: (t, n) => {
      const p = parts(t);
      return `ALB/AWSLogs/${ACCOUNT}/elasticloadbalancing/eu-west-1/${p.yyyy}/${p.MM}/${p.dd}/${ACCOUNT}_elasticloadbalancing_eu-west-1_app.web.50dc6c495c0c9188_${p.yyyy}${p.MM}${p.dd}T${p.HH}${p.mm}Z_10.0.0.${n}_x${n}.log.gz`;
    },
  },
  {
    name: 'alb_connection',
    config: { layout: 'alb_connection' },
    auto: true,
    keyAt: (t, n) => albConnectionKey(t, n),
  },
  {
    name: 'nlb',
    config: { layout: 'nlb' },
    auto: true,
    keyAt: (t, n) => nlbKey(t, n),
  },
  {
    name: 'waf',
    config: { layout: 'waf' },
    auto: true,
    keyAt: (t, n) => {
      const p = parts(t);
      const five = String(Math.floor(t.getUTCMinutes() / 5) * 5).padStart(2, '0');
      return `AWSLogs/${ACCOUNT}/WAFLogs/cloudfront/my-acl/${p.yyyy}/${p.MM}/${p.dd}/${p.HH}/${five}/${ACCOUNT}_waflogs_cloudfront_my-acl_${p.yyyy}${p.MM}${p.dd}T${p.HH}${five}Z_h${n}.log.gz`;
    },
  },
  {
    name: 'cloudtrail',
    config: { layout: 'cloudtrail' },
    auto: true,
    keyAt: (t, n) => {
      const p = parts(t);
      return `AWSLogs/${ACCOUNT}/CloudTrail/us-east-2/${p.yyyy}/${p.MM}/${p.dd}/${ACCOUNT}_CloudTrail_us-east-2_${p.yyyy}${p.MM}${p.dd}T${p.HH}${p.mm}Z_Mu0KsOhtH1ar15Z${n}.json.gz`;
    },
  },
  {
    name: 'cloudtrail organization trail',
    config: { layout: 'cloudtrail' },
    auto: true,
    keyAt: (t, n) => {
      const p = parts(t);
      return `AWSLogs/o-exampleorg1/${ACCOUNT}/CloudTrail/us-east-2/${p.yyyy}/${p.MM}/${p.dd}/${ACCOUNT}_CloudTrail_us-east-2_${p.yyyy}${p.MM}${p.dd}T${p.HH}${p.mm}Z_Xu0KsOhtH1ar15Z${n}.json.gz`;
    },
  },
  {
    name: 'vpc_flow hourly',
    config: { layout: 'vpc_flow' },
    auto: true,
    keyAt: (t, n) => {
      const p = parts(t);
      return `AWSLogs/${ACCOUNT}/vpcflowlogs/us-east-1/${p.yyyy}/${p.MM}/${p.dd}/${p.HH}/${ACCOUNT}_vpcflowlogs_us-east-1_fl-1234abcd_${p.yyyy}${p.MM}${p.dd}T${p.HH}${p.mm}Z_hash${n}.log.gz`;
    },
  },
  {
    name: 'vpc_flow hive',
    config: { layout: 'vpc_flow' },
    auto: true,
    keyAt: (t, n) => {
      const p = parts(t);
      return `AWSLogs/aws-account-id=${ACCOUNT}/aws-service=vpcflowlogs/aws-region=us-east-1/year=${p.yyyy}/month=${p.MM}/day=${p.dd}/${ACCOUNT}_vpcflowlogs_us-east-1_fl-1234abcd_${p.yyyy}${p.MM}${p.dd}T${p.HH}${p.mm}Z_hash${n}.log.gz`;
    },
  },
  {
    name: 'cloudfront',
    config: { layout: 'cloudfront', prefix: 'cf/' },
    auto: true,
    keyAt: (t, n) => {
      const p = parts(t);
      const distribution = n % 2 === 0 ? 'E2EXAMPLE01' : 'EMLARXS9EXAMPLE';
      return `cf/${distribution}.${p.yyyy}-${p.MM}-${p.dd}-${p.HH}.u${n}.gz`;
    },
  },
  {
    name: 's3_access simple prefix',
    config: { layout: 's3_access', prefix: 'access-logs/' },
    auto: true,
    keyAt: (t, n) => {
      const p = parts(t);
      return `access-logs/${p.yyyy}-${p.MM}-${p.dd}-${p.HH}-${p.mm}-${p.ss}-7B2F8A${n}`;
    },
  },
  {
    name: 's3_access partitioned',
    config: { layout: 's3_access', prefix: 'access-logs/' },
    auto: false,
    keyAt: (t, n) => {
      const p = parts(t);
      return `access-logs/${ACCOUNT}/us-east-1/source-bucket/${p.yyyy}/${p.MM}/${p.dd}/${p.yyyy}-${p.MM}-${p.dd}-00-00-00-9C1D${n}`;
    },
  },
  {
    name: 'custom partition_pattern',
    config: { partition_pattern: 'apps/{app}/{yyyy}/{MM}/{dd}/{HH}/' },
    auto: false,
    keyAt: (t, n) => {
      const p = parts(t);
      return `apps/${n % 2 ? 'web' : 'api'}/${p.yyyy}/${p.MM}/${p.dd}/${p.HH}/f${n}.log`;
    },
  },
  {
    name: 'none',
    config: { layout: 'none', prefixes: ['flat/', 'other/'] },
    auto: false,
    keyAt: (t, n) => `${n % 2 ? 'flat' : 'other'}/${t.getTime()}-${n}.log`,
  },
];

describe('S3Source.list with date-partition-aware layouts', () => {
  const s3 = testS3Client();
  const counter = countRequests(s3);
  const state = new Map<string, { bucket: string; fresh: string[]; old: string[] }>();
  let since: Date;

  beforeAll(async () => {
    const now = new Date();
    await Promise.all(
      cases.map(async (c) => {
        const bucket = uniqueName('src-layout');
        await createBucket(s3, bucket);
        // Old objects: far-away partitions, and the current partition before `since`.
        const old = [
          c.keyAt(daysAgo(40, now), 1),
          c.keyAt(daysAgo(200, now), 2),
          c.keyAt(daysAgo(3, now), 3),
          c.keyAt(new Date(now.getTime() - 1000), 4),
        ];
        await putAll(s3, bucket, old, 4);
        state.set(c.name, { bucket, old, fresh: [] });
      }),
    );
    // Digests and test files AWS writes beside the logs.
    await putAll(s3, state.get('cloudtrail')!.bucket, [DIGEST]);
    since = await nextSecond();
    const later = new Date();
    await Promise.all(
      cases.map(async (c) => {
        const entry = state.get(c.name)!;
        entry.fresh = [c.keyAt(later, 5), c.keyAt(later, 6), c.keyAt(new Date(later.getTime() - 60_000), 7)];
        await putAll(s3, entry.bucket, entry.fresh, 3);
      }),
    );
  });

  const runs = cases.flatMap((c) => [
    { ...c, mode: 'configured', config: c.config },
    ...(c.auto ? [{ ...c, mode: 'auto', config: { ...c.config, layout: 'auto' } }] : []),
  ]);

  it.each(runs)('returns exactly the objects at or after since when the layout is $name ($mode)', async (run) => {
    const { bucket, fresh } = state.get(run.name)!;
    const source = s3Source(s3, { bucket, ...run.config });
    counter.reset();
    expect(await listKeys(source, { since })).toEqual([...fresh].sort());
    console.log(
      `[list] ${run.name} (${run.mode}): ${counter.requests} requests, ${counter.keysReturned} keys returned`,
    );
    expect(counter.requests).toBeLessThan(40);
  });

  it.each(runs)('returns every object when since is null and the layout is $name ($mode)', async (run) => {
    const { bucket, fresh, old } = state.get(run.name)!;
    const source = s3Source(s3, { bucket, ...run.config });
    const extra = run.name === 'cloudtrail' ? [DIGEST] : [];
    expect(await listKeys(source, { since: null })).toEqual([...old, ...fresh, ...extra].sort());
  });

  it('returns only objects modified inside the window when a backfill window ends before the new objects', async () => {
    const { bucket, old } = state.get('alb')!;
    const source = s3Source(s3, { bucket, layout: 'alb', prefix: 'ALB/' });
    // All objects were put minutes ago: only the one in the current partition, put before `since`, is in range.
    const window = { since: new Date(since.getTime() - 10 * 60_000), until: new Date(since.getTime() - 1) };
    expect(await listKeys(source, window)).toEqual([old[3]]);
  });
});

describe('S3Source.list with a prefix inside a date partition', () => {
  it('lists the prefix in full when it already names a day of the layout', async () => {
    const s3 = testS3Client();
    const bucket = uniqueName('src-dayprefix');
    await createBucket(s3, bucket);
    const day = 'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2024/05/10/';
    await putAll(s3, bucket, [
      `${day}a.log.gz`,
      `${day}b.log.gz`,
      'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2024/05/11/c.log.gz',
    ]);
    const source = s3Source(s3, { bucket, layout: 'alb', prefix: day });
    expect(await listKeys(source, { since: daysAgo(1) })).toEqual([`${day}a.log.gz`, `${day}b.log.gz`]);
  });
});

describe('S3Source.list with load balancer log types sharing one day folder', () => {
  const s3 = testS3Client();
  const bucket = uniqueName('src-elbmix');
  const now = new Date();
  const types = { alb_connection: albConnectionKey, nlb: nlbKey, access: albAccessKey };
  const keys = (make: (t: Date, n: number) => string) => [make(now, 1), make(daysAgo(1, now), 2)];

  beforeAll(async () => {
    await createBucket(s3, bucket);
    // The connection log name as AWS's page spells it, `conn_log_<account>_...`, is a connection log too.
    const underscore = albConnectionKey(now, 3).replace('/conn_log.', '/conn_log_');
    await putAll(s3, bucket, [...Object.values(types).flatMap(keys), underscore]);
  });

  it.each(['alb_connection', 'nlb'] as const)(
    'returns only the %s files of the folders, polled or listed in full',
    async (layout) => {
      const source = s3Source(s3, { bucket, layout });
      const expected = keys(types[layout]);
      if (layout === 'alb_connection') expected.push(albConnectionKey(now, 3).replace('/conn_log.', '/conn_log_'));
      expect(await listKeys(source, { since: daysAgo(2, now) })).toEqual(expected.sort());
      expect(await listKeys(source, { since: null })).toEqual(expected.sort());
    },
  );
});
