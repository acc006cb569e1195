import { describe, expect, it } from 'vitest';
import type { Doc, LogEvent } from '../../src/core/event.js';
import { BatchEncoder } from '../../src/outputs/opensearch/batch-encoder.js';
import { BulkBodyBuffers } from '../../src/outputs/opensearch/bulk-body.js';
import type { BulkItem } from '../../src/outputs/opensearch/bulk-item.js';
import type { RejectedItem } from '../../src/outputs/opensearch/dead-letter-router.js';
import { encodedItems } from '../../src/outputs/opensearch/encoded-items.js';
import { EventEncoder, isRejected } from '../../src/outputs/opensearch/event-encoder.js';
import { opensearchOutputConfigSchema } from '../../src/outputs/opensearch/opensearch-config.js';
import { WriteTracker } from '../../src/outputs/write-tracker.js';
import { componentContext } from '../helpers/component-context.js';

const OBJECT = { pipeline: 'test', bucket: 'b', key: 'logs/x.log', etag: 'e1', lastModified: Date.UTC(2024, 4, 1) };

function config(overrides: Record<string, unknown> = {}) {
  return opensearchOutputConfigSchema.parse({
    type: 'opensearch',
    hosts: ['http://127.0.0.1:1'],
    index: 'logs-%{+YYYY.MM.dd}',
    ...overrides,
  });
}

/** Documents with what JSON and UTF-8 make hard: quotes, control characters, lone surrogates, astral characters. */
function events(): LogEvent[] {
  const docs: Doc[] = [
    { '@timestamp': '2024-05-01T10:00:00.000Z', message: 'plain' },
    { '@timestamp': '2024-05-02T10:00:00.000Z', message: 'quote " backslash \\ newline \n tab \t' },
    { '@timestamp': '2024-05-02T11:00:00.000Z', message: 'lone \ud800 surrogate, emoji 😀, U+2028 \u2028, BOM \ufeff' },
    { '@timestamp': '2024-05-03T10:00:00.000Z', n: -0, nan: Number.NaN, deep: { a: [1, { b: null }] } },
    { '@timestamp': '2024-05-01T12:00:00.000Z', big: 10n },
    { message: 'no timestamp: the object time names the index' },
  ];
  return docs.map((doc, i) => ({ doc, origin: { ...OBJECT, record: 100 + i, sub: i % 2 } }));
}

/** What the output would send for the items: one body through the reused buffers (as BulkSender does). */
function body(items: readonly (BulkItem | RejectedItem)[]): Buffer {
  const sent = items.filter((item): item is BulkItem => !isRejected(item));
  const bytes = sent.reduce((sum, item) => sum + item.bytes, 0);
  return Buffer.from(
    new BulkBodyBuffers().fill(
      sent.map((item) => item.line),
      bytes,
    ).body,
  );
}

function reasons(items: readonly (BulkItem | RejectedItem)[]): string[] {
  return items.filter(isRejected).map((item) => `${item.item.event.origin.record} ${item.error?.code} ${item.reason}`);
}

describe('BatchEncoder and encodedItems (worker threads) against EventEncoder (in-process)', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['deterministic ids, create', {}],
    ['auto ids', { document_id: 'auto' }],
    ['index action', { action: 'index' }],
    ['max_indices 1 with an overflow index', { max_indices: 1, overflow_index: 'logs-overflow' }],
    ['max_indices 2 without an overflow index', { max_indices: 2 }],
  ];
  it.each(cases)('gives the same body bytes and the same rejections: %s', (_name, overrides) => {
    const settings = config(overrides);
    const inProcess = new EventEncoder(settings, componentContext());
    const expected = events().map((event) => inProcess.encode(event, new WriteTracker(1)));

    const encoded = new BatchEncoder(settings).encode(events());
    const mainThread = new EventEncoder(settings, componentContext());
    const actual = encodedItems(encoded, OBJECT, mainThread, new WriteTracker(encoded.ends.length));

    expect(body(actual).equals(body(expected))).toBe(true);
    expect(reasons(actual)).toEqual(reasons(expected));
    expect(actual.map((item) => (isRejected(item) ? item.item : item).event.origin)).toEqual(
      expected.map((item) => (isRejected(item) ? item.item : item).event.origin),
    );
  });

  it('hands over index names once each, the BigInt event as unencodable, and the line bytes back to back', () => {
    const encoded = new BatchEncoder(config()).encode(events());
    expect(encoded.names).toEqual(['logs-2024.05.01', 'logs-2024.05.02', 'logs-2024.05.03']);
    expect([...encoded.nameOf]).toEqual([0, 1, 1, 2, -1, 0]);
    expect(encoded.unencodable).toEqual([{ item: 4, message: expect.stringMatching(/BigInt/) }]);
    expect(encoded.ends[4]).toBe(encoded.ends[3]);
    expect(encoded.bytes.length).toBe(encoded.ends[5]);
    expect([...encoded.records]).toEqual([100, 101, 102, 103, 104, 105]);
  });

  it('recovers the document of an item over the cap from its line, for the dead-letter entry', () => {
    const settings = config({ max_indices: 1 });
    const encoded = new BatchEncoder(settings).encode(events());
    const items = encodedItems(encoded, OBJECT, new EventEncoder(settings, componentContext()), new WriteTracker(6));
    const rejected = items.filter(isRejected).find((item) => item.item.event.origin.record === 101)!;
    expect(rejected.error?.code).toBe('ERR_OUTPUT_INDEX_LIMIT');
    expect(rejected.item.event.doc).toEqual(events()[1]!.doc);
  });

  it('grows its buffer past the first guess without changing a byte', () => {
    const long = 'x'.repeat(10_000);
    const many: LogEvent[] = Array.from({ length: 3 }, (_, i) => ({
      doc: { message: `${long}${i}é😀` },
      origin: { ...OBJECT, record: i + 1, sub: 0 },
    }));
    const settings = config();
    const expected = many.map((event) =>
      new EventEncoder(settings, componentContext()).encode(event, new WriteTracker(1)),
    );
    const encoded = new BatchEncoder(settings).encode(many);
    const actual = encodedItems(encoded, OBJECT, new EventEncoder(settings, componentContext()), new WriteTracker(3));
    expect(body(actual).equals(body(expected))).toBe(true);
  });

  it('encodes a batch given in parts, past its first guess of items, exactly as at once', () => {
    const settings = config();
    const all = events();
    const builder = new BatchEncoder(settings).start(1);
    builder.add(all.slice(0, 1));
    builder.add([]);
    builder.add(all.slice(1, 4));
    builder.add(all.slice(4));
    const parts = builder.finish();
    const whole = new BatchEncoder(settings).encode(all);
    expect(Buffer.from(parts.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
    for (const key of ['ends', 'heads', 'records', 'subs', 'nameOf'] as const)
      expect([...parts[key]]).toEqual([...whole[key]]);
    expect(parts.names).toEqual(whole.names);
    expect(parts.unencodable).toEqual(whole.unencodable);
  });
});
