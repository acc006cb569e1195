import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../../src/core/components.js';
import type { Doc, LogEvent } from '../../../src/core/event.js';
import { createFilter, filterConfigSchema } from '../../../src/filters/index.js';
import { createOutput, outputConfigSchema } from '../../../src/outputs/index.js';
import { createParserFactory } from '../../../src/parsers/index.js';
import { runtimeCanStringify } from '../../helpers/runtime-json.js';
import { geoipDatabasePath, openSearchUrl, testOpenSearchClient, uniqueName } from '../../helpers/services.js';
import { closeTestContexts, type TestContext, testContext } from './output-context.js';

const client = testOpenSearchClient();
const bases: string[] = [];

afterAll(async () => {
  await closeTestContexts();
  for (const base of bases) {
    await client.indices.delete({ index: `${base}-*` }).catch(() => undefined);
    await client.indices.deleteIndexTemplate({ name: base }).catch(() => undefined);
  }
});

function fixtureLines(name: string): string[] {
  const text = readFileSync(new URL(`../../fixtures/parsers/${name}`, import.meta.url), 'utf8');
  return text.split('\n').filter(Boolean);
}

function parse(type: 'alb' | 'waf', line: string): Doc {
  return createParserFactory({ type }).forObject('k').parse(line, 1)[0]!;
}

async function filters(t: TestContext, configs: Record<string, unknown>[]): Promise<(doc: Doc) => Doc> {
  const built: Filter[] = [];
  for (const config of configs) built.push(await createFilter(filterConfigSchema.parse(config), t.ctx));
  return (doc) => {
    const event = asEvent(doc, 0);
    for (const filter of built) filter.apply(event);
    return event.doc;
  };
}

function asEvent(doc: Doc, record: number): LogEvent {
  return {
    doc,
    origin: {
      pipeline: 'hostile',
      bucket: 'b',
      key: 'AWSLogs/hostile.log',
      etag: 'e',
      record,
      sub: 0,
      lastModified: 0,
    },
  };
}

async function started(t: TestContext, kind: 'alb' | 'waf') {
  const base = uniqueName(`hostile-${kind}`);
  bases.push(base);
  const config = outputConfigSchema.parse({
    type: 'opensearch',
    hosts: [openSearchUrl()],
    index: `${base}-%{+YYYY.MM.dd}`,
    template: { kind, number_of_replicas: 0, name: base },
    flush_interval_seconds: 0.05,
  });
  const output = createOutput(config, t.ctx);
  await output.start();
  return { base, output };
}

async function hits(index: string, query: Record<string, unknown>): Promise<number> {
  await client.indices.refresh({ index });
  const response = await client.search({ index, body: { query } });
  return (response.body.hits.total as { value: number }).value;
}

/** Fields in the index mapping, counted the way index.mapping.total_fields.limit counts them (objects too). */
async function mappedFields(index: string): Promise<string[]> {
  const response = await client.indices.getMapping({ index });
  const names: string[] = [];
  const walk = (props: Record<string, { properties?: Record<string, unknown> }>, prefix: string) => {
    for (const [name, mapping] of Object.entries(props)) {
      names.push(`${prefix}${name}`);
      if (mapping.properties) walk(mapping.properties as never, `${prefix}${name}.`);
    }
  };
  walk(Object.values(response.body)[0]!.mappings.properties as never, '');
  return names;
}

const thousandKeys = (prefix: string) =>
  Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`${prefix}${i}`, `v${i}`]));

