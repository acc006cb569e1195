import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Filter, ParserFactory } from '../../src/core/components.js';
import { createDropFilter } from '../../src/filters/drop-filter.js';
import { frameRecords } from '../../src/parsers/framing/frame-records.js';
import { createParserFactory, type ParserConfig, parserTypes } from '../../src/parsers/index.js';
import { type BatchResult, type LoopObject, RecordLoop } from '../../src/pipeline/record-loop.js';
import { fixture } from '../parsers/parse-helpers.js';

const object: LoopObject = { pipeline: 'p', bucket: 'b', key: 'k.log', etag: 'e1', lastModified: 1_700_000_000_000 };

/** Frames `body` as the worker does and runs every batch through one loop; null results are kept as null. */
async function runLoop(
  body: Buffer | string,
  options: { parser?: ParserFactory; filters?: Filter[]; resumeAfter?: number; batchRecords?: number } = {},
): Promise<(BatchResult | null)[]> {
  const parser = options.parser ?? createParserFactory({ type: 'json_lines' });
  const loop = new RecordLoop({
    parser,
    filters: options.filters ?? [],
    object,
    resumeAfter: options.resumeAfter ?? 0,
    maxRecordBytes: 4096,
  });
  const results: (BatchResult | null)[] = [];
  const stream = Readable.from([Buffer.from(body)]);
  for await (const batch of frameRecords(stream, parser.framing, {
    ...loop.framing,
    batchRecords: options.batchRecords,
  })) {
    results.push(loop.run(batch));
  }
  return results;
}

const lines = (...docs: unknown[]): string => `${docs.map((doc) => JSON.stringify(doc)).join('\n')}\n`;

describe('RecordLoop', () => {
  it('gives each event its origin (object, record number, index within the record) when records parse', async () => {
    const [result] = await runLoop(`{"n":1}\n\n{"n":2}\n`);
    expect(result).toEqual({
      events: [
        { doc: { n: 1 }, origin: { ...object, record: 1, sub: 0 } },
        { doc: { n: 2 }, origin: { ...object, record: 3, sub: 0 } },
      ],
      failures: [],
      records: 2,
      dropped: 0,
    });
  });

  it('numbers the events of one record by sub when a record holds many (CloudTrail)', async () => {
    const [result] = await runLoop(fixture('cloudtrail-docs.json'), {
      parser: createParserFactory({ type: 'cloudtrail' }),
    });
    expect(result!.records).toBe(1);
    expect(result!.events.length).toBeGreaterThan(1);
    expect(result!.events.map((event) => event.origin.sub)).toEqual(result!.events.map((_, i) => i));
    expect(result!.events.every((event) => event.origin.record === 1)).toBe(true);
  });

  it('dead-letters a record that does not parse with its raw text and reason, and goes on', async () => {
    const [result] = await runLoop('{"n":1}\n{not json\n{"n":3}\n');
    expect(result!.events.map((event) => event.doc.n)).toEqual([1, 3]);
    expect(result!.records).toBe(2);
    expect(result!.failures).toEqual([
      {
        pipeline: 'p',
        bucket: 'b',
        key: 'k.log',
        etag: 'e1',
        record: 2,
        code: 'ERR_RECORD_PARSE',
        reason: expect.stringContaining('json_lines: invalid JSON'),
        raw: '{not json',
        at: expect.any(String),
      },
    ]);
  });

  it('dead-letters a record over max_record_bytes without its text when it is too long', async () => {
    const [result] = await runLoop(lines({ n: 1 }, { n: 2, s: 'x'.repeat(5000) }, { n: 3 }));
    expect(result!.events.map((event) => event.doc.n)).toEqual([1, 3]);
    expect(result!.failures).toEqual([
      expect.objectContaining({
        record: 2,
        code: 'ERR_RECORD_TOO_LARGE',
        reason: 'record of 5014 bytes exceeds max_record_bytes (4096)',
        raw: undefined,
      }),
    ]);
  });

  it('tags the events of a record whose bytes were not UTF-8 and keeps them', async () => {
    const body = Buffer.concat([Buffer.from('{"n":1,"s":"'), Buffer.from([0xff]), Buffer.from('"}\n{"n":2}\n')]);
    const [result] = await runLoop(body);
    expect(result!.events.map((event) => event.doc)).toEqual([
      { n: 1, s: '\uFFFD', tags: ['_invalid_utf8'] },
      { n: 2 },
    ]);
  });

  it('counts the events a filter drops and emits the rest when filters apply', async () => {
    const drop = createDropFilter({ type: 'drop', when: { equals: { field: 'n', value: 2 } } });
    const [result] = await runLoop(lines({ n: 1 }, { n: 2 }, { n: 3 }), { filters: [drop] });
    expect(result!.events.map((event) => event.doc.n)).toEqual([1, 3]);
    expect(result!.dropped).toBe(1);
    expect(result!.records).toBe(3);
  });

  it.each([
    ['a record at the resume point', 2, [3, 4]],
    ['every record', 4, []],
  ])(
    'emits, dead-letters and counts nothing at or before the resume point when resuming after %s',
    async (_what, resumeAfter, expected) => {
      const results = await runLoop('{"n":1}\n{bad\n{"n":3}\n{"n":4}\n', { resumeAfter });
      const events = results.flatMap((result) => result?.events ?? []);
      expect(events.map((event) => event.doc.n)).toEqual(expected);
      expect(results.flatMap((result) => result?.failures ?? [])).toEqual([]);
    },
  );

  it('returns null for batches wholly at or before the resume point when a header parser re-reads them', async () => {
    const text = fixture('vpc-flow-custom.log');
    const results = await runLoop(text, {
      parser: createParserFactory({ type: 'vpc_flow' }),
      resumeAfter: 2,
      batchRecords: 1,
    });
    expect(results.slice(0, 2)).toEqual([null, null]);
    const events = results.flatMap((result) => result?.events ?? []);
    // Record 3 is still named by the file's own header (pkt_srcaddr, tcp_flags), read again on resume.
    expect(events).toEqual([expect.objectContaining({ origin: expect.objectContaining({ record: 3 }) })]);
    expect(events[0]!.doc).toMatchObject({ srcport: 5001, pkt_srcaddr: '10.0.0.62', tcp_flags: 18 });
  });

  it.each(parserTypes.map((type) => [type, type === 'cloudfront' || type === 'vpc_flow']))(
    'tells framing to skip the acknowledged records unread unless the %s parser reads headers (%s)',
    (type, readsHeaders) => {
      const loop = new RecordLoop({
        parser: createParserFactory({ type } as ParserConfig),
        filters: [],
        object,
        resumeAfter: 500,
        maxRecordBytes: 64,
      });
      expect(loop.framing).toEqual({ maxRecordBytes: 64, startAfterRecord: readsHeaders ? 0 : 500 });
    },
  );
});
