import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/sluice.js');

async function sluice(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const ALB_2016 =
  'https 2016-08-10T23:39:43.065466Z app/my-loadbalancer/50dc6c495c0c9188 [2001:db8::1]:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259"';
const ALB_NEW =
  'h2 2024-05-01T00:00:01.000000Z app/my-lb/50dc6c495c0c9188 2001:db8::42:51000 10.0.0.1:443 0.001 0.002 0.000 200 200 50 700 "GET https://shop.example.com:443/a b?c=\\"d\\" HTTP/2.0" "Mozilla/5.0 (X)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1 "Root=1-abc" "shop.example.com" "arn:aws:acm:us-east-1:123456789012:certificate/x" 1 2024-05-01T00:00:00.999000Z "waf,forward" "-" "-" "10.0.0.1:443" "200" "-" "-" TID_1234 "-" "future-field"';

describe('sluice parse', () => {
  it('prints one event per line for gzip (multi-member) input and reports bad records on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-'));
    const file = join(dir, 'alb.log.gz');
    // Two gzip members, as log shippers concatenate them; one broken line in between.
    writeFileSync(file, Buffer.concat([gzipSync(`${ALB_2016}\nnot an alb line\n`), gzipSync(`${ALB_NEW}\n`)]));
    const result = await sluice(['parse', '--parser', 'alb', file]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      type: 'https',
      client_port: 2817,
      elb_status_code: 200,
      request_protocol: 'HTTP/1.1',
    });
    expect(events[1]).toMatchObject({
      type: 'h2',
      client_ip: '2001:db8::42',
      client_port: 51000,
      request_url: 'https://shop.example.com:443/a b?c="d"',
      request_protocol: 'HTTP/2.0',
      redirect_url: null,
      conn_trace_id: 'TID_1234',
    });
    const errors = result.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(errors).toEqual([expect.objectContaining({ record: 2, code: 'ERR_RECORD_PARSE', raw: 'not an alb line' })]);
  });

  it("applies a pipeline's filters when --pipeline is given", async () => {
    const result = await sluice([
      'parse',
      '--config',
      'examples/demo/demo.yml',
      '--pipeline',
      'demo-waf',
      'examples/demo/logs/AWSLogs/123456789012/WAFLogs/us-east-1/demo-acl/2024/05/01/00/05/123456789012_waflogs_us-east-1_demo-acl_20240501T0005Z_00000005.log.gz',
    ]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { '@timestamp': string; httpRequest: { header_map: Record<string, string> } });
    expect(events).toHaveLength(60);
    expect(events[0]['@timestamp']).toBe('2024-05-01T00:05:00.000Z');
    expect(events[0].httpRequest.header_map.authorization).toBe('[REDACTED]');
    expect(result.stdout).not.toContain('hunter2');
  });

  it('exits 1 when a file cannot be read, after parsing the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-'));
    const file = join(dir, 'ok.log');
    writeFileSync(file, `${ALB_2016}\n`);
    const result = await sluice(['parse', '--parser', 'alb', join(dir, 'missing.log'), file]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('missing.log');
  });
});
