import { describe, expect, it } from 'vitest';
import { createParserFactory, PARSER_TYPES, parserConfigSchema } from '../../src/parsers/index.js';

describe('parserConfigSchema', () => {
  it('lists every parser type, in the order of the schema', () => {
    expect(parserConfigSchema.options.map((option) => option.shape.type.value)).toEqual(PARSER_TYPES);
    expect(PARSER_TYPES).toEqual([
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
    ]);
  });

  it.each(PARSER_TYPES)('builds a factory of type %s when the config names it', (type) => {
    const factory = createParserFactory(parserConfigSchema.parse({ type }));
    expect(factory.type).toBe(type);
    const json = ['waf', 'cloudtrail', 'json_lines'];
    expect(factory.framing).toBe(json.includes(type) ? 'json' : type === 'vpc_flow_parquet' ? 'parquet' : 'lines');
  });

  it.each<[unknown, string]>([
    [{ type: 'alb', fields: ['x'] }, 'unknown key'],
    [{ type: 'nginx' }, 'unknown type'],
    [{ type: 'vpc_flow', fields: ['Src Addr'] }, 'invalid field name'],
    [{ type: 'vpc_flow', fields: [] }, 'empty field list'],
    [{ type: 'lines', field: '' }, 'empty field'],
  ])('rejects %j (%s)', (config: unknown) => {
    expect(parserConfigSchema.safeParse(config).success).toBe(false);
  });

  it('passes configured vpc_flow fields to the parser when files lack a header', () => {
    const factory = createParserFactory(parserConfigSchema.parse({ type: 'vpc_flow', fields: ['srcaddr', 'bytes'] }));
    expect(factory.forObject('k').parse('10.0.0.1 5', 1)).toEqual([{ srcaddr: '10.0.0.1', bytes: 5 }]);
  });

  it('passes the configured field to the lines parser', () => {
    const factory = createParserFactory(parserConfigSchema.parse({ type: 'lines', field: 'raw' }));
    expect(factory.forObject('k').parse('x', 1)).toEqual([{ raw: 'x' }]);
  });
});
