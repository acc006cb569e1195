import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIndexTemplate } from '../../src/outputs/opensearch/index-template.js';
import { templateConfigSchema } from '../../src/outputs/opensearch/opensearch-config.js';

describe('buildIndexTemplate', () => {
  it('maps ALB addresses as ip, geoip.location as geo_point and @timestamp as date when kind is alb', async () => {
    const t = await buildIndexTemplate(templateConfigSchema.parse({ kind: 'alb', number_of_replicas: 0 }), {
      indexPatterns: ['alb-logs-*'],
      dataStream: false,
      baseDir: '/',
    });
    const props = t.template.mappings.properties as Record<
      string,
      { type?: string; properties?: Record<string, { type: string }> }
    >;
    expect(t.index_patterns).toEqual(['alb-logs-*']);
    expect(t.template.settings).toEqual({ number_of_shards: 1, number_of_replicas: 0 });
    expect(props.client_ip?.type).toBe('ip');
    expect(props.target_ip?.type).toBe('ip');
    expect(props.sent_bytes?.type).toBe('long');
    expect(props['@timestamp']?.type).toBe('date');
    expect(props.geoip?.properties?.location?.type).toBe('geo_point');
    expect(props.geoip?.properties?.ip?.type).toBe('ip');
    expect(t.data_stream).toBeUndefined();
  });

  it('maps httpRequest.clientIp as ip and declares the data stream when kind is waf with data_stream', async () => {
    const t = await buildIndexTemplate(templateConfigSchema.parse({ kind: 'waf' }), {
      indexPatterns: ['waf'],
      dataStream: true,
      baseDir: '/',
    });
    const props = t.template.mappings.properties as Record<string, { properties?: Record<string, { type: string }> }>;
    expect(props.httpRequest?.properties?.clientIp?.type).toBe('ip');
    expect(t.data_stream).toEqual({});
  });

  it('uses the user file and keeps its own settings when template.file is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-template-'));
    writeFileSync(
      join(dir, 'mine.json'),
      JSON.stringify({
        template: { settings: { number_of_shards: 3 }, mappings: { properties: { x: { type: 'ip' } } } },
      }),
    );
    const t = await buildIndexTemplate(templateConfigSchema.parse({ file: 'mine.json', number_of_replicas: 0 }), {
      indexPatterns: ['mine-*'],
      dataStream: false,
      baseDir: dir,
    });
    expect(t.index_patterns).toEqual(['mine-*']);
    expect(t.template.settings).toEqual({ number_of_shards: 3, number_of_replicas: 0 });
    expect(t.template.mappings).toEqual({ properties: { x: { type: 'ip' } } });
  });

  it('throws ERR_OUTPUT_TEMPLATE naming the file when it is missing', async () => {
    await expect(
      buildIndexTemplate(templateConfigSchema.parse({ file: 'nope.json' }), {
        indexPatterns: ['a'],
        dataStream: false,
        baseDir: '/tmp',
      }),
    ).rejects.toMatchObject({ code: 'ERR_OUTPUT_TEMPLATE', context: { file: '/tmp/nope.json' } });
  });
});
