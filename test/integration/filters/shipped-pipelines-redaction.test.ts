import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Filter } from '../../../src/core/components.js';
import type { Doc } from '../../../src/core/event.js';
import { createFilter } from '../../../src/filters/index.js';
import { createParserFactory } from '../../../src/parsers/index.js';
import { makeEvent } from '../../filters/make-event.js';
import { componentContext } from '../../helpers/component-context.js';
import { geoipDatabasePath } from '../../helpers/services.js';

const pipelinesDir = join(import.meta.dirname, '../../../pipelines');

/** What pipelines/*.yml need from the environment, with the test GeoIP database. */
function env(): NodeJS.ProcessEnv {
  return {
    ALB_LOG_BUCKET: 'my-alb-logs',
    WAF_LOG_BUCKET: 'my-waf-logs',
    SLUICE_STATE_BUCKET: 'my-sluice-state',
    OPENSEARCH_USERNAME: 'sluice',
    OPENSEARCH_PASSWORD: 'not-a-real-password',
    GEOIP_DATABASE: process.env.SLUICE_TEST_GEOIP_DB ?? geoipDatabasePath(),
  };
}

/**
 * A URL holding every form of secret the redact filter must hide; each secret is a marker
 * `S3CR3T<n><tag>` that must not survive anywhere in the event. `tag` keeps fields apart.
 */
function hostileUrl(tag: string): string {
  const s = (n: number) => `S3CR3T${n}${tag}`;
  return (
    `https://alice:${s(1)}@shop.example.com:443/account;jsessionid=${s(2)}` +
    `?client_secret=${s(3)}&refresh_token=${s(4)}&id_token=${s(5)}&session_token=${s(6)}` +
    `&X-Amz-Security-Token=${s(7)}&X-Amz-Signature=${s(8)}&X-Amz-Credential=${s(9)}&sig=${s(10)}` +
    `&api-key=${s(11)}&%70assword=${s(12)}&user[password]=${s(13)}&user%5Bpassword%5D=${s(14)}` +
    `&next=%2Flogin%3Ftoken%3D${s(15)}%26x%3D1&back=https%3A%2F%2Fbob%3A${s(16)}%40h.example%2F` +
    `&Password=${s(17)}&access_token=${s(18)}&page=2`
  );
}

const SECRET = /S3CR3T\d+/;

async function shippedPipeline(file: string): Promise<{ parse: (line: string) => Doc[]; filters: Filter[] }> {
  const [pipeline] = (await loadConfig(join(pipelinesDir, file), env())).pipelines;
  const config = pipeline!.config;
  const ctx = componentContext({ pipeline: config.id, baseDir: pipeline!.baseDir });
  const filters: Filter[] = [];
  for (const filterConfig of config.filters) filters.push(await createFilter(filterConfig, ctx));
  const parser = createParserFactory(config.parser).forObject('hostile.log');
  return { parse: (line) => parser.parse(line, 1), filters };
}

function runFilters(filters: Filter[], doc: Doc): string {
  const event = makeEvent(doc);
  for (const filter of filters) expect(filter.apply(event)).toBe(true);
  return JSON.stringify(event.doc);
}

