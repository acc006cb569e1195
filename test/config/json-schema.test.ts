import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pipelineJsonSchema, pipelineJsonSchemaText } from '../../src/config/json-schema.js';
import { pipelineTestJsonSchemaText } from '../../src/pipeline-test/test-file-json-schema.js';

type Schema = Record<string, any>;

const root = (): Schema => pipelineJsonSchema() as Schema;
const pipeline = (): Schema => root().properties.pipelines.items;
const variants = (union: Schema): Schema[] => union.oneOf ?? union.anyOf;
const variant = (union: Schema, type: string): Schema =>
  variants(union).find((option: Schema) => option.properties?.type?.const === type)!;

describe('pipelineJsonSchema', () => {
  it('matches docs/pipeline.schema.json when the file is up to date', () => {
    const onDisk = readFileSync(join(import.meta.dirname, '../../docs/pipeline.schema.json'), 'utf8');
    // On failure: npm run build && node scripts/write-schema.mjs
    expect(onDisk).toBe(pipelineJsonSchemaText());
  });

  it('matches docs/pipeline-test.schema.json when the file is up to date', () => {
    const onDisk = readFileSync(join(import.meta.dirname, '../../docs/pipeline-test.schema.json'), 'utf8');
    // On failure: npm run build && node scripts/write-schema.mjs
    expect(onDisk).toBe(pipelineTestJsonSchemaText());
  });

  it('rejects unknown keys and requires what the loader requires', () => {
    const schema = root();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['pipelines']);
    expect(pipeline().additionalProperties).toBe(false);
    expect(pipeline().required).toEqual(['id', 'source', 'parser', 'outputs', 'checkpoint']);
  });

  it.each([
    ['source', ['s3', 'file']],
    [
      'parser',
      [
        'alb',
        'alb_connection',
        'elb',
        'nlb',
        'waf',
        'cloudfront',
        's3_access',
        'vpc_flow',
        'vpc_flow_parquet',
        'cloudtrail',
        'json_lines',
        'lines',
      ],
    ],
    ['checkpoint', ['s3', 'dynamodb', 'file']],
    ['dead_letter', ['s3', 'file']],
  ])('offers every %s type as a constant for completion', (key, types) => {
    const union = pipeline().properties[key];
    expect(variants(union).map((option: Schema) => option.properties.type.const)).toEqual(types);
  });

  it('offers every filter and output type', () => {
    const props = pipeline().properties;
    expect(variants(props.filters.items).map((o: Schema) => o.properties.type.const)).toEqual([
      'date',
      'geoip',
      'user_agent',
      'waf_headers',
      'redact',
      'mutate',
      'drop',
    ]);
    expect(variants(props.outputs.items).map((o: Schema) => o.properties.type.const)).toEqual([
      'opensearch',
      'stdout',
      'file',
    ]);
  });

  it('describes output conditions with the condition schema when an output has when', () => {
    const schema = root();
    const when = variant(pipeline().properties.outputs.items, 'opensearch').properties.when;
    // Draft-07 ignores keywords beside a $ref: the description stays outside, the $ref goes into allOf.
    expect(when.description).toMatch(/Routing condition/);
    const ref = String(when.allOf[0].$ref).replace('#/definitions/', '');
    const condition = schema.definitions[ref];
    const keys = Object.keys(condition.properties ?? {});
    expect(keys).toEqual([
      'equals',
      'in',
      'matches',
      'exists',
      'gt',
      'gte',
      'lt',
      'lte',
      'between',
      'all',
      'any',
      'not',
    ]);
    expect(condition.additionalProperties).toBe(false);
  });

  it('keeps descriptions and defaults on the fields when it generates them', () => {
    const s3 = variant(pipeline().properties.source, 's3');
    expect(s3.properties.poll_interval_seconds.description).toMatch(/Seconds between two polls/);
    expect(s3.properties.poll_interval_seconds.default).toBe(60);
    expect(s3.required).toEqual(['type', 'bucket']);
  });

  it('accepts ${VAR} where a number, boolean or formatted string is expected', () => {
    const s3 = variant(pipeline().properties.source, 's3');
    for (const field of [s3.properties.poll_interval_seconds, s3.properties.force_path_style, s3.properties.endpoint]) {
      const [strict, reference] = field.anyOf;
      expect(['number', 'boolean', 'string']).toContain(strict.type);
      const pattern = new RegExp(reference.pattern);
      expect(pattern.test('${POLL_SECONDS}')).toBe(true);
      expect(pattern.test('https://${HOST}:${PORT:-9200}')).toBe(true);
      expect(pattern.test('15')).toBe(false);
    }
    // `type` constants stay strict: they drive completion.
    expect(s3.properties.type).toEqual({ type: 'string', const: 's3' });
  });

  it('marks a deprecated key deprecated for editors, beside its replacement and its default', () => {
    const props = variant(pipeline().properties.outputs.items, 'opensearch').properties;
    expect(props.flush_interval_ms.deprecated).toBe(true);
    expect(props.flush_interval_ms.deprecationMessage).toMatch(/use flush_interval_seconds/);
    expect(props.flush_interval_ms).not.toHaveProperty('default');
    expect(props.flush_interval_seconds).toMatchObject({ default: 1 });
    expect(props.flush_interval_seconds).not.toHaveProperty('deprecated');
  });
});
