import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardBundle } from '../../../src/setup/dashboards/bundles.js';
import { fieldsUsed } from '../../../src/setup/dashboards/saved-object-fields.js';
import { type FakeDashboards, startFakeDashboards } from '../../helpers/fake-dashboards.js';
import { runToExit } from '../../helpers/process.js';
import { geoipDatabasePath, testOpenSearchClient, uniqueName } from '../../helpers/services.js';
import { type ShippedConfig, setOutputOption, writeShippedConfig } from './shipped-config.js';

const client = testOpenSearchClient();
const BIN = 'bin/sluice.js';
const prefixes: string[] = [];
const fakes: FakeDashboards[] = [];

function sluice(args: string[], env: Record<string, string> = {}) {
  return runToExit(process.execPath, [BIN, ...args], {
    env: { GEOIP_DATABASE: geoipDatabasePath(), SLUICE_LOG_LEVEL: 'warn', SLUICE_HTTP_PORT: '0', ...env },
    timeoutMs: 90_000,
  });
}

async function storedTemplate(name: string): Promise<unknown> {
  const response = await client.indices.getIndexTemplate({ name });
  return response.body.index_templates[0]?.index_template;
}

async function templateExists(name: string): Promise<boolean> {
  return (await client.indices.existsIndexTemplate({ name })).body === true;
}

function templateNames(prefix: string): string[] {
  return [`${prefix}-alb-1`, `${prefix}-waf-1`, `${prefix}-waf-2`];
}

async function fresh(
  options: { credentials?: string; importErrors?: unknown[] } = {},
  output: Record<string, unknown> = {},
) {
  const prefix = uniqueName('setup');
  prefixes.push(prefix);
  const dashboards = await startFakeDashboards(options);
  fakes.push(dashboards);
  const config = writeShippedConfig({
    prefix,
    output: { retention_days: 30, dashboards: { url: dashboards.url, tenant: 'global' }, ...output },
  });
  return { prefix, dashboards, config };
}

afterAll(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  for (const prefix of prefixes) {
    await client.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' }).catch(() => undefined);
    for (const name of templateNames(prefix)) await client.indices.deleteIndexTemplate({ name }).catch(() => undefined);
  }
});

describe('sluice setup against the real OpenSearch node', () => {
  let prefix: string;
  let dashboards: FakeDashboards;
  let config: ShippedConfig;
  const credentials = { OPENSEARCH_USERNAME: 'analyst', OPENSEARCH_PASSWORD: 'dashboards-secret' };

  beforeAll(async () => {
    ({ prefix, dashboards, config } = await fresh(
      { credentials: 'analyst:dashboards-secret' },
      { auth: { type: 'basic', username: '${OPENSEARCH_USERNAME}', password: '${OPENSEARCH_PASSWORD}' } },
    ));
  });

  it('installs every template, skips ISM where the plugin is absent and imports the dashboards when run the first time', async () => {
    const run = await sluice(['setup', '--config', config.path], credentials);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const [pipeline, name] of [
      ['alb', `${prefix}-alb-1`],
      ['waf', `${prefix}-waf-1`],
      ['waf', `${prefix}-waf-2`],
    ]) {
      expect(run.stdout).toContain(`${pipeline}: template ${name}: created`);
      expect(run.stdout).toContain(
        `${pipeline}: ism policy ${name}: skipped (the cluster has no Index State Management plugin`,
      );
      expect(await templateExists(name!)).toBe(true);
    }
    expect(run.stdout).toContain('alb: dashboards alb.ndjson: created (imported 14 objects');
    expect(run.stdout).toContain('waf: dashboards waf.ndjson: created (imported 15 objects');
    const template = (await storedTemplate(`${prefix}-alb-1`)) as { index_patterns: string[]; _meta: unknown };
    expect(template.index_patterns).toEqual([`${prefix}-alb-logs-*`]);
    expect(template._meta).toEqual({ managed_by: 'sluice', kind: 'alb' });

    const imports = dashboards.requests.filter((r) => r.path === '/api/saved_objects/_import');
    expect(imports).toHaveLength(2);
    for (const request of imports) {
      expect(request.method).toBe('POST');
      expect(request.query.get('overwrite')).toBe('true');
      expect(request.headers['osd-xsrf']).toBe('true');
      expect(request.headers.securitytenant).toBe('global');
      expect(request.headers.authorization).toBe(
        `Basic ${Buffer.from('analyst:dashboards-secret').toString('base64')}`,
      );
      expect(String(request.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
      expect(request.file!.name).toMatch(/^sluice-(alb|waf)\.ndjson$/);
    }
    const albImport = imports.find((r) => r.file!.name === 'sluice-alb.ndjson')!;
    const objects = albImport
      .file!.text.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; attributes: { title: string } });
    expect(objects.find((o) => o.type === 'index-pattern')!.attributes.title).toBe(`${prefix}-alb-logs-*`);
    // The blocked-requests output is a routed copy: the WAF index pattern covers the full index only.
    const waf = dashboards.stored.get('global')!.get('index-pattern:sluice-waf')!;
    expect((waf.attributes as { title: string }).title).toBe(`${prefix}-waf-logs-*`);
  });

  it('indexes the bundled samples through the shipped pipelines so every dashboard field is in _field_caps, aggregatable and filled', async () => {
    const run = await sluice(['run', '--once', '--config', config.path], credentials);
    expect(run.code, run.stderr).toBe(0);
    for (const [kind, pattern] of [
      ['alb', `${prefix}-alb-logs-*`],
      ['waf', `${prefix}-waf-logs-*`],
    ] as const) {
      await client.indices.refresh({ index: pattern });
      const uses = fieldsUsed(dashboardBundle(kind).objects);
      const names = [...new Set(uses.map((use) => use.field))];
      const caps = (await client.fieldCaps({ index: pattern, fields: names.join(',') })).body.fields as Record<
        string,
        Record<string, { aggregatable: boolean; searchable: boolean }>
      >;
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
        if (!cap.searchable || (use.aggregated && !cap.aggregatable))
          problems.push(`${use.objectId}: ${use.field} (${type}) not aggregatable`);
      }
      for (const name of names) {
        const { count } = (await client.count({ index: pattern, body: { query: { exists: { field: name } } } })).body;
        if (count === 0) problems.push(`${kind}: no sample event has ${name}`);
      }
      expect(problems).toEqual([]);
    }
  });

  it('changes nothing and reports every step unchanged when run a second time', async () => {
    const before = await Promise.all(templateNames(prefix).map(storedTemplate));
    const importsBefore = dashboards.requests.filter((r) => r.path === '/api/saved_objects/_import').length;
    const run = await sluice(['setup', '--config', config.path], credentials);
    expect(run.code, run.stderr).toBe(0);
    for (const name of templateNames(prefix)) expect(run.stdout).toMatch(new RegExp(`template ${name}: unchanged\\n`));
    expect(run.stdout).toContain('alb: dashboards alb.ndjson: unchanged');
    expect(run.stdout).toContain('waf: dashboards waf.ndjson: unchanged');
    expect(run.stdout).toContain('sluice setup: 8 step(s): 5 unchanged, 3 skipped');
    expect(await Promise.all(templateNames(prefix).map(storedTemplate))).toEqual(before);
    expect(dashboards.requests.filter((r) => r.path === '/api/saved_objects/_import')).toHaveLength(importsBefore);
  });
});

