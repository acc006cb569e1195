import { describe, expect, it } from 'vitest';
import type { ParserFactory } from '../../src/core/components.js';
import type { Doc, LogEvent } from '../../src/core/event.js';
import { parseFieldPath, setField } from '../../src/core/field-path.js';
import { fieldNaming } from '../../src/ecs/field-naming.js';
import type { GeoipResult } from '../../src/filters/geoip-filter.js';
import { createUserAgentFilter, userAgentFilterSchema } from '../../src/filters/user-agent-filter.js';
import { createWafHeadersFilter, wafHeadersFilterSchema } from '../../src/filters/waf-headers-filter.js';
import { buildIndexTemplate } from '../../src/outputs/opensearch/index-template.js';
import { templateConfigSchema } from '../../src/outputs/opensearch/opensearch-config.js';
import { albConnectionFields, albConnectionParserFactory } from '../../src/parsers/alb-connection-parser.js';
import { albParserFactory } from '../../src/parsers/alb-parser.js';
import { wafParserFactory } from '../../src/parsers/json-object-parser.js';
import { nlbFields, nlbParserFactory } from '../../src/parsers/nlb-parser.js';
import { s3AccessFields, s3AccessParserFactory } from '../../src/parsers/s3-access-parser.js';
import { MAX_APPENDED_FIELDS } from '../../src/parsers/text/map-tokens.js';
import {
  VPC_FLOW_NUMERIC_FIELDS,
  vpcFlowKnownFields,
  vpcFlowParserFactory,
} from '../../src/parsers/vpc-flow-parser.js';
import { fixtureLines } from '../parsers/parse-helpers.js';

type Properties = Record<string, { type?: string; properties?: Properties }>;

const origin = { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: 1, sub: 0, lastModified: 0 };

type Kind = 'alb' | 'alb_connection' | 'nlb' | 's3_access' | 'vpc_flow' | 'waf' | 'generic';

async function template(kind: Kind, dynamic?: boolean) {
  const config = templateConfigSchema.parse({ kind, ...(dynamic === undefined ? {} : { dynamic }) });
  return buildIndexTemplate(config, { indexPatterns: ['x-*'], dataStream: false, baseDir: '/' });
}

/** Every path of a leaf value in the document (array elements share their array's path); nulls carry nothing to map. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((item) => leafPaths(item, prefix));
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => leafPaths(item, prefix ? `${prefix}.${key}` : key));
  }
  return [prefix];
}

function mappedType(properties: Properties, path: string): string | undefined {
  const parts = path.split('.');
  let current: Properties | undefined = properties;
  for (let i = 0; i < parts.length; i++) {
    const mapping: { type?: string; properties?: Properties } | undefined = current?.[parts[i]!];
    if (mapping === undefined) return undefined;
    if (i === parts.length - 1) return mapping.type;
    current = mapping.properties;
  }
  return undefined;
}

/** Every field the geoip filter can write (Required: a new field fails to compile until it is listed here). */
const everyGeoipField: Required<GeoipResult> = {
  ip: '198.51.100.7',
  country_iso_code: 'DE',
  country_name: 'Germany',
  continent_code: 'EU',
  region_iso_code: 'DE-BE',
  region_name: 'Land Berlin',
  city_name: 'Berlin',
  postal_code: '10115',
  timezone: 'Europe/Berlin',
  location: { lat: 52.5, lon: 13.4 },
  asn: 64497,
  organization_name: 'Beispiel Netze GmbH',
};

/** What the shipped pipelines add to every event: the date and geoip filters' output, and tags. */
const enrichment: Doc = {
  '@timestamp': '2024-01-01T00:00:00.000Z',
  tags: ['_geoip_lookup_failure', '_user_agent_parse_failure'],
  geoip: everyGeoipField,
};

/** User agents for which the user_agent filter writes every field it has (versions, OS version). */
const userAgents = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.127 Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'ELB-HealthChecker/2.0',
];