describe('OpenSearchOutput with hostile documents', () => {
  it('stores a document with 1,000 unknown keys and then a normal ALB document whose known and geoip fields stay searchable when the alb template is installed', async () => {
    const t = testContext('hostile');
    const { base, output } = await started(t, 'alb');
    const chain = await filters(t, [
      { type: 'date', field: 'time', formats: ['iso8601'] },
      { type: 'geoip', source: 'client_ip', database: geoipDatabasePath() },
    ]);
    const hostile = { ...chain(parse('alb', fixtureLines('alb-docs.log')[0]!)), ...thousandKeys('k') };
    expect(await output.write([asEvent(hostile, 1)])).toEqual({ stored: 1, duplicates: 0, deadLettered: 0 });

    const line = fixtureLines('alb-docs.log')[1]!.replace('192.168.131.39:2817', '198.51.100.7:2817');
    const normal = chain(parse('alb', line));
    normal.tags = ['_invalid_utf8'];
    expect(normal.geoip).toMatchObject({ city_name: 'Berlin' });
    expect(await output.write([asEvent(normal, 2)])).toEqual({ stored: 1, duplicates: 0, deadLettered: 0 });
    await output.close();

    const index = `${base}-2018.07.02`;
    const fields = await mappedFields(index);
    expect(fields.filter((f) => /^k\d+$/.test(f))).toEqual([]);
    expect(fields.length).toBeLessThan(150);
    expect(await hits(index, { term: { client_ip: '198.51.100.7' } })).toBe(1);
    expect(await hits(index, { term: { 'geoip.city_name': 'Berlin' } })).toBe(1);
    expect(await hits(index, { term: { 'geoip.country_iso_code': 'DE' } })).toBe(1);
    expect(await hits(index, { geo_distance: { distance: '10km', 'geoip.location': { lat: 52.52, lon: 13.4 } } })).toBe(
      1,
    );
    expect(await hits(index, { term: { tags: '_invalid_utf8' } })).toBe(1);
    expect(await hits(index, { term: { ssl_protocol: 'TLSv1.2' } })).toBe(1);
    expect(await hits(index, { term: { actions_executed: 'authenticate,forward' } })).toBe(1);
    expect(await hits(index, { term: { conn_trace_id: 'TID_1234abcd5678ef90' } })).toBe(2);
    expect(await hits(index, { range: { '@timestamp': { gte: '2018-07-02T22:00:00Z' } } })).toBe(2);
    // Unknown keys are not searchable, but they are kept in _source for a later reindex.
    expect(await hits(index, { term: { k7: 'v7' } })).toBe(0);
    const stored = await client.search({ index, body: { query: { match_all: {} }, size: 2 } });
    expect(stored.body.hits.hits.map((h) => (h._source as Doc).k999 ?? null).sort()).toEqual([null, 'v999']);
  });

  it('stores a WAF document with 1,000 header names and then a normal one whose headers and geoip fields stay searchable when the waf template is installed', async () => {
    const t = testContext('hostile');
    const { base, output } = await started(t, 'waf');
    const base_filters = [
      { type: 'date', field: 'timestamp', formats: ['epoch_millis'] },
      { type: 'geoip', source: 'httpRequest.clientIp', database: geoipDatabasePath() },
    ];
    // All headers flattened (no allowlist, the filter's own max_headers bound lifted): the worst
    // case for the mapping, so this proves the template's defence on its own.
    const everyHeader = await filters(t, [...base_filters, { type: 'waf_headers', max_headers: 5000 }]);
    const allowlisted = await filters(t, [
      ...base_filters,
      { type: 'waf_headers', allowlist: ['host', 'user-agent', 'referer', 'x-forwarded-for', 'content-type'] },
    ]);
    const [first, second] = fixtureLines('waf-docs.log');
    const raw = parse('waf', first!) as { httpRequest: { headers: { name: string; value: string }[] } };
    for (let i = 0; i < 1000; i++) raw.httpRequest.headers.push({ name: `X-Hostile-${i}`, value: `v${i}` });
    const hostile = { ...everyHeader(raw as Doc), ...thousandKeys('extra_') };
    hostile.timestamp = 1683355579000; // the same day as the normal line
    hostile['@timestamp'] = new Date(1683355579000).toISOString();
    expect(Object.keys((hostile.httpRequest as { header_map: object }).header_map).length).toBeGreaterThan(1000);
    expect(await output.write([asEvent(hostile, 1)])).toEqual({ stored: 1, duplicates: 0, deadLettered: 0 });

    const normalRaw = parse('waf', second!) as { httpRequest: { clientIp: string } };
    normalRaw.httpRequest.clientIp = '2001:db8::1';
    const normal = allowlisted(normalRaw as Doc);
    expect(normal.geoip).toMatchObject({ city_name: 'New York' });
    expect(await output.write([asEvent(normal, 2)])).toEqual({ stored: 1, duplicates: 0, deadLettered: 0 });
    await output.close();

    const index = `${base}-2023.05.06`;
    const fields = await mappedFields(index);
    expect(fields.filter((f) => /hostile|extra_/.test(f))).toEqual([]);
    expect(fields.length).toBeLessThan(250);
    expect(await hits(index, { term: { 'httpRequest.clientIp': '2001:db8::1' } })).toBe(1);
    expect(await hits(index, { term: { 'geoip.city_name': 'New York' } })).toBe(1);
    expect(await hits(index, { term: { action: 'ALLOW' } })).toBe(1);
    expect(await hits(index, { term: { 'httpRequest.header_map.host': 'localhost:1989' } })).toBe(1);
    expect(await hits(index, { term: { 'httpRequest.headers.value': 'v999' } })).toBe(1);
    expect(await hits(index, { term: { 'terminatingRuleMatchDetails.conditionType': 'SQL_INJECTION' } })).toBe(1);
    expect(await hits(index, { term: { 'ruleGroupList.ruleGroupId': 'AWS#AWSManagedRulesCommonRuleSet' } })).toBe(1);
    expect(await hits(index, { range: { timestamp: { gte: 1683355579000 } } })).toBe(2);
  });

  it('dead-letters only the event JSON cannot encode with ERR_OUTPUT_ENCODE and stores the rest of the batch', async () => {
    const t = testContext('hostile');
    const { base, output } = await started(t, 'alb');
    const docs: Doc[] = Array.from({ length: 6 }, (_, i) => ({ '@timestamp': '2024-02-02T00:00:00Z', elb: `lb-${i}` }));
    // A cycle: no runtime's JSON.stringify can write it (Node 20 also failed on 10,000 levels of
    // nesting; Node 26 writes those, see the next case).
    const loop: Doc = { name: 'loop' };
    loop.self = loop;
    docs[3]!.nested = loop;
    const report = await output.write(docs.map((doc, i) => asEvent(doc, i + 1)));
    await output.close();
    expect(report).toEqual({ stored: 5, duplicates: 0, deadLettered: 1 });
    await client.indices.refresh({ index: `${base}-2024.02.02` });
    expect((await client.count({ index: `${base}-2024.02.02` })).body.count).toBe(5);
    const entries = t.deadLettered();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ code: 'ERR_OUTPUT_ENCODE', record: 4, key: 'AWSLogs/hostile.log' });
    expect(entries[0]!.reason).toMatch(/cannot encode the event as JSON: .*circular/i);
    expect(entries[0]!.doc).toBeUndefined();
  });

  it('handles a 10,000-deep document alone, stored or dead-lettered, and stores the rest of the batch', async () => {
    const t = testContext('hostile');
    const { base, output } = await started(t, 'alb');
    const docs: Doc[] = Array.from({ length: 6 }, (_, i) => ({ '@timestamp': '2024-02-02T00:00:00Z', elb: `lb-${i}` }));
    let deep: Doc = {};
    docs[3]!.nested = deep;
    for (let i = 0; i < 10_000; i++) {
      const next: Doc = {};
      deep.a = next;
      deep = next;
    }
    // Whether the runtime can write it decides which: Node 20's JSON.stringify overflows the stack
    // (ERR_OUTPUT_ENCODE), Node 26's writes it and the node stores it (the template is dynamic: false).
    const writable = runtimeCanStringify(docs[3]);
    const report = await output.write(docs.map((doc, i) => asEvent(doc, i + 1)));
    await output.close();
    expect(report).toEqual({ stored: writable ? 6 : 5, duplicates: 0, deadLettered: writable ? 0 : 1 });
    await client.indices.refresh({ index: `${base}-2024.02.02` });
    expect((await client.count({ index: `${base}-2024.02.02` })).body.count).toBe(writable ? 6 : 5);
    expect(t.deadLettered().map((e) => [e.code, e.record])).toEqual(writable ? [] : [['ERR_OUTPUT_ENCODE', 4]]);
  });
});
