import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { getField } from '../../src/core/field-path.js';
import { ecsFieldPath, moveFields } from '../../src/ecs/field-moves.js';
import { ecsMoves, fieldNaming } from '../../src/ecs/field-naming.js';
import { compileCondition } from '../../src/filters/condition.js';
import { createWafHeadersFilter, wafHeadersFilterSchema } from '../../src/filters/waf-headers-filter.js';
import { albParserFactory } from '../../src/parsers/alb-parser.js';
import { wafParserFactory } from '../../src/parsers/json-object-parser.js';
import { fixtureLines, parseAll } from '../parsers/parse-helpers.js';

/** Every path to a value that is not a plain object (arrays and their elements stay whole). */
function valuePaths(value: unknown, prefix: string[] = []): string[][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, item]) => valuePaths(item, [...prefix, key]));
  }
  return [prefix];
}

const enrichment: Doc = {
  '@timestamp': '2024-01-01T00:00:00.000Z',
  tags: ['_geoip_lookup_failure'],
  geoip: { ip: '198.51.100.7', country_iso_code: 'DE', location: { lat: 52.5, lon: 13.4 }, asn: 64497 },
  user_agent_info: { name: 'curl', version: '7.61.1', major: '7', os: { name: 'Other' }, device: { name: 'Other' } },
};

function wafDocs(): Doc[] {
  const headers = createWafHeadersFilter(wafHeadersFilterSchema.parse({ type: 'waf_headers' }));
  const lines = [
    ...fixtureLines('waf-docs.log'),
    JSON.stringify(JSON.parse(fixtureLines('waf-aws-example.json').join(''))),
  ];
  return parseAll(wafParserFactory(), lines).map((doc) => {
    const event = {
      doc: { ...doc, ...enrichment },
      origin: { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: 1, sub: 0, lastModified: 0 },
    };
    headers.apply(event);
    return event.doc;
  });
}

const SAMPLES: Array<[string, Doc[]]> = [
  ['alb', parseAll(albParserFactory(), fixtureLines('alb-docs.log')).map((doc) => ({ ...doc, ...enrichment }))],
  ['waf', wafDocs()],
];

describe('moveFields', () => {
  it.each(SAMPLES)('finds every %s value at the ECS path ecsFieldPath gives, unchanged', (kind, docs) => {
    const moves = ecsMoves(kind);
    let checked = 0;
    for (const doc of docs) {
      const renamed = moveFields(doc, moves);
      for (const path of valuePaths(doc)) {
        const target = ecsFieldPath(path, moves);
        expect(target, path.join('.')).toBeDefined();
        expect(getField(renamed, target!), path.join('.')).toEqual(getField(doc, path));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(docs.length * 10);
  });

  it.each(SAMPLES)('leaves the %s event the filters saw unchanged', (kind, docs) => {
    const before = structuredClone(docs);
    for (const doc of docs) moveFields(doc, ecsMoves(kind));
    expect(docs).toEqual(before);
  });

  it.each<[string, Doc]>([
    ['a move into the namespace comes first', { elb: 'app/lb/1', team: 'shop', target_ip: '10.0.0.1' }],
    ['a kept field comes first', { team: 'shop', elb: 'app/lb/1', target_ip: '10.0.0.1' }],
  ])('keeps moved and kept fields side by side under aws.elb when %s', (_name, doc) => {
    expect(moveFields(doc, ecsMoves('alb')).aws).toEqual({
      elb: { name: 'app/lb/1', team: 'shop', backend: { ip: '10.0.0.1' } },
    });
  });

  it('writes a __proto__ key from the data as a plain key, never as a prototype', () => {
    const doc = JSON.parse('{"__proto__":{"polluted":1},"httpRequest":{"__proto__":{"polluted":2},"uri":"/"}}') as Doc;
    const renamed = moveFields(doc, ecsMoves('waf'));
    const aws = (renamed.aws as Doc).waf as Doc;
    expect(Object.hasOwn(aws, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(aws)).toBe(Object.prototype);
    expect(Object.getPrototypeOf((aws.httpRequest as Doc) ?? {})).toBe(Object.prototype);
    expect(({} as Doc).polluted).toBeUndefined();
    expect(getField(renamed, ['url', 'path'])).toBe('/');
  });
});

describe('ecsFieldPath', () => {
  it.each<[string, string[], string[] | undefined]>([
    ['alb', ['elb_status_code'], ['http', 'response', 'status_code']],
    ['alb', ['geoip', 'country_iso_code'], ['source', 'geo', 'country_iso_code']],
    ['alb', ['geoip', 'location', 'lat'], ['source', 'geo', 'location', 'lat']],
    ['alb', ['user_agent_info', 'os', 'name'], ['user_agent', 'os', 'name']],
    ['alb', ['team'], ['aws', 'elb', 'team']],
    ['alb', ['geoip'], undefined],
    ['waf', ['httpRequest', 'header_map', 'user-agent'], ['aws', 'waf', 'httpRequest', 'header_map', 'user-agent']],
    ['waf', ['httpRequest', 'clientIp'], ['source', 'ip']],
    ['waf', ['labels', 'name'], ['aws', 'waf', 'labels', 'name']],
    ['waf', ['httpRequest'], undefined],
  ])('maps %s %j to %j', (kind, path, expected) => {
    expect(ecsFieldPath(path, ecsMoves(kind))).toEqual(expected);
  });
});

describe('fieldNaming', () => {
  it('renames nothing when the schema is aws', () => {
    expect(fieldNaming('aws', 'alb')).toBeUndefined();
    expect(fieldNaming('aws', 'cloudfront')).toBeUndefined();
  });

  const waf = fieldNaming('ecs', 'waf')!;
  it.each<[string, object, object]>([
    [
      'an equals on a moved field',
      { equals: { field: 'action', value: 'BLOCK' } },
      { equals: { field: '[event][action]', value: 'BLOCK' } },
    ],
    [
      "Logstash's bracket form and a header with a dash",
      { exists: '[httpRequest][header_map][user-agent]' },
      { exists: '[aws][waf][httpRequest][header_map][user-agent]' },
    ],
    [
      'every field of nested all, any and not',
      {
        all: [
          {
            any: [
              { in: { field: 'httpRequest.country', values: ['US'] } },
              { gte: { field: 'responseCodeSent', value: 400 } },
            ],
          },
          { not: { matches: { field: 'httpRequest.uri', pattern: '^/admin' } } },
          { between: { field: 'requestBodySize', min: 1, max: 9 } },
        ],
      },
      {
        all: [
          {
            any: [
              { in: { field: '[aws][waf][httpRequest][country]', values: ['US'] } },
              { gte: { field: '[http][response][status_code]', value: 400 } },
            ],
          },
          { not: { matches: { field: '[url][path]', pattern: '^/admin' } } },
          { between: { field: '[http][request][body][bytes]', min: 1, max: 9 } },
        ],
      },
    ],
  ])('rewrites %s to the ECS paths', (_name, condition, expected) => {
    expect(waf.condition(condition)).toEqual(expected);
  });

  it('routes a renamed event by a condition written with the AWS names', () => {
    const holds = compileCondition(waf.condition({ equals: { field: 'action', value: 'BLOCK' } }));
    expect(holds(waf.rename({ action: 'BLOCK' }))).toBe(true);
    expect(holds(waf.rename({ action: 'ALLOW' }))).toBe(false);
  });

  it('refuses a condition on a whole object whose fields move apart', () => {
    expect(() => waf.condition({ exists: 'geoip' })).toThrow(/split into several ECS fields/);
  });
});
