import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ismPolicy } from '../../../src/setup/ism-policy.js';
import { type FakeIsmProxy, startFakeIsmProxy } from '../../helpers/fake-ism-proxy.js';
import { runToExit } from '../../helpers/process.js';
import { geoipDatabasePath, openSearchUrl, testOpenSearchClient, uniqueName } from '../../helpers/services.js';
import { type ShippedConfig, setOutputOption, writeShippedConfig } from './shipped-config.js';

/**
 * The ISM path of `sluice setup` where the plugin is installed. The local node runs without
 * ISM (the absent path is tested against it in setup-command.test.ts), so a proxy answers
 * `_plugins/_ism` like the ISM API and passes everything else to the real node.
 */
const client = testOpenSearchClient();
const prefixes: string[] = [];
let proxy: FakeIsmProxy;

function sluice(args: string[]) {
  return runToExit(process.execPath, ['bin/sluice.js', ...args], {
    env: { GEOIP_DATABASE: geoipDatabasePath(), SLUICE_LOG_LEVEL: 'warn' },
    timeoutMs: 90_000,
  });
}

function config(output: Record<string, unknown>): ShippedConfig {
  const prefix = uniqueName('setup-ism');
  prefixes.push(prefix);
  return writeShippedConfig({ prefix, output: { hosts: [proxy.url], ...output } });
}

const puts = () => proxy.requests.filter((r) => r.method === 'PUT');

beforeAll(async () => {
  proxy = await startFakeIsmProxy(openSearchUrl());
});

afterAll(async () => {
  await proxy.close();
  for (const prefix of prefixes) {
    await client.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' }).catch(() => undefined);
    await client.indices.deleteDataStream({ name: `${prefix}-*` }).catch(() => undefined);
    for (const n of [1, 2])
      await client.indices.deleteIndexTemplate({ name: `${prefix}-alb-${n}` }).catch(() => undefined);
  }
});

describe('sluice setup with the ISM plugin', () => {
  it('creates the retention policy, attaches it to existing indices, and changes nothing the second time', async () => {
    const shipped = config({ retention_days: 30 });
    const pattern = `${shipped.prefix}-alb-logs-*`;
    await client.indices.create({ index: `${shipped.prefix}-alb-logs-2024.05.01` });
    const first = await sluice(['setup', '--pipeline', 'alb', '--config', shipped.path]);
    expect(first.code, first.stderr).toBe(0);
    const name = `${shipped.prefix}-alb-1`;
    expect(first.stdout).toContain(
      `alb: ism policy ${name}: created (delete after 30 days, ${pattern}; attached to 1 existing index(es))`,
    );
    expect(puts().map((r) => [r.path, r.query.toString()])).toEqual([[`/_plugins/_ism/policies/${name}`, '']]);
    expect(puts()[0]!.body).toEqual(ismPolicy({ indexPatterns: [pattern], retentionDays: 30, dataStream: false }));
    expect(proxy.managed.get(`${shipped.prefix}-alb-logs-2024.05.01`)).toBe(name);

    const second = await sluice(['setup', '--pipeline', 'alb', '--config', shipped.path]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`alb: ism policy ${name}: unchanged`);
    expect(second.stdout).toContain(`alb: template ${name}: unchanged`);
    expect(puts()).toHaveLength(1);
  });

  it('updates the policy with its sequence number and moves managed indices to it when retention_days changes', async () => {
    const shipped = config({ retention_days: 30 });
    await client.indices.create({ index: `${shipped.prefix}-alb-logs-2024.05.02` });
    expect((await sluice(['setup', '--pipeline', 'alb', '--config', shipped.path])).code).toBe(0);
    const name = `${shipped.prefix}-alb-1`;
    const before = proxy.policies.get(name)!;
    setOutputOption(shipped, 'alb.yml', 'retention_days', 7);

    const dry = await sluice(['setup', '--dry-run', '--pipeline', 'alb', '--config', shipped.path]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`alb: ism policy ${name}: would update (delete after 7 days`);
    expect(proxy.policies.get(name)).toBe(before);

    const count = proxy.requests.length;
    const run = await sluice(['setup', '--pipeline', 'alb', '--config', shipped.path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`alb: ism policy ${name}: updated (delete after 7 days`);
    const sent = proxy.requests.slice(count).filter((r) => r.method !== 'GET');
    expect(sent.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([
      `PUT /_plugins/_ism/policies/${name}?if_seq_no=${before.seqNo}&if_primary_term=${before.primaryTerm}`,
      `POST /_plugins/_ism/change_policy/${shipped.prefix}-alb-logs-*?`,
      `POST /_plugins/_ism/add/${shipped.prefix}-alb-logs-*?`,
    ]);
    const states = proxy.policies.get(name)!.policy.states as Array<{ transitions: unknown[] }>;
    expect(states[0]!.transitions).toEqual([{ state_name: 'delete', conditions: { min_index_age: '7d' } }]);
  });

  it('rolls a data stream over before deleting when the output writes a data stream', async () => {
    const prefix = uniqueName('setup-ism');
    prefixes.push(prefix);
    const shipped = writeShippedConfig({
      prefix,
      output: { hosts: [proxy.url], retention_days: 14, data_stream: true, index: `${prefix}-alb-stream` },
    });
    const run = await sluice(['setup', '--pipeline', 'alb', '--config', shipped.path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `alb: ism policy ${prefix}-alb-1: created (delete after 14 days, ${prefix}-alb-stream)`,
    );
    const template = await client.indices.getIndexTemplate({ name: `${prefix}-alb-1` });
    expect(template.body.index_templates[0]!.index_template.data_stream).toBeDefined();
    const policy = proxy.policies.get(`${prefix}-alb-1`)!.policy as { states: Array<{ actions: unknown[] }> };
    expect(policy.states[0]!.actions).toEqual([
      {
        retry: { count: 3, backoff: 'exponential', delay: '1m' },
        rollover: { min_primary_shard_size: '30gb', min_index_age: '1d' },
      },
    ]);
  });

  it('skips the policy, saying why, for a fixed index name and without retention_days', async () => {
    const fixed = config({ retention_days: 30, index: 'one-fixed-index' });
    const run = await sluice(['setup', '--pipeline', 'alb', '--config', fixed.path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('ism policy');
    expect(run.stdout).toContain(
      'skipped (index one-fixed-index is one fixed index: deleting it by age would delete all of it',
    );
    const none = config({});
    const again = await sluice(['setup', '--pipeline', 'alb', '--config', none.path]);
    expect(again.stdout).toContain('skipped (the output sets no retention_days)');
    expect(puts().filter((r) => r.path.includes(fixed.prefix) || r.path.includes(none.prefix))).toEqual([]);
  });
});
