import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { getField } from '../../src/core/field-path.js';
import { albEcs } from '../../src/ecs/alb-ecs.js';
import { ENRICHMENT_MOVES, type FieldMoves } from '../../src/ecs/field-moves.js';
import { fieldNaming } from '../../src/ecs/field-naming.js';
import { wafEcs } from '../../src/ecs/waf-ecs.js';
import { wafProperties } from '../../src/outputs/opensearch/templates/waf-mappings.js';
import { albFields } from '../../src/parsers/alb-parser.js';
import type { FieldSpec } from '../../src/parsers/text/map-tokens.js';

/** The names a positional parser's field list emits: an address as ip and port, a request as its three parts. */
function emittedNames(fields: readonly FieldSpec[]): string[] {
  return fields.flatMap((spec) => {
    if (spec.kind === 'address') return [spec.ip, spec.port];
    if (spec.kind === 'request') return [spec.method, spec.url, spec.protocol, ...(spec.whole ? [spec.whole] : [])];
    return [spec.name];
  });
}

/** WAF has no field list of its own: the template maps every documented field, the httpRequest ones one level down. */
function wafNames(): string[] {
  return Object.entries(wafProperties).flatMap(([key, mapping]) =>
    key === 'httpRequest' ? Object.keys(mapping.properties as Doc).map((child) => `${key}.${child}`) : [key],
  );
}

const TABLES: Array<[string, FieldMoves, string[]]> = [
  ['alb', albEcs, emittedNames(albFields)],
  ['waf', wafEcs, wafNames()],
];

describe('ECS tables', () => {
  it.each(TABLES)('names every field the %s parser emits exactly once, moved or kept', (_kind, table, names) => {
    const moved = Object.keys(table.moves).filter((name) => !Object.hasOwn(ENRICHMENT_MOVES, name));
    expect(moved.filter((name) => table.kept.includes(name))).toEqual([]);
    expect(names.filter((name) => !moved.includes(name) && !table.kept.includes(name))).toEqual([]);
    // And nothing the parser no longer emits.
    expect([...moved, ...table.kept].filter((name) => !names.includes(name))).toEqual([]);
  });

  it.each(TABLES)('writes every %s field to its own ECS path, none inside another', (_kind, table, names) => {
    const rest = (name: string) => `${table.rest}.${name}`;
    const paths = [
      ...Object.values(table.moves),
      ...table.kept.map(rest),
      ...Object.keys(table.derived),
      ...Object.keys(table.constants),
    ];
    expect(new Set(paths).size).toBe(paths.length);
    const nested = paths.filter((path) => paths.some((other) => other.startsWith(`${path}.`)));
    expect(nested).toEqual([]);
    expect(names.length).toBeGreaterThan(20);
  });
});

const alb = fieldNaming('ecs', 'alb')!;
const waf = fieldNaming('ecs', 'waf')!;

