import { describe, expect, it } from 'vitest';
import { inWindow } from '../../src/sources/in-window.js';
import { keyTime } from '../../src/sources/key-time.js';

describe('keyTime', () => {
  it.each([
    [
      'ALB file-name time',
      'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2024/05/01/123456789012_elasticloadbalancing_us-east-1_app.my-lb.50dc6c495c0c9188_20240501T0005Z_192.0.2.1_2et2e1mx.log.gz',
      '2024-05-01T00:05:00.000Z',
    ],
    [
      'ALB connection log file-name time',
      'AWSLogs/123456789012/elasticloadbalancing/us-east-2/2022/02/15/conn_log.123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz',
      '2022-02-15T23:40:00.000Z',
    ],
    [
      'NLB file-name time',
      'AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/12/20/123456789012_elasticloadbalancing_us-east-2_net.my-network-loadbalancer.c6e77e28c25b2234_20181220T2340Z_a1b2c3d4.log.gz',
      '2018-12-20T23:40:00.000Z',
    ],
    [
      'VPC flow log Parquet file-name time',
      'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2021/month=10/day=15/hour=16/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20211015T1620Z_fe123456.log.parquet',
      '2021-10-15T16:20:00.000Z',
    ],
    [
      'CloudTrail file-name time',
      'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz',
      '2015-08-01T02:10:00.000Z',
    ],
    ['CloudFront hour', 'cf/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK3.gz', '2019-11-14T20:00:00.000Z'],
    ['S3 access log', 'logs/2019-02-06-00-00-38-0A8A4F1C2C5D6E7F', '2019-02-06T00:00:38.000Z'],
    ['WAF hour partition', 'AWSLogs/1/WAFLogs/us-east-1/acl/2024/05/01/13/05/file.log.gz', '2024-05-01T13:00:00.000Z'],
    ['VPC flow partition', 'AWSLogs/1/vpcflowlogs/us-east-1/2024/02/29/file.log.gz', '2024-02-29T00:00:00.000Z'],
  ])('reads the %s', (_name, key, iso) => {
    expect(keyTime(key)?.toISOString()).toBe(iso);
  });

  it.each([['plain/key.log'], ['logs/2024/13/01/x.gz'], ['logs/2023/02/29/x.gz']])(
    'returns null when %s names no valid time',
    (key) => {
      expect(keyTime(key)).toBeNull();
    },
  );
});

describe('inWindow', () => {
  const key = 'AWSLogs/1/elasticloadbalancing/r/2024/05/02/1_elasticloadbalancing_r_app.x.y_20240502T0005Z_ip_z.log.gz';
  const recent = new Date('2026-11-25T00:00:00Z');

  it('selects by the key time for a backfill when LastModified is recent', () => {
    const window = { since: new Date('2024-05-02T00:00:00Z'), until: new Date('2024-05-03T00:00:00Z') };
    expect(inWindow(key, recent, { ...window, selectBy: 'key_time' })).toBe(true);
    expect(inWindow(key, recent, window)).toBe(false);
  });

  it('treats the backfill range as half-open when the key time equals its end', () => {
    expect(
      inWindow(key, recent, {
        since: new Date('2024-05-01T00:00:00Z'),
        until: new Date('2024-05-02T00:05:00Z'),
        selectBy: 'key_time',
      }),
    ).toBe(false);
  });

  it('falls back to LastModified when the key has no time', () => {
    const window = {
      since: new Date('2024-05-01T00:00:00Z'),
      until: new Date('2024-05-03T00:00:00Z'),
      selectBy: 'key_time' as const,
    };
    expect(inWindow('plain.log', new Date('2024-05-02T00:00:00Z'), window)).toBe(true);
    expect(inWindow('plain.log', recent, window)).toBe(false);
  });
});
