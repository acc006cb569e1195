import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardBundle } from '../../../src/setup/dashboards/bundles.js';
import { fieldsUsed } from '../../../src/setup/dashboards/saved-object-fields.js';
import { type FakeDashboards, startFakeDashboards } from '../../helpers/fake-dashboards.js';
import { runToExit } from '../../helpers/process.js';
import { geoipDatabasePath, testOpenSearchClient, uniqueName } from '../../helpers/services.js';
import { type ShippedConfig, setPipelineOption, writeShippedConfig } from './shipped-config.js';

const client = testOpenSearchClient();
const BIN = 'bin/sluice.js';

function sluice(args: string[]) {
  return runToExit(process.execPath, [BIN, ...args], {
    env: { GEOIP_DATABASE: geoipDatabasePath(), SLUICE_LOG_LEVEL: 'warn', SLUICE_HTTP_PORT: '0' },
    timeoutMs: 90_000,
  });
}

type Caps = Record<string, Record<string, { aggregatable: boolean; searchable: boolean }>>;

async function fieldCaps(index: string, fields: string[]): Promise<Caps> {
  return (await client.fieldCaps({ index, fields: fields.join(',') })).body.fields as Caps;
}

/** The one type _field_caps reports for each field, or what went wrong. */
async function typesOf(index: string, fields: string[]): Promise<Record<string, string>> {
  const caps = await fieldCaps(index, fields);
  return Object.fromEntries(fields.map((field) => [field, Object.keys(caps[field] ?? { missing: 0 }).join(' and ')]));
}

