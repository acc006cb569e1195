import { describe, expect, it } from 'vitest';
import { generateObject } from '../../bench/generate-logs.js';
import type { Doc } from '../../src/core/event.js';
import { encodeBulkAction } from '../../src/outputs/opensearch/bulk-encoder.js';
import { BulkLineWriter, bulkBody } from '../../src/outputs/opensearch/bulk-line-writer.js';
import { createParserFactory, type ParserConfig } from '../../src/parsers/index.js';
import { fixture, parseAll } from '../parsers/parse-helpers.js';

/** Documents as the parsers make them: every fixture, and generated objects of every parser. */
function parsedDocs(): Doc[] {
  const fixtures: [string, string][] = [
    ['alb', 'alb-docs.log'],
    ['elb', 'elb-docs.log'],
    ['cloudfront', 'cloudfront-docs.log'],
    ['s3_access', 's3-access-docs.log'],
    ['vpc_flow', 'vpc-flow-default.log'],
    ['waf', 'waf-docs.log'],
  ];
  const docs: Doc[] = [];
  for (const [type, name] of fixtures) {
    const factory = createParserFactory({ type } as ParserConfig);
    docs.push(...parseAll(factory, fixture(name).split('\n').filter(Boolean)));
  }
  for (const type of ['alb', 'waf', 'cloudfront', 'vpc_flow', 's3_access']) {
    const factory = createParserFactory({ type } as ParserConfig);
    docs.push(...parseAll(factory, generateObject(type, 300, 11).split('\n').filter(Boolean)));
  }
  const trail = createParserFactory({ type: 'cloudtrail' });
  docs.push(...trail.forObject('k').parse(fixture('cloudtrail-docs.json'), 1));
  return docs;
}

/** Text JSON escapes, text it does not, and sizes around a slab's. */
const EDGE_DOCS: Doc[] = [
  {},
  { text: 'é "quoted" \\ back\nslash\ttab \u0000 \u001f \u007f' },
  { cjk: '日本語のログ', emoji: '🙂 👩‍👩‍👧', combining: 'e\u0301' },
  { lone: '\ud800 then \udfff', pair: '\ud83d\ude42' },
  { nested: { list: [1, -0, 1.5e300, null, true, 'x'], empty: [] }, n: Number.NaN, inf: Number.POSITIVE_INFINITY },
  { big: 'x'.repeat(300 * 1024) },
  { bigWide: '€'.repeat(120 * 1024) },
  { date: new Date(0) as unknown as string, skipped: undefined },
];

const write = (writer: BulkLineWriter, doc: Doc, i: number): Buffer =>
  writer.write(
    i % 3 === 0 ? 'index' : 'create',
    i % 2 ? 'alb-logs-2024.05.01' : 'idx-"ü"',
    i % 5 ? `id${i}` : undefined,
    doc,
  );
const old = (doc: Doc, i: number): string =>
  encodeBulkAction(
    i % 3 === 0 ? 'index' : 'create',
    i % 2 ? 'alb-logs-2024.05.01' : 'idx-"ü"',
    i % 5 ? `id${i}` : undefined,
    doc,
  );

describe('BulkLineWriter', () => {
  it('writes exactly the UTF-8 bytes of the string encoder when given parsed and edge documents', () => {
    const docs = [...parsedDocs(), ...EDGE_DOCS];
    expect(docs.length).toBeGreaterThan(1500);
    const writer = new BulkLineWriter();
    const lines = docs.map((doc, i) => write(writer, doc, i));
    // Compared once every line is written: no later line overwrote an earlier one's bytes.
    docs.forEach((doc, i) => {
      expect(lines[i]?.equals(Buffer.from(old(doc, i))), `document ${i}`).toBe(true);
    });
  });

  it('throws what JSON.stringify throws when a document holds a BigInt or a cycle', () => {
    const writer = new BulkLineWriter();
    const cycle: Doc = {};
    cycle.self = cycle;
    expect(() => writer.write('create', 'x', 'i', { n: 1n })).toThrow(/BigInt/);
    expect(() => writer.write('create', 'x', 'i', cycle)).toThrow(/circular/i);
    expect(writer.write('create', 'x', 'i', { ok: 1 }).toString()).toBe(
      encodeBulkAction('create', 'x', 'i', { ok: 1 }),
    );
  });
});

describe('bulkBody', () => {
  it('equals the joined string encoding when lines lie in one slab, span slabs or are copies', () => {
    const docs = parsedDocs();
    const writer = new BulkLineWriter();
    const lines = docs.map((doc, i) => write(writer, doc, i));
    const expected = Buffer.from(docs.map((doc, i) => old(doc, i)).join(''));
    expect(bulkBody(lines).equals(expected)).toBe(true);
    // A retried subset, some of its lines copied out of their slab.
    const subset = lines.filter((_, i) => i % 7 === 0).map((line, i) => (i % 2 ? Buffer.from(line) : line));
    const subsetExpected = docs.filter((_, i) => i % 7 === 0).map((doc, i) => old(doc, i * 7));
    expect(bulkBody(subset).toString()).toBe(subsetExpected.join(''));
    expect(bulkBody([]).length).toBe(0);
  });

  it('returns the slab bytes without copying when the lines are adjacent in one slab', () => {
    const writer = new BulkLineWriter();
    const lines = [1, 2, 3].map((n) => writer.write('create', 'x', `i${n}`, { n }));
    const body = bulkBody(lines);
    expect(body.buffer).toBe(lines[0]?.buffer);
    expect(body.toString()).toBe([1, 2, 3].map((n) => encodeBulkAction('create', 'x', `i${n}`, { n })).join(''));
  });
});