describe('shipped pipelines redact hostile lines', () => {
  it('leaves no secret in an ALB event when every URL field carries every form', async () => {
    const { parse, filters } = await shippedPipeline('alb.yml');
    const ts = '2024-05-01T10:00:00.123456Z';
    const line =
      `https ${ts} app/shop/50dc6c495c0c9188 192.0.2.10:41234 10.0.0.1:80 0.001 0.002 0.000 302 302 120 45 ` +
      `"GET ${hostileUrl('req')} HTTP/1.1" "curl/8.5.0 (+${hostileUrl('ua')})" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ` +
      `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/73e2d6bc24d8a067 "Root=1-abc-def" ` +
      `"shop.example.com" "-" 0 ${ts} "redirect" "${hostileUrl('redir')}" "-" "10.0.0.1:80" "302" "-" "-" ` +
      `"TID_1" "shop.example.com" "${hostileUrl('xform')}" "TRANSFORMED"`;
    const [doc] = parse(line);
    expect(doc).toMatchObject({ request_url: expect.any(String), redirect_url: expect.any(String) });
    expect(Object.keys(doc!)).toContain('transformed_uri');
    const before = JSON.stringify(doc);
    for (const tag of ['req', 'ua', 'redir', 'xform']) expect(before).toContain(`S3CR3T1${tag}`);

    const text = runFilters(filters, doc!);
    expect(text).not.toMatch(SECRET);
    // The rest of the URL is still there to search.
    expect(text).toContain('shop.example.com:443/account;jsessionid=[REDACTED]?client_secret=[REDACTED]');
    expect(text).toContain('&page=2');
    expect(text).toContain('"city_name":"London"');
    // The agent is parsed from its redacted text.
    expect(text).toContain('"user_agent_info":{"name":"curl","version":"8.5.0"');
  });

  it('leaves no secret in a WAF event when the URI, args, fragment and headers carry every form', async () => {
    const { parse, filters } = await shippedPipeline('waf.yml');
    const url = hostileUrl('args');
    const line = JSON.stringify({
      timestamp: 1714557600123,
      formatVersion: 1,
      webaclId: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shop/1EXAMPLE',
      terminatingRuleId: 'Default_Action',
      terminatingRuleType: 'REGULAR',
      action: 'ALLOW',
      terminatingRuleMatchDetails: [],
      httpSourceName: 'ALB',
      httpSourceId: '123456789012-app/shop/50dc6c495c0c9188',
      ruleGroupList: [],
      rateBasedRuleList: [],
      nonTerminatingMatchingRules: [],
      httpRequest: {
        clientIp: '192.0.2.10',
        country: 'GB',
        headers: [
          { name: 'Host', value: 'shop.example.com' },
          { name: 'User-Agent', value: `Mozilla/5.0 (compatible; Googlebot/2.1; +${hostileUrl('uah')})` },
          { name: 'Authorization', value: 'Bearer S3CR3T20hdr' },
          { name: 'Proxy-Authorization', value: 'Basic S3CR3T21hdr' },
          { name: 'X-Api-Key', value: 'S3CR3T22hdr' },
          { name: 'X-Amz-Security-Token', value: 'S3CR3T23hdr' },
          { name: 'Cookie', value: 'session=S3CR3T24hdr' },
          { name: 'Referer', value: hostileUrl('ref') },
          { name: 'X-Forwarded-Url', value: hostileUrl('xfu') },
          ...Array.from({ length: 80 }, (_, i) => ({ name: `X-Noise-${i}`, value: String(i) })),
        ],
        uri: `/account;jsessionid=S3CR3T25uri/https://carol:S3CR3T26uri@h.example/`,
        args: url.slice(url.indexOf('?') + 1),
        fragment: `#${hostileUrl('frag').split('?')[1]}`,
        httpVersion: 'HTTP/1.1',
        httpMethod: 'GET',
        requestId: 'rid-1',
      },
      labels: [{ name: `awswaf:custom:${hostileUrl('label')}` }],
    });
    const [doc] = parse(line);
    expect(JSON.stringify(doc)).toMatch(SECRET);

    const text = runFilters(filters, doc!);
    expect(text).not.toMatch(SECRET);
    const request = (JSON.parse(text) as { httpRequest: Record<string, unknown> }).httpRequest;
    expect(request.args).toContain('client_secret=[REDACTED]');
    expect(request.args).toContain('page=2');
    expect(Object.keys(request.header_map as object).length).toBeLessThanOrEqual(50);
    expect(text).toContain('"city_name":"London"');
    expect(text).toContain('"user_agent_info":{"name":"Googlebot","version":"2.1"');
  });

  it('hides secrets in a raw line that never became an event, with the shipped redact filter', async () => {
    for (const [file, raw] of [
      [
        'alb.yml',
        `https 2024-05-01T10:00:00Z app/x 192.0.2.1:1 - -1 -1 -1 400 - 0 0 "GET ${hostileUrl('raw')} HTTP/1.1" broken`,
      ],
      [
        'waf.yml',
        `{"httpRequest":{"headers":[{"name":"Authorization","value":"Bearer S3CR3T30raw"}],"args":"${hostileUrl('raw').split('?')[1]}"`,
      ],
    ] as const) {
      const { filters } = await shippedPipeline(file);
      const redactors = filters.filter((filter) => filter.redactText !== undefined);
      expect(redactors.length).toBeGreaterThan(0);
      const text = redactors.reduce<string>((current, filter) => filter.redactText!(current), raw);
      expect(text).not.toMatch(SECRET);
    }
  });
});