describe('alb ECS values that change form', () => {
  it.each<[string, Doc, Record<string, unknown>]>([
    [
      'sums the three processing times into event.duration in nanoseconds',
      { request_processing_time: 0.001, target_processing_time: 0.0205, response_processing_time: 0.000011 },
      {
        'event.duration': 21_511_000,
        'aws.elb.backend_processing_time.sec': 0.0205,
        'aws.elb.request_processing_time.sec': 0.001,
      },
    ],
    [
      'leaves event.duration out when ALB wrote -1 (the request was not dispatched)',
      { request_processing_time: -1, target_processing_time: -1, response_processing_time: -1 },
      { 'event.duration': undefined, 'aws.elb.backend_processing_time.sec': -1 },
    ],
    [
      'leaves event.duration out when a time is missing (an older or cut line)',
      { request_processing_time: 0.001, target_processing_time: null },
      { 'event.duration': undefined },
    ],
    ['writes http.version without HTTP/', { request_protocol: 'HTTP/1.1' }, { 'http.version': '1.1' }],
    ['writes no http.version for a gRPC or TCP line', { request_protocol: null }, { 'http.version': undefined }],
    [
      'splits ssl_protocol into tls.version and tls.version_protocol',
      { ssl_protocol: 'TLSv1.2', ssl_cipher: 'ECDHE-RSA-AES128-GCM-SHA256' },
      {
        'tls.version': '1.2',
        'tls.version_protocol': 'tls',
        'tls.cipher': 'ECDHE-RSA-AES128-GCM-SHA256',
        'aws.elb.ssl_protocol': 'TLSv1.2',
      },
    ],
    [
      'splits request_url into url parts',
      { request_url: 'https://www.example.com:443/api/v1?user=a&b=c' },
      {
        'url.original': 'https://www.example.com:443/api/v1?user=a&b=c',
        'url.scheme': 'https',
        'url.domain': 'www.example.com',
        'url.port': 443,
        'url.path': '/api/v1',
        'url.query': 'user=a&b=c',
      },
    ],
    [
      'gives a URL without a path the path /',
      { request_url: 'http://www.example.com:80' },
      { 'url.path': '/', 'url.port': 80, 'url.query': undefined },
    ],
    [
      'keeps a URL that is not absolute only as url.original',
      { request_url: '/relative' },
      { 'url.original': '/relative', 'url.path': undefined, 'url.domain': undefined },
    ],
    [
      'moves the client and target addresses',
      { client_ip: '192.0.2.1', client_port: 2817, target_ip: '10.0.0.1', target_port: 80 },
      {
        'source.ip': '192.0.2.1',
        'source.port': 2817,
        'aws.elb.backend.ip': '10.0.0.1',
        'aws.elb.backend.port': 80,
      },
    ],
    [
      'keeps appended fields and fields a filter added under aws.elb',
      { field_34: 'x', team: 'shop' },
      { 'aws.elb.field_34': 'x', 'aws.elb.team': 'shop' },
    ],
    [
      'moves the geoip and user_agent filter output to source.geo, source.as and user_agent',
      {
        geoip: { country_iso_code: 'DE', location: { lat: 1, lon: 2 }, asn: 64497, organization_name: 'X', ip: 'i' },
        user_agent_info: { name: 'Chrome', major: '126', os: { name: 'Mac OS X' } },
      },
      {
        'source.geo.country_iso_code': 'DE',
        'source.geo.location': { lat: 1, lon: 2 },
        'source.as.number': 64497,
        'source.as.organization.name': 'X',
        'aws.elb.geoip.ip': 'i',
        'user_agent.name': 'Chrome',
        'user_agent.os.name': 'Mac OS X',
        'aws.elb.user_agent_info.major': '126',
      },
    ],
    [
      'adds the constants every event gets',
      {},
      { 'ecs.version': '8.17.0', 'cloud.provider': 'aws', 'event.kind': 'event', 'event.category': ['web'] },
    ],
  ])('%s', (_name, doc, expected) => {
    const renamed = alb.rename(doc);
    for (const [path, value] of Object.entries(expected))
      expect(getField(renamed, path.split('.')), path).toEqual(value);
  });
});

describe('waf ECS values that change form', () => {
  const request = (fields: Doc): Doc => ({ httpRequest: fields });
  it.each<[string, Doc, Record<string, unknown>]>([
    [
      'takes user_agent.original and the referrer from the waf_headers map',
      request({ header_map: { 'user-agent': 'curl/8', referer: 'https://a.example/' } }),
      {
        'user_agent.original': 'curl/8',
        'http.request.referrer': 'https://a.example/',
        'aws.waf.httpRequest.header_map.user-agent': 'curl/8',
      },
    ],
    [
      "takes them from AWS's header array, names in any case, without the map",
      request({
        headers: [
          { name: 'User-Agent', value: 'curl/7' },
          { name: 'REFERER', value: 'r' },
        ],
        httpMethod: 'GET',
      }),
      { 'user_agent.original': 'curl/7', 'http.request.referrer': 'r', 'http.request.method': 'GET' },
    ],
    ['writes http.version without HTTP/', request({ httpVersion: 'HTTP/2.0' }), { 'http.version': '2.0' }],
    [
      'moves the request to source, url and http',
      request({ clientIp: '2001:db8::7', uri: '/login', args: 'a=1', requestId: 'r1', country: 'US' }),
      {
        'source.ip': '2001:db8::7',
        'url.path': '/login',
        'url.query': 'a=1',
        'http.request.id': 'r1',
        'aws.waf.httpRequest.country': 'US',
      },
    ],
    [
      'moves the decision to event.action and rule',
      { action: 'BLOCK', terminatingRuleId: 'SQLi', webaclId: 'arn:acl', terminatingRuleType: 'REGULAR' },
      {
        'event.action': 'BLOCK',
        'rule.name': 'SQLi',
        'rule.ruleset': 'arn:acl',
        'aws.waf.terminatingRuleType': 'REGULAR',
      },
    ],
    [
      'keeps httpRequest whole under aws.waf when it is not an object',
      { httpRequest: 'odd' },
      { 'aws.waf.httpRequest': 'odd', 'source.ip': undefined },
    ],
  ])('%s', (_name, doc, expected) => {
    const renamed = waf.rename(doc);
    for (const [path, value] of Object.entries(expected))
      expect(getField(renamed, path.split('.')), path).toEqual(value);
  });
});
