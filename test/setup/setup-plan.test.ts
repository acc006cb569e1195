import { describe, expect, it } from 'vitest';
import type { LoadedPipeline } from '../../src/config/load-config.js';
import { pipelineConfigSchema } from '../../src/config/schema.js';
import { planSetup } from '../../src/setup/setup-plan.js';

function pipeline(id: string, outputs: unknown[], schema: 'aws' | 'ecs' = 'aws'): LoadedPipeline {
  const config = pipelineConfigSchema.parse({
    id,
    schema,
    source: { type: 'file', path: 'logs' },
    parser: { type: id.startsWith('waf') ? 'waf' : 'alb' },
    outputs,
    checkpoint: { type: 'file', directory: 'state' },
  });
  return {
    config,
    file: `/etc/sluice/${id}.yml`,
    baseDir: '/etc/sluice',
    index: 0,
    locate: () => ({ file: `${id}.yml`, line: 1, column: 1 }),
  };
}

const os = (index: string, extra: Record<string, unknown> = {}) => ({
  type: 'opensearch',
  hosts: ['https://search.example.com'],
  index,
  ...extra,
});

describe('planSetup', () => {
  it('sets up every OpenSearch output and notes pipelines without one', () => {
    const plan = planSetup([
      pipeline('alb', [os('alb-logs-%{+YYYY.MM.dd}', { template: { kind: 'alb' } }), { type: 'stdout' }]),
      pipeline('debug', [{ type: 'stdout' }]),
    ]);
    expect(plan.outputs.map((o) => [o.pipeline, o.position])).toEqual([['alb', 1]]);
    expect(plan.notes).toContain('debug: no opensearch output, nothing to set up');
  });

  it('covers only the outputs that get every event when a routed copy shares the kind', () => {
    const waf = pipeline('waf', [
      os('waf-logs-%{+YYYY.MM.dd}', { template: { kind: 'waf' } }),
      os('waf-blocked-%{+YYYY.MM.dd}', {
        template: { kind: 'waf', name: 'b' },
        when: { equals: { field: 'action', value: 'BLOCK' } },
      }),
    ]);
    const plan = planSetup([waf], { url: 'https://dash.example.com/_dashboards', tenant: 'global' });
    expect(plan.dashboards).toHaveLength(1);
    expect(plan.dashboards[0]).toMatchObject({
      kind: 'waf',
      title: 'waf-logs-*',
      tenant: 'global',
      url: 'https://dash.example.com/_dashboards',
    });
  });

  it('joins the index patterns of pipelines of one kind into one comma-separated title', () => {
    const plan = planSetup([
      pipeline('alb-prod', [
        os('prod-alb-%{+YYYY.MM.dd}', { template: { kind: 'alb' }, dashboards: { url: 'http://d:5601' } }),
      ]),
      pipeline('alb-test', [
        os('test-alb-%{+YYYY.MM.dd}', { template: { kind: 'alb' }, dashboards: { url: 'http://d:5601' } }),
      ]),
    ]);
    expect(plan.dashboards.map((d) => d.title)).toEqual(['prod-alb-*,test-alb-*']);
  });

  it('imports each field naming apart when pipelines of one kind differ in schema', () => {
    const template = { template: { kind: 'alb' } };
    const plan = planSetup(
      [
        pipeline('alb', [os('alb-logs-%{+YYYY.MM.dd}', template)]),
        pipeline('alb-ecs', [os('alb-ecs-%{+YYYY.MM.dd}', template)], 'ecs'),
      ],
      { url: 'https://dash.example.com/_dashboards' },
    );
    expect(plan.outputs.map((output) => output.schema)).toEqual(['aws', 'ecs']);
    expect(plan.dashboards.map((target) => [target.kind, target.schema, target.title])).toEqual([
      ['alb', 'aws', 'alb-logs-*'],
      ['alb', 'ecs', 'alb-ecs-*'],
    ]);
  });

  it('uses the dashboards auth when given and the output auth otherwise', () => {
    const basic = { type: 'basic', username: 'u', password: 'p' };
    const own = { type: 'basic', username: 'dash', password: 'q' };
    const plan = planSetup([
      pipeline('alb', [
        os('a-%{+YYYY}', { auth: basic, template: { kind: 'alb' }, dashboards: { url: 'http://d:5601' } }),
      ]),
      pipeline('waf', [
        os('w-%{+YYYY}', { auth: basic, template: { kind: 'waf' }, dashboards: { url: 'http://d:5601', auth: own } }),
      ]),
    ]);
    expect(plan.dashboards.map((d) => (d.auth as { username: string }).username)).toEqual(['u', 'dash']);
  });

  it('notes outputs without a Dashboards URL and kinds without dashboards', () => {
    const plan = planSetup([
      pipeline('alb', [
        os('a-%{+YYYY}', { template: { kind: 'alb' } }),
        os('g-%{+YYYY}', { template: { kind: 'generic' } }),
      ]),
    ]);
    expect(plan.dashboards).toEqual([]);
    expect(plan.notes).toEqual([
      'alb: output 1 has no dashboards.url (nor --dashboards-url): dashboards skipped',
      'alb: output 2 has no built-in dashboards (template.kind alb or waf has)',
    ]);
  });
});