/** Runs the user_agent filter as the shipped pipelines configure it, on the event's own field or on each agent above. */
function withUserAgent(event: LogEvent, source: string): LogEvent[] {
  const filter = createUserAgentFilter(userAgentFilterSchema.parse({ type: 'user_agent', source }));
  const events = [
    event,
    ...userAgents.map((agent) => {
      const doc = structuredClone(event.doc);
      setField(doc, parseFieldPath(source), agent);
      return { ...event, doc };
    }),
  ];
  for (const each of events) filter.apply(each);
  return events;
}

/** A WAF record with every documented field filled, in the shapes of AWS's log examples. */
const fullWaf: Doc = {
  timestamp: 1683355579981,
  formatVersion: 1,
  webaclId: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/test/111',
  terminatingRuleId: 'RateBasedRule',
  terminatingRuleType: 'RATE_BASED',
  action: 'BLOCK',
  terminatingRuleMatchDetails: [
    { conditionType: 'XSS', location: 'UNKNOWN', matchedData: ['<', 'frameset'], matchedFieldName: 'bodyJson' },
  ],
  httpSourceName: 'APIGW',
  httpSourceId: 'EXAMPLE11:rjvegx5guh:CanaryTest',
  ruleGroupList: [
    {
      ruleGroupId: 'AWS#AWSManagedRulesBotControlRuleSet',
      terminatingRule: { ruleId: 'SignalNonBrowserUserAgent', action: 'BLOCK', ruleMatchDetails: null },
      nonTerminatingMatchingRules: [
        {
          ruleId: 'CategoryHttpLibrary',
          action: 'COUNT',
          overriddenAction: 'BLOCK',
          ruleMatchDetails: [
            { conditionType: 'SQL_INJECTION', sensitivityLevel: 'HIGH', location: 'HEADER', matchedData: ['10'] },
          ],
        },
      ],
      excludedRules: [{ exclusionType: 'EXCLUDED_AS_COUNT', ruleId: 'EC2MetaDataSSRF_BODY' }],
    },
  ],
  rateBasedRuleList: [
    {
      rateBasedRuleId: 'arn:aws:wafv2:us-east-1:123456789012:regional/ratebasedrule/x',
      rateBasedRuleName: 'RateBasedRule',
      limitKey: 'CUSTOMKEYS',
      maxRateAllowed: 100,
      evaluationWindowSec: '120',
      limitValue: '52.46.82.45',
      customValues: [{ key: 'HEADER', name: 'dogname', value: 'ella' }],
    },
  ],
  nonTerminatingMatchingRules: [{ ruleId: 'TestRule', action: 'CAPTCHA', ruleMatchDetails: [] }],
  requestHeadersInserted: [{ name: 'x-amzn-waf-bot', value: 'yes' }],
  responseCodeSent: 403,
  httpRequest: {
    clientIp: '1.1.1.1',
    country: 'AU',
    headers: [
      { name: 'Host', value: 'localhost:1989' },
      { name: 'User-Agent', value: 'curl/7.61.1' },
      { name: 'Referer', value: 'https://example.com/' },
      { name: 'X-Forwarded-For', value: '192.0.2.1' },
      { name: 'Content-Type', value: 'application/json' },
      { name: 'Authorization', value: 'Bearer x' },
      { name: 'Cookie', value: 'a=b' },
    ],
    uri: '/myUri',
    args: 'a=1',
    httpVersion: 'HTTP/1.1',
    httpMethod: 'GET',
    requestId: 'rid',
    fragment: 'top',
    scheme: 'https',
    host: 'localhost',
  },
  labels: [{ name: 'awswaf:managed:aws:bot-control:bot:category:http_library' }],
  captchaResponse: { responseCode: 405, solveTimestamp: 1632420429, failureReason: 'TOKEN_MISSING' },
  challengeResponse: { responseCode: 202, solveTimestamp: 1632420429, failureReason: 'TOKEN_EXPIRED' },
  oversizeFields: ['REQUEST_JSON_BODY'],
  requestBodySize: 9000,
  requestBodySizeInspectedByWAF: 8192,
  ja3Fingerprint: '0d8a6a0a',
  ja4Fingerprint: 't13d1516h2_8daaf6152771_e5627efa2ab1',
  clientAsn: '16509',
  cfDistributionTenantId: 'dt_1',
};

