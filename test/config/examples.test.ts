import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

const folder = join(import.meta.dirname, '../../pipelines');
const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name));

/** What the examples need from the environment; everything else has a default. */
const env = {
  ALB_LOG_BUCKET: 'my-alb-logs',
  WAF_LOG_BUCKET: 'my-waf-logs',
  SLUICE_STATE_BUCKET: 'my-sluice-state',
  OPENSEARCH_USERNAME: 'sluice',
  OPENSEARCH_PASSWORD: 'not-a-real-password',
};

describe('pipelines/ examples', () => {
  it('holds the ALB and WAF examples', () => {
    expect(files).toEqual(expect.arrayContaining(['alb.yml', 'waf.yml']));
  });

  it.each(files)('%s validates when its variables are set', async (name) => {
    const loaded = await loadConfig(join(folder, name), env);
    expect(loaded.pipelines.length).toBeGreaterThan(0);
  });

  it.each(files)('%s points editors at the JSON Schema on its first line', (name) => {
    const [first] = readFileSync(join(folder, name), 'utf8').split('\n');
    expect(first).toBe('# yaml-language-server: $schema=../docs/pipeline.schema.json');
  });

  it('validates the whole folder at once when every pipeline id is unique', async () => {
    const loaded = await loadConfig(folder, env);
    expect(loaded.pipelines.map((p) => p.config.id).sort()).toEqual(['alb', 'waf']);
  });

  it('names the variables that are missing when the environment is empty', async () => {
    await expect(loadConfig(join(folder, 'alb.yml'), {})).rejects.toThrow(
      /environment variable ALB_LOG_BUCKET is not set/,
    );
  });

  it('configures ALB as the Logstash pipeline did when defaults apply', async () => {
    const [alb] = (await loadConfig(join(folder, 'alb.yml'), env)).pipelines;
    const config = alb!.config;
    expect(config.source).toMatchObject({ type: 's3', bucket: 'my-alb-logs', prefix: 'AWSLogs/', layout: 'alb' });
    expect(config.parser).toEqual({ type: 'alb' });
    expect(config.filters.map((f) => f.type)).toEqual(['date', 'geoip', 'redact', 'user_agent']);
    expect(config.filters[0]).toMatchObject({ field: 'time', formats: ['iso8601'], target: '@timestamp' });
    expect(config.filters[1]).toMatchObject({
      source: 'client_ip',
      database: '/usr/share/GeoIP/GeoLite2-City.mmdb',
    });
    // Every field the ALB parser fills with a URL (or text that carries one) is searched.
    expect(config.filters[2]).toMatchObject({
      pattern_fields: ['request_url', 'redirect_url', 'transformed_uri', 'user_agent'],
      url_userinfo: true,
    });
    expect((config.filters[2] as { query_params: string[] }).query_params).toEqual(
      expect.arrayContaining(['password', 'client_secret', 'x_amz_signature', 'sig']),
    );
    // After redact: the agent is parsed with any URL in it already hidden.
    expect(config.filters[3]).toMatchObject({ source: 'user_agent', target: 'user_agent_info', max_length: 512 });
    expect(config.outputs[0]).toMatchObject({
      type: 'opensearch',
      index: 'alb-logs-%{+YYYY.MM.dd}',
      auth: { type: 'basic', username: 'sluice', password: 'not-a-real-password' },
      template: { kind: 'alb' },
      document_id: 'deterministic',
    });
    expect(config.dead_letter).toMatchObject({ type: 's3', bucket: 'my-sluice-state' });
    expect(config.checkpoint).toMatchObject({ type: 's3', bucket: 'my-sluice-state' });
  });

  it('configures WAF with epoch millis, geoip on the client and flattened headers', async () => {
    const [waf] = (await loadConfig(join(folder, 'waf.yml'), { ...env, GEOIP_DATABASE: '/data/City.mmdb' })).pipelines;
    const config = waf!.config;
    expect(config.parser).toEqual({ type: 'waf' });
    expect(config.filters.map((f) => f.type)).toEqual(['date', 'geoip', 'waf_headers', 'redact', 'user_agent']);
    expect(config.filters[0]).toMatchObject({ field: 'timestamp', formats: ['epoch_millis'] });
    expect(config.filters[1]).toMatchObject({ source: 'httpRequest.clientIp', database: '/data/City.mmdb' });
    expect(config.filters[2]).toMatchObject({ type: 'waf_headers' });
    expect((config.filters[2] as { allowlist: string[] }).allowlist).toContain('user-agent');
    expect((config.filters[2] as { redact_headers: string[] }).redact_headers).toEqual(
      expect.arrayContaining(['authorization', 'proxy-authorization', 'x-api-key', 'x-amz-security-token']),
    );
    // The WAF redact filter searches the whole event: args, uri, fragment and header values.
    expect((config.filters[3] as { pattern_fields?: string[] }).pattern_fields).toBeUndefined();
    expect(config.filters[4]).toMatchObject({ source: 'httpRequest.header_map.user-agent', target: 'user_agent_info' });
    expect(config.outputs.map((o) => (o as { index: string }).index)).toEqual([
      'waf-logs-%{+YYYY.MM.dd}',
      'waf-blocked-%{+YYYY.MM.dd}',
    ]);
    expect(config.outputs[1]!.when).toEqual({ equals: { field: 'action', value: 'BLOCK' } });
    expect(config.checkpoint).toMatchObject({ type: 'dynamodb', table: 'sluice-checkpoints' });
  });
});