describe('schema: ecs through the shipped pipelines against the real OpenSearch node', () => {
  let prefix: string;
  let config: ShippedConfig;
  let dashboards: FakeDashboards;

  beforeAll(async () => {
    prefix = uniqueName('ecs');
    dashboards = await startFakeDashboards({});
    config = writeShippedConfig({ prefix, output: { dashboards: { url: dashboards.url } } });
    for (const file of ['alb.yml', 'waf.yml']) setPipelineOption(config, file, 'schema', 'ecs');
  });

  afterAll(async () => {
    await dashboards.close();
    await client.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' }).catch(() => undefined);
    for (const name of [`${prefix}-alb-1`, `${prefix}-waf-1`, `${prefix}-waf-2`]) {
      await client.indices.deleteIndexTemplate({ name }).catch(() => undefined);
    }
  });

  it('installs the ECS templates and imports the ECS dashboards when sluice setup runs', async () => {
    const run = await sluice(['setup', '--config', config.path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('alb: dashboards alb-ecs.ndjson: created (imported 14 objects');
    expect(run.stdout).toContain('waf: dashboards waf-ecs.ndjson: created (imported 15 objects');
    const stored = (await client.indices.getIndexTemplate({ name: `${prefix}-alb-1` })).body.index_templates[0]!
      .index_template as { _meta: unknown; template: { mappings: { dynamic: unknown } } };
    expect(stored._meta).toEqual({ managed_by: 'sluice', kind: 'alb', schema: 'ecs' });
    expect(String(stored.template.mappings.dynamic)).toBe('false');
    const imports = dashboards.requests.filter((r) => r.path === '/api/saved_objects/_import');
    expect(imports.map((r) => r.file!.name).sort()).toEqual(['sluice-alb-ecs.ndjson', 'sluice-waf-ecs.ndjson']);
    const again = await sluice(['setup', '--config', config.path]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('alb: dashboards alb-ecs.ndjson: unchanged');
    expect(again.stdout).toContain(`alb: template ${prefix}-alb-1: unchanged`);
  });

  it('indexes the bundled samples with ECS names, typed as ECS types them, and nothing dead-lettered', async () => {
    const run = await sluice(['run', '--once', '--config', config.path]);
    expect(run.code, run.stderr).toBe(0);
    for (const id of ['alb', 'waf']) {
      const deadLetter = join(config.dir, `dead-letter-${id}.ndjson`);
      expect(existsSync(deadLetter) ? readFileSync(deadLetter, 'utf8') : '').toBe('');
    }
    const alb = `${prefix}-alb-logs-*`;
    const waf = `${prefix}-waf-logs-*`;
    await client.indices.refresh({ index: `${prefix}-*` });
    expect(
      await typesOf(alb, [
        'source.ip',
        'source.port',
        'source.geo.location',
        'http.response.status_code',
        'http.request.method',
        'event.duration',
        'event.start',
        'url.original',
        'url.path',
        'url.port',
        'user_agent.original',
        'user_agent.name',
        'tls.cipher',
        'aws.elb.backend.ip',
        'aws.elb.backend_processing_time.sec',
        'client_ip',
      ]),
    ).toEqual({
      'source.ip': 'ip',
      'source.port': 'long',
      'source.geo.location': 'geo_point',
      'http.response.status_code': 'long',
      'http.request.method': 'keyword',
      'event.duration': 'long',
      'event.start': 'date',
      'url.original': 'keyword',
      'url.path': 'keyword',
      'url.port': 'long',
      'user_agent.original': 'keyword',
      'user_agent.name': 'keyword',
      'tls.cipher': 'keyword',
      'aws.elb.backend.ip': 'ip',
      'aws.elb.backend_processing_time.sec': 'double',
      client_ip: 'missing',
    });
    expect(
      await typesOf(waf, [
        'source.ip',
        'source.geo.location',
        'event.action',
        'rule.name',
        'url.path',
        'http.response.status_code',
        'aws.waf.timestamp',
        'action',
      ]),
    ).toEqual({
      'source.ip': 'ip',
      'source.geo.location': 'geo_point',
      'event.action': 'keyword',
      'rule.name': 'keyword',
      'url.path': 'keyword',
      'http.response.status_code': 'long',
      'aws.waf.timestamp': 'date',
      action: 'missing',
    });
    // A gte range on event.duration finds requests that took 1 ms or more: the values are nanoseconds.
    const slow = await client.count({
      index: alb,
      body: { query: { range: { 'event.duration': { gte: 1_000_000 } } } },
    });
    expect(slow.body.count).toBeGreaterThan(0);
    // The blocked-requests output's `when` names `action`; it was rewritten to event.action.
    const blocked = `${prefix}-waf-blocked-*`;
    const all = (await client.count({ index: blocked })).body.count;
    const block = (await client.count({ index: blocked, body: { query: { term: { 'event.action': 'BLOCK' } } } })).body
      .count;
    expect(all).toBeGreaterThan(0);
    expect(block).toBe(all);
  });

  it('finds every field of the ECS dashboards in _field_caps, aggregatable and filled by a sample event', async () => {
    for (const [kind, pattern] of [
      ['alb', `${prefix}-alb-logs-*`],
      ['waf', `${prefix}-waf-logs-*`],
    ] as const) {
      const uses = fieldsUsed(dashboardBundle(kind, undefined, 'ecs').objects);
      const names = [...new Set(uses.map((use) => use.field))];
      const caps = await fieldCaps(pattern, names);
      const problems: string[] = [];
      for (const use of uses) {
        const byType = caps[use.field];
        if (!byType) {
          problems.push(`${use.objectId}: ${use.field} not in _field_caps`);
          continue;
        }
        const [type, cap] = Object.entries(byType)[0]!;
        if (Object.keys(byType).length !== 1)
          problems.push(`${use.field}: mapped as ${Object.keys(byType).join(' and ')}`);
        if (!cap.searchable || (use.aggregated && !cap.aggregatable)) {
          problems.push(`${use.objectId}: ${use.field} (${type}) not aggregatable`);
        }
      }
      for (const name of names) {
        const { count } = (await client.count({ index: pattern, body: { query: { exists: { field: name } } } })).body;
        if (count === 0) problems.push(`${kind}: no sample event has ${name}`);
      }
      expect(problems).toEqual([]);
    }
  });

  it('prints the ECS documents with sluice parse --pipeline, as they are indexed', async () => {
    const run = await sluice([
      'parse',
      '--config',
      config.path,
      '--pipeline',
      'alb',
      'test/fixtures/parsers/alb-docs.log',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const first = JSON.parse(run.stdout.split('\n')[0]!) as Record<string, Record<string, unknown>>;
    expect(first.source!.ip).toBe('192.168.131.39');
    expect(first.http).toMatchObject({ response: { status_code: 200 }, request: { method: 'GET' } });
    expect(first).not.toHaveProperty('client_ip');
  });
});