describe('built-in templates', () => {
  it.each(['alb', 'alb_connection', 'nlb', 's3_access', 'vpc_flow', 'waf', 'generic'] as const)(
    'maps no unknown field when kind is %s and dynamic is not set',
    async (kind) => {
      const t = await template(kind);
      expect(t.template.mappings.dynamic).toBe(false);
      expect(t.template.mappings.dynamic_templates).toBeUndefined();
    },
  );

  it('maps unknown strings as keywords, without date detection, when dynamic is true', async () => {
    const t = await template('alb', true);
    expect(t.template.mappings).toMatchObject({
      dynamic: true,
      date_detection: false,
      dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string' } }],
    });
  });

  it('maps every field the alb parser emits, its appended fields and the enrichment, when kind is alb', async () => {
    const properties = (await template('alb')).template.mappings.properties as Properties;
    const parser = albParserFactory().forObject('k');
    const lines = fixtureLines('alb-docs.log');
    const withAppended = `${lines[0]}${Array.from({ length: MAX_APPENDED_FIELDS }, (_, i) => ` x${i}`).join('')}`;
    const docs = [...lines, withAppended].flatMap((line, i) => parser.parse(line, i + 1));
    const paths = new Set(docs.flatMap((doc) => [...Object.keys(doc), ...leafPaths(enrichment)]));
    for (const event of withUserAgent({ doc: { ...docs[0]! }, origin }, 'user_agent')) {
      for (const path of leafPaths(event.doc)) paths.add(path);
    }
    expect(paths.has(`field_${33 + MAX_APPENDED_FIELDS}`)).toBe(true);
    expect([...paths].filter((path) => path.startsWith('user_agent_info.')).sort()).toEqual([
      'user_agent_info.device.name',
      'user_agent_info.major',
      'user_agent_info.minor',
      'user_agent_info.name',
      'user_agent_info.os.full',
      'user_agent_info.os.name',
      'user_agent_info.os.version',
      'user_agent_info.patch',
      'user_agent_info.version',
    ]);
    expect(paths.has('geoip.asn')).toBe(true);
    const unmapped = [...paths].filter((path) => !mappedType(properties, path.replace(/\.(lat|lon)$/, '')));
    expect(unmapped).toEqual([]);
  });

  it('maps every documented WAF field, the allowlisted header map and the enrichment when kind is waf', async () => {
    const properties = (await template('waf')).template.mappings.properties as Properties;
    const headers = createWafHeadersFilter(
      wafHeadersFilterSchema.parse({
        type: 'waf_headers',
        allowlist: ['host', 'user-agent', 'referer', 'x-forwarded-for', 'content-type', 'authorization', 'cookie'],
      }),
    );
    const parser = wafParserFactory().forObject('k');
    const docs = [...fixtureLines('waf-docs.log'), JSON.stringify(fullWaf)].flatMap((line, i) =>
      parser.parse(line, i + 1),
    );
    const paths = new Set<string>();
    for (const doc of docs) {
      const event = { doc: { ...doc, ...enrichment }, origin };
      headers.apply(event);
      for (const each of withUserAgent(event, 'httpRequest.header_map.user-agent')) {
        for (const path of leafPaths(each.doc)) paths.add(path);
      }
    }
    expect(paths.has('httpRequest.header_map.user-agent')).toBe(true);
    expect(paths.has('user_agent_info.os.full')).toBe(true);
    const unmapped = [...paths].filter((path) => !mappedType(properties, path.replace(/\.(lat|lon)$/, '')));
    expect(unmapped).toEqual([]);
    expect(mappedType(properties, 'httpRequest.clientIp')).toBe('ip');
    expect(mappedType(properties, 'timestamp')).toBe('date');
  });

  /** Every path the parser's documents, the enrichment and the user_agent filter (on `agentField`) write. */
  function emittedPaths(factory: ParserFactory, lines: readonly string[], agentField?: string): Set<string> {
    const parser = factory.forObject('k');
    const docs = lines.flatMap((line, i) => parser.parse(line, i + 1));
    const paths = new Set(docs.flatMap((doc) => [...Object.keys(doc), ...leafPaths(enrichment)]));
    if (agentField) {
      for (const event of withUserAgent({ doc: { ...docs[0]! }, origin }, agentField)) {
        for (const path of leafPaths(event.doc)) paths.add(path);
      }
    }
    return paths;
  }

  const appended = (line: string) =>
    `${line}${Array.from({ length: MAX_APPENDED_FIELDS }, (_, i) => ` x${i}`).join('')}`;
  /** A fixture's first line padded with `-` to `known` fields, then every appended field the parser keeps. */
  const padded = (line: string, missing: number) => appended(`${line}${' -'.repeat(missing)}`);

  it.each<[Kind, ParserFactory, string[], number, string | undefined]>([
    [
      'alb_connection',
      albConnectionParserFactory(),
      [...fixtureLines('alb-connection-docs.log'), padded(fixtureLines('alb-connection-docs.log')[0]!, 3)],
      albConnectionFields.length,
      undefined,
    ],
    [
      'nlb',
      nlbParserFactory(),
      [...fixtureLines('nlb-docs.log'), padded(fixtureLines('nlb-docs.log')[1]!, 1)],
      nlbFields.length,
      undefined,
    ],
    [
      's3_access',
      s3AccessParserFactory(),
      [...fixtureLines('s3-access-docs.log'), padded(fixtureLines('s3-access-docs.log')[0]!, 1)],
      s3AccessFields.length,
      'user_agent',
    ],
  ])(
    'maps every field the %s parser emits, its appended fields and the enrichment',
    async (kind, factory, lines, known, agent) => {
      const properties = (await template(kind)).template.mappings.properties as Properties;
      const paths = emittedPaths(factory, lines, agent);
      expect(paths.has(`field_${known + MAX_APPENDED_FIELDS}`)).toBe(true);
      const unmapped = [...paths].filter((path) => !mappedType(properties, path.replace(/\.(lat|lon)$/, '')));
      expect(unmapped).toEqual([]);
    },
  );

  it('maps every documented VPC flow log field, with the addresses as ip, when kind is vpc_flow', async () => {
    const properties = (await template('vpc_flow')).template.mappings.properties as Properties;
    const header = vpcFlowKnownFields.join(' ');
    const values = vpcFlowKnownFields
      .map((name) => (VPC_FLOW_NUMERIC_FIELDS.has(name) ? '6' : name.includes('addr') ? '10.0.0.1' : 'x'))
      .join(' ');
    const paths = emittedPaths(vpcFlowParserFactory(), [header, values, ...fixtureLines('vpc-flow-custom.log')]);
    expect(paths.has('log_status')).toBe(true);
    expect(paths.has('ecs_task_arn')).toBe(true);
    const unmapped = [...paths].filter((path) => !mappedType(properties, path.replace(/\.(lat|lon)$/, '')));
    expect(unmapped).toEqual([]);
    expect(mappedType(properties, 'pkt_srcaddr')).toBe('ip');
    expect(mappedType(properties, 'bytes')).toBe('long');
  });
});

