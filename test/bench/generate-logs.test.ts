import { describe, expect, it } from 'vitest';
import { generateObject } from '../../bench/generate-logs.js';
import { createParserFactory, type ParserConfig } from '../../src/parsers/index.js';

/** Parses a generated object with its own parser: every record must parse, or the bench measures errors. */
function parseGenerated(type: string, records: number): Record<string, unknown>[] {
  const factory = createParserFactory({ type } as ParserConfig);
  const parser = factory.forObject(`bench/${type}`);
  const text = generateObject(type, records, 5);
  if (factory.framing === 'document') return parser.parse(text, 1);
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line, i) => parser.parse(line, i + 1));
}

describe('generateObject', () => {
  it.each(['alb', 'waf', 'cloudfront', 'vpc_flow', 's3_access', 'cloudtrail'])(
    'produces %s records that all parse when read by their parser',
    (type) => {
      expect(parseGenerated(type, 2000)).toHaveLength(2000);
    },
  );

  it('mixes ALB request types, IPv6 clients and old layouts when generating ALB lines', () => {
    const docs = parseGenerated('alb', 5000);
    const types = new Set(docs.map((d) => d.type));
    expect([...types].sort()).toEqual(['grpcs', 'h2', 'http', 'https', 'wss']);
    expect(docs.some((d) => String(d.client_ip).includes(':'))).toBe(true);
    expect(docs.some((d) => d.target_ip === null && d.request_processing_time === -1)).toBe(true);
    const layouts = new Set(docs.map((d) => Object.keys(d).length));
    expect(layouts.size).toBeGreaterThanOrEqual(4);
    expect(docs.filter((d) => 'conn_trace_id' in d).length / docs.length).toBeGreaterThan(0.7);
  });

  it('is deterministic when given the same seed', () => {
    expect(generateObject('alb', 100, 3)).toBe(generateObject('alb', 100, 3));
    expect(generateObject('alb', 100, 3)).not.toBe(generateObject('alb', 100, 4));
  });
});