describe('sluice setup when it must not or cannot write', () => {
  it('writes nothing and says what it would do when run with --dry-run', async () => {
    const { prefix, dashboards, config } = await fresh();
    const run = await sluice(['setup', '--dry-run', '--config', config.path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('dry run: reading what is installed, writing nothing');
    expect(run.stdout).toContain(`alb: template ${prefix}-alb-1: would create (for ${prefix}-alb-logs-*)`);
    expect(run.stdout).toContain('alb: dashboards alb.ndjson: would create');
    for (const name of templateNames(prefix)) expect(await templateExists(name)).toBe(false);
    expect(dashboards.requests.map((r) => r.path)).not.toContain('/api/saved_objects/_import');
    expect(dashboards.stored.get('global')?.size ?? 0).toBe(0);
  });

  it('exits 1 naming Dashboards and the credentials to fix when Dashboards refuses them, after installing the templates', async () => {
    const { prefix, config } = await fresh(
      { credentials: 'analyst:right' },
      { auth: { type: 'basic', username: 'analyst', password: '${DASHBOARDS_TEST_PASSWORD}' } },
    );
    const run = await sluice(['setup', '--pipeline', 'alb', '--config', config.path], {
      DASHBOARDS_TEST_PASSWORD: 'wrong',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`alb: template ${prefix}-alb-1: created`);
    expect(run.stdout).not.toContain('waf:');
    expect(run.stderr).toContain('alb: dashboards -: failed: [ERR_OUTPUT_UNAUTHENTICATED] OpenSearch Dashboards at');
    expect(run.stderr).toContain('fix: Check auth.username and auth.password');
    expect(run.stderr).not.toContain('wrong');
  });

  it('exits 1 naming each object when Dashboards answers the import with errors', async () => {
    const errors = [{ id: 'sluice-alb-summary', type: 'visualization', title: 'x', error: { type: 'conflict' } }];
    const { config } = await fresh({ importErrors: errors });
    const run = await sluice(['setup', '--pipeline', 'alb', '--config', config.path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[ERR_SETUP] OpenSearch Dashboards at');
    expect(run.stderr).toContain('visualization sluice-alb-summary (x): conflict');
  });

  it('exits 1 with the output error texts when OpenSearch cannot be reached', async () => {
    const { config } = await fresh({}, { hosts: ['http://127.0.0.1:9'] });
    const run = await sluice(['setup', '--pipeline', 'alb', '--config', config.path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[ERR_OUTPUT_UNREACHABLE] cannot reach OpenSearch at http://127.0.0.1:9');
    expect(run.stderr).toContain('fix: Check hosts (scheme, host, port)');
  });

  it('exits 78 when the pipeline is not in the config and when the config is invalid', async () => {
    const { config } = await fresh();
    const unknown = await sluice(['setup', '--pipeline', 'cloudfront', '--config', config.path]);
    expect(unknown.code).toBe(78);
    expect(unknown.stderr).toContain('no pipeline "cloudfront"');
    expect(unknown.stderr).toContain('(it has: alb, waf)');
    setOutputOption(config, 'alb.yml', 'retention_days', 0);
    const invalid = await sluice(['setup', '--config', config.path]);
    expect(invalid.code).toBe(78);
    expect(invalid.stderr).toMatch(/alb\.yml:\d+:\d+ pipelines\[0\]\.outputs\[0\]\.retention_days: /);
    const usage = await sluice(['setup', '--dashboards-url', 'not a url', '--config', config.path]);
    expect(usage.code).toBe(64);
  });
});
