import { describe, expect, it } from 'vitest';
import { generateObject } from '../../bench/generate-logs.js';
import type { Doc } from '../../src/core/event.js';
import { BulkBodyBuffers } from '../../src/outputs/opensearch/bulk-body.js';
import {
  type BulkLine,
  bulkLineBytes,
  bulkLineText,
  encodeBulkLine,
} from '../../src/outputs/opensearch/bulk-encoder.js';
import { createParserFactory, type ParserConfig } from '../../src/parsers/index.js';
import { fixture, parseAll } from '../parsers/parse-helpers.js';

/** Documents as the parsers make them: every line fixture, and generated objects of every parser. */
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
    docs.push(...parseAll(createParserFactory({ type } as ParserConfig), fixture(name).split('\n').filter(Boolean)));
  }
  for (const type of ['alb', 'waf', 'cloudfront', 'vpc_flow', 's3_access']) {
    const lines = generateObject(type, 300, 11).split('\n').filter(Boolean);
    docs.push(...parseAll(createParserFactory({ type } as ParserConfig), lines));
  }
  docs.push(...createParserFactory({ type: 'cloudtrail' }).forObject('k').parse(fixture('cloudtrail-docs.json'), 1));
  return docs;
}

/** Text JSON escapes, text it does not, lone surrogates, and a body far larger than the last. */
const EDGE_DOCS: Doc[] = [
  {},
  { text: 'é "quoted" \\ back\nslash\ttab \u0000 \u001f \u007f' },
  { cjk: '日本語のログ', emoji: '🙂 👩‍👩‍👧', combining: 'e\u0301' },
  { lone: '\ud800 then \udfff', pair: '\ud83d\ude42' },
  { big: 'x'.repeat(300 * 1024), wide: '€'.repeat(120 * 1024) },
];

const lineOf = (doc: Doc, i: number): BulkLine =>
  encodeBulkLine(i % 3 ? 'create' : 'index', 'alb-logs-2024.05.01', i % 5 ? `id${i}` : undefined, doc);

describe('BulkBodyBuffers', () => {
  it('writes exactly the UTF-8 bytes of the joined lines when buffers are reused across bodies', async () => {
    const docs = [...parsedDocs(), ...EDGE_DOCS];
    expect(docs.length).toBeGreaterThan(1500);
    const lines = docs.map(lineOf);
    const buffers = new BulkBodyBuffers();
    // Bodies of varied sizes, so a reused buffer holds the tail of a longer earlier body.
    const sizes = [700, 3, 400, 1, 250, lines.length];
    let start = 0;
    for (const size of sizes) {
      const batch = lines.slice(start, start + size);
      start = (start + size) % lines.length;
      const bytes = batch.reduce((sum, line) => sum + bulkLineBytes(line), 0);
      const sent = await buffers.send(batch, bytes, async (body) => Buffer.from(body));
      expect(sent.equals(Buffer.from(batch.map(bulkLineText).join(''))), `body of ${size} lines`).toBe(true);
    }
  });

  it('does not reuse a buffer whose request failed, nor send a body whose byte count is wrong', async () => {
    const buffers = new BulkBodyBuffers();
    const line = lineOf({ a: 'é' }, 1);
    let failed: Buffer | undefined;
    await expect(
      buffers.send([line], bulkLineBytes(line), async (body) => {
        failed = body;
        throw new Error('connection reset');
      }),
    ).rejects.toThrow('connection reset');
    const copy = Buffer.from(failed ?? '');
    await buffers.send([lineOf({ b: 2 }, 2)], bulkLineBytes(lineOf({ b: 2 }, 2)), async () => 0);
    expect(failed?.equals(copy)).toBe(true);
    // Counted short or long, by one byte up to a whole line: the body is built from the lines instead of cut.
    const wide = lineOf({ w: '€🙂'.repeat(50) }, 3);
    for (const miscount of [-1, -2, -3, -4, -5, 1, 2, -bulkLineBytes(wide)]) {
      const lines = [line, wide];
      const bytes = bulkLineBytes(line) + bulkLineBytes(wide) + miscount;
      const text = bulkLineText(line) + bulkLineText(wide);
      expect(await buffers.send(lines, bytes, async (body) => body.toString())).toBe(text);
      expect(await new BulkBodyBuffers().send(lines, bytes, async (body) => body.toString())).toBe(text);
    }
  });
});