describe('built-in templates with schema: ecs', () => {
  async function ecsTemplate(kind: 'alb' | 'waf'): Promise<Properties> {
    const config = templateConfigSchema.parse({ kind });
    const body = await buildIndexTemplate(config, {
      indexPatterns: ['x-*'],
      dataStream: false,
      baseDir: '/',
      schema: 'ecs',
    });
    expect(body.template.mappings.dynamic).toBe(false);
    expect(body._meta).toEqual({ managed_by: 'sluice', kind, schema: 'ecs' });
    return body.template.mappings.properties as Properties;
  }

  /** The paths of the renamed events that hold a value and are not mapped. */
  function unmappedAfterRename(properties: Properties, kind: 'alb' | 'waf', events: LogEvent[]): string[] {
    const naming = fieldNaming('ecs', kind)!;
    const paths = new Set(events.flatMap((event) => leafPaths(naming.rename(event.doc))));
    return [...paths].filter((path) => !mappedType(properties, path.replace(/\.(lat|lon)$/, '')));
  }

  it('maps every field the rename writes from alb events, their appended fields and the enrichment', async () => {
    const properties = await ecsTemplate('alb');
    const parser = albParserFactory().forObject('k');
    const lines = fixtureLines('alb-docs.log');
    const withAppended = `${lines[0]}${Array.from({ length: MAX_APPENDED_FIELDS }, (_, i) => ` x${i}`).join('')}`;
    const docs = [...lines, withAppended].flatMap((line, i) => parser.parse(line, i + 1));
    const events = docs.flatMap((doc) => withUserAgent({ doc: { ...doc, ...enrichment }, origin }, 'user_agent'));
    expect(unmappedAfterRename(properties, 'alb', events)).toEqual([]);
    expect(
      Object.fromEntries(
        [
          'source.ip',
          'source.port',
          'source.geo.location',
          'source.as.number',
          'http.response.status_code',
          'event.duration',
          'event.start',
          'url.original',
          'url.port',
          'user_agent.name',
          `aws.elb.field_${33 + MAX_APPENDED_FIELDS}`,
        ].map((path) => [path, mappedType(properties, path)]),
      ),
    ).toEqual({
      'source.ip': 'ip',
      'source.port': 'long',
      'source.geo.location': 'geo_point',
      'source.as.number': 'long',
      'http.response.status_code': 'long',
      'event.duration': 'long',
      'event.start': 'date',
      'url.original': 'keyword',
      'url.port': 'long',
      'user_agent.name': 'keyword',
      [`aws.elb.field_${33 + MAX_APPENDED_FIELDS}`]: 'keyword',
    });
    // No AWS field stays at the root (user_agent is there, as ECS's object of the agent's parts).
    const names = albParserFieldNames();
    expect(Object.keys(properties).filter((key) => names.has(key) && !properties[key]!.properties)).toEqual([]);
  });

  it('maps every field the rename writes from documented WAF events with the header map and the enrichment', async () => {
    const properties = await ecsTemplate('waf');
    const headers = createWafHeadersFilter(
      wafHeadersFilterSchema.parse({
        type: 'waf_headers',
        allowlist: ['host', 'user-agent', 'referer', 'x-forwarded-for', 'content-type', 'authorization', 'cookie'],
      }),
    );
    const parser = wafParserFactory().forObject('k');
    const docs = [...fixtureLines('waf-docs.log'), JSON.stringify(fullWaf)].flatMap((line, i) =>
      parser.parse(line, i + 1),
    );
    const events = docs.flatMap((doc) => {
      const event = { doc: { ...doc, ...enrichment }, origin };
      headers.apply(event);
      return withUserAgent(event, 'httpRequest.header_map.user-agent');
    });
    expect(unmappedAfterRename(properties, 'waf', events)).toEqual([]);
    expect(mappedType(properties, 'source.ip')).toBe('ip');
    expect(mappedType(properties, 'http.response.status_code')).toBe('long');
    expect(mappedType(properties, 'rule.name')).toBe('keyword');
    expect(mappedType(properties, 'aws.waf.timestamp')).toBe('date');
    expect(mappedType(properties, 'aws.waf.ruleGroupList.terminatingRule.ruleId')).toBe('keyword');
    expect(mappedType(properties, 'aws.waf.httpRequest.header_map.user-agent')).toBe('keyword');
  });
});

/** The alb parser's own top-level names (client_ip, elb_status_code, ...). */
function albParserFieldNames(): Set<string> {
  return new Set(Object.keys(albParserFactory().forObject('k').parse(fixtureLines('alb-docs.log')[0]!, 1)[0]!));
}
