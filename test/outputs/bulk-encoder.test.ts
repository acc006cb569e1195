import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { BulkBodyBuffers } from '../../src/outputs/opensearch/bulk-body.js';
import { bulkLineBytes, bulkLineText, encodeBulkLine } from '../../src/outputs/opensearch/bulk-encoder.js';
import { createParserFactory } from '../../src/parsers/index.js';
import { hostileText } from '../fuzz/arbitraries.js';
import { fixtureLines, parseAll } from '../parsers/parse-helpers.js';

/** The bulk line as the output wrote it before the split line: every part through JSON.stringify. */
function reference(action: 'create' | 'index', index: string, id: string | undefined, doc: Doc): string {
  const idPart = id === undefined ? '' : `,"_id":${JSON.stringify(id)}`;
  return `{"${action}":{"_index":${JSON.stringify(index)}${idPart}}}\n${JSON.stringify(doc)}\n`;
}

const ALB_DOCS = parseAll(createParserFactory({ type: 'alb' }), fixtureLines('alb-docs.log'));

const hostile = hostileText(40);

/** JSON values as filters leave them: numbers JSON cannot hold, -0, nesting, arrays. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostile,
    fc.double(),
    fc.integer(),
    fc.constantFrom(null, true, false, -0, Number.NaN, Number.POSITIVE_INFINITY, undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostile, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** An ALB document of the fixture with some fields replaced by hostile values and some added after. */
const albDoc: fc.Arbitrary<Doc> = fc
  .record({
    base: fc.constantFrom(...ALB_DOCS),
    replaced: fc.array(fc.tuple(fc.nat(), value), { maxLength: 6 }),
    added: fc.dictionary(hostile, value, { maxKeys: 3 }),
  })
  .map(({ base, replaced, added }) => {
    const doc: Doc = { ...base };
    const keys = Object.keys(doc);
    for (const [at, v] of replaced) doc[keys[at % keys.length]!] = v;
    return Object.assign(doc, added);
  });

const line = fc.record({
  action: fc.constantFrom('create' as const, 'index' as const),
  index: fc.oneof(fc.constant('alb-logs-2024.05.01'), hostile),
  id: fc.oneof(
    fc.constant(undefined),
    fc.string({ unit: fc.constantFrom(...'ABCxyz019-_'), minLength: 32, maxLength: 32 }),
    hostile,
  ),
  doc: fc.oneof(albDoc, fc.dictionary(hostile, value, { maxKeys: 6 })),
});

describe('encodeBulkLine', () => {
  it('gives the bytes of the stringified action and document when strings are hostile', () => {
    fc.assert(
      fc.property(line, ({ action, index, id, doc }) => {
        const expected = reference(action, index, id, doc);
        const encoded = encodeBulkLine(action, index, id, doc);
        expect(bulkLineText(encoded)).toBe(expected);
        expect(bulkLineBytes(encoded)).toBe(Buffer.byteLength(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes bodies byte for byte equal to the stringified lines when buffers are reused', async () => {
    const buffers = new BulkBodyBuffers();
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 30 }), async (lines) => {
        const encoded = lines.map((l) => encodeBulkLine(l.action, l.index, l.id, l.doc));
        const expected = Buffer.from(lines.map((l) => reference(l.action, l.index, l.id, l.doc)).join(''));
        const bytes = encoded.reduce((sum, l) => sum + bulkLineBytes(l), 0);
        const sent = await buffers.send(encoded, bytes, async (body) => Buffer.from(body));
        expect(sent.equals(expected)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('throws what JSON.stringify throws when the document holds a BigInt or a cycle', () => {
    const cyclic: Doc = { a: 1 };
    cyclic.self = cyclic;
    expect(() => encodeBulkLine('create', 'i', 'x', { n: 1n })).toThrow(TypeError);
    expect(() => encodeBulkLine('create', 'i', 'x', cyclic)).toThrow(TypeError);
  });
});
