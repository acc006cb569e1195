import { describe, expect, it } from 'vitest';
import { testS3Client, uniqueName } from '../../helpers/services.js';
import { countRequests, createBucket, daysAgo, listKeys, parts, putAll, s3Source } from './s3-test-kit.js';

const ACCOUNT = '123456789012';
const PER_DAY = 4;
const DAYS = 365;
const NEW_OBJECTS = 12;

function albKey(at: Date, n: number, lb = 'app.web.50dc6c495c0c9188'): string {
  const p = parts(at);
  return `AWSLogs/${ACCOUNT}/elasticloadbalancing/us-east-1/${p.yyyy}/${p.MM}/${p.dd}/${ACCOUNT}_elasticloadbalancing_us-east-1_${lb}_${p.yyyy}${p.MM}${p.dd}T${p.HH}${p.mm}Z_10.0.0.1_r${n}.log.gz`;
}

describe('S3Source.list request count', () => {
  it('sends requests proportional to new objects and partitions, not to old objects, when a bucket holds a year of logs', async () => {
    const s3 = testS3Client();
    const counter = countRequests(s3);
    const bucket = uniqueName('src-count');
    await createBucket(s3, bucket);
    const now = new Date();
    const old: string[] = [];
    for (let day = 2; day <= DAYS + 1; day++) {
      for (let n = 0; n < PER_DAY; n++) old.push(albKey(daysAgo(day, now), n));
    }
    await putAll(s3, bucket, old, 32);
    const fresh = Array.from({ length: NEW_OBJECTS }, (_, n) =>
      albKey(new Date(now.getTime() - n * 60_000), n, n % 2 ? 'app.api.1' : 'app.web.2'),
    );
    await putAll(s3, bucket, fresh, 8);
    const since = new Date(Date.now() - 2 * 3_600_000);
    // Objects in the partition before since's day are the bounded "older ones" a poll may return.
    const sinceDay = parts(daysAgo(1, since));
    const slack = old.filter((k) => k.includes(`/${sinceDay.yyyy}/${sinceDay.MM}/${sinceDay.dd}/`));

    const measure = async (config: Record<string, unknown>) => {
      counter.reset();
      const keys = await listKeys(s3Source(s3, { bucket, ...config }), { since });
      return { keys, requests: counter.requests, keysReturned: counter.keysReturned };
    };
    const alb = await measure({ layout: 'alb' });
    const auto = await measure({ layout: 'auto' });
    const full = await measure({ layout: 'none' });

    console.log(
      `[request-count] bucket of ${old.length + fresh.length} objects over ${DAYS} days, ${fresh.length} new, since=now-2h: ` +
        `alb ${alb.requests} requests/${alb.keysReturned} keys; auto ${auto.requests} requests/${auto.keysReturned} keys; ` +
        `full listing ${full.requests} requests/${full.keysReturned} keys`,
    );
    expect(alb.keys).toEqual([...fresh, ...slack].sort());
    expect(auto.keys).toEqual(alb.keys);
    // Discovery (account, region) + 3 day partitions; 2 pages would already mean old objects leak in.
    expect(alb.requests).toBeLessThanOrEqual(6);
    expect(auto.requests).toBeLessThanOrEqual(8);
    expect(alb.keysReturned).toBeLessThanOrEqual(fresh.length + slack.length);
    expect(full.keysReturned).toBe(old.length + fresh.length);
  });
});
