import { describe, expect, it } from 'vitest';
import { pipelineConfigSchema } from '../../src/config/schema.js';

const pipeline = (extra: Record<string, unknown>) => ({
  id: 'p',
  source: { type: 'file', path: 'logs' },
  parser: { type: 'alb' },
  outputs: [{ type: 'stdout' }],
  checkpoint: { type: 'file', directory: 'checkpoints' },
  ...extra,
});

describe('the schema option', () => {
  it('defaults to aws when the pipeline does not set it', () => {
    expect(pipelineConfigSchema.parse(pipeline({})).schema).toBe('aws');
  });

  it.each(['alb', 'waf'])('accepts ecs when the parser is %s', (type) => {
    expect(pipelineConfigSchema.parse(pipeline({ schema: 'ecs', parser: { type } })).schema).toBe('ecs');
  });

  it.each<[string, Record<string, unknown>, Array<string | number>, RegExp]>([
    [
      'a parser without ECS names',
      { parser: { type: 'cloudfront' } },
      ['schema'],
      /schema: ecs has field names for the alb and waf parsers only, not cloudfront/,
    ],
    [
      'an index template of a kind without ECS names',
      {
        outputs: [{ type: 'opensearch', hosts: ['http://127.0.0.1:9200'], index: 'x', template: { kind: 'vpc_flow' } }],
      },
      ['outputs', 0, 'template', 'kind'],
      /index templates for alb and waf only, not vpc_flow/,
    ],
  ])('refuses ecs at the setting when the pipeline has %s', (_name, extra, path, message) => {
    const result = pipelineConfigSchema.safeParse(pipeline({ schema: 'ecs', ...extra }));
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
  });

  it('refuses a schema it does not know', () => {
    expect(pipelineConfigSchema.safeParse(pipeline({ schema: 'otel' })).success).toBe(false);
  });
});
