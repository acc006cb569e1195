import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Filter, ParserFactory } from '../../src/core/components.js';
import { OutputError } from '../../src/core/errors.js';
import type { Doc, LogEvent } from '../../src/core/event.js';
import { fieldNaming } from '../../src/ecs/field-naming.js';
import { createDropFilter } from '../../src/filters/drop-filter.js';
import { FilterApplyError } from '../../src/filters/filter-apply-error.js';
import { createMutateFilter, mutateFilterSchema } from '../../src/filters/mutate-filter.js';
import { frameRecords } from '../../src/parsers/framing/frame-records.js';
import { createParserFactory, PARSER_TYPES, type ParserConfig } from '../../src/parsers/index.js';
import { type BatchResult, type LoopObject, RecordLoop } from '../../src/pipeline/record-loop.js';
import { fixture } from '../parsers/parse-helpers.js';

const object: LoopObject = { pipeline: 'p', bucket: 'b', key: 'k.log', etag: 'e1', lastModified: 1_700_000_000_000 };

/** Frames `body` as the worker does and runs every batch through one loop; null results are kept as null. */
async function runLoop(
  body: Buffer | string,
  options: {
    parser?: ParserFactory;
    filters?: Filter[];
    resumeAfter?: number;
    batchRecords?: number;
    maxRecordBytes?: number;
    rename?: (doc: Doc) => Doc;
  } = {},
): Promise<(BatchResult | null)[]> {
  const parser = options.parser ?? createParserFactory({ type: 'json_lines' });
  const loop = new RecordLoop({
    parser,
    filters: options.filters ?? [],
    object,
    resumeAfter: options.resumeAfter ?? 0,
    maxRecordBytes: options.maxRecordBytes ?? 4096,
    rename: options.rename,
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

/** A filter that throws `error` on the events `fails` picks, and tags the others. */
const throwing = (fails: (event: LogEvent) => boolean, error: unknown): Filter => ({
  type: 'boom',
  apply(event) {
    if (fails(event)) throw error;
    event.doc.seen = true;
    return true;
  },
});

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
      read: 2,
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

  describe('a CloudTrail file with one event that does not parse', () => {
    const good = (i: number) => JSON.stringify({ eventName: `E${i}`, eventTime: '2024-01-31T10:00:00Z' });
    const deep = `{"eventName":"BAD","requestParameters":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const cloudtrail = createParserFactory({ type: 'cloudtrail' });

    it('dead-letters that event alone, with the record, its index and its own text, and emits the others with the ids of a clean file', async () => {
      const [result] = await runLoop(`{"Records":[${good(0)},${deep},${good(2)}]}\n`, {
        parser: cloudtrail,
        maxRecordBytes: 1 << 20,
      });
      const [clean] = await runLoop(`{"Records":[${good(0)},${good(1)},${good(2)}]}\n`, { parser: cloudtrail });
      expect(result!.events.map((event) => event.doc.eventName)).toEqual(['E0', 'E2']);
      expect(result!.events.map((event) => event.origin)).toEqual([clean!.events[0]!.origin, clean!.events[2]!.origin]);
      expect(result!.failures).toEqual([
        expect.objectContaining({ record: 1, sub: 1, code: 'ERR_RECORD_PARSE', raw: deep }),
      ]);
      expect(result!.failures[0]!.reason).toContain('cloudtrail: Records[1]: the event nests 5001 levels deep');
      expect(result).toMatchObject({ records: 1, read: 1 });
    });

    it('carries the raw text of the file once with its first filter failure, beside the event that did not parse', async () => {
      const document = `{"Records":[${good(0)},{"a":1,"a":2},${good(2)},${good(3)}]}`;
      const [result] = await runLoop(document, {
        parser: cloudtrail,
        filters: [throwing((event) => event.origin.sub >= 2, new Error('no'))],
      });
      expect(result!.events.map((event) => event.origin.sub)).toEqual([0]);
      expect(result!.failures.map(({ sub, code, raw }) => [sub, code, raw])).toEqual([
        [1, 'ERR_RECORD_PARSE', '{"a":1,"a":2}'],
        [2, 'ERR_FILTER_APPLY', document],
        [3, 'ERR_FILTER_APPLY', undefined],
      ]);
      expect(result!.events.length + result!.failures.length).toBe(4);
    });

    it('emits and dead-letters nothing of it when resuming after its record', async () => {
      const results = await runLoop(`{"Records":[${good(0)},${deep}]}\n{"Records":[${good(5)}]}\n`, {
        parser: cloudtrail,
        resumeAfter: 1,
        maxRecordBytes: 1 << 20,
      });
      const events = results.flatMap((result) => result?.events ?? []);
      expect(events.map((event) => [event.origin.record, event.doc.eventName])).toEqual([[2, 'E5']]);
      expect(results.flatMap((result) => result?.failures ?? [])).toEqual([]);
    });
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

  describe('when a filter throws on an event', () => {
    it('dead-letters that record with the code, reason and raw text, and goes on with the batch', async () => {
      const error = new FilterApplyError('cannot render %{[x]}: nested too deeply', { field: '[x]' });
      const [result] = await runLoop(lines({ n: 1 }, { n: 2 }, { n: 3 }), {
        filters: [throwing((event) => event.doc.n === 2, error)],
      });
      expect(result!.events.map((event) => event.doc)).toEqual([
        { n: 1, seen: true },
        { n: 3, seen: true },
      ]);
      expect(result!.failures).toEqual([
        {
          pipeline: 'p',
          bucket: 'b',
          key: 'k.log',
          etag: 'e1',
          record: 2,
          code: 'ERR_FILTER_APPLY',
          reason: 'boom filter: cannot render %{[x]}: nested too deeply',
          raw: '{"n":2}',
          at: expect.any(String),
        },
      ]);
      expect(result!.records).toBe(3);
      expect(result!.read).toBe(3);
    });

    it.each([
      ['a RangeError (stack overflow)', new RangeError('Maximum call stack size exceeded'), 'ERR_FILTER_APPLY'],
      ['a TypeError (a bug)', new TypeError("Cannot read properties of undefined (reading 'x')"), 'ERR_FILTER_APPLY'],
      ['a thrown string', 'plain string', 'ERR_FILTER_APPLY'],
      ['a record-level error of another kind', new OutputError('ERR_OUTPUT_ENCODE', 'a BigInt'), 'ERR_OUTPUT_ENCODE'],
    ])('keeps the record level and names the filter when it throws %s', async (_what, error, code) => {
      const [result] = await runLoop(lines({ n: 1 }, { n: 2 }), {
        filters: [throwing((event) => event.doc.n === 1, error)],
      });
      expect(result!.events.map((event) => event.doc.n)).toEqual([2]);
      expect(result!.failures).toEqual([
        expect.objectContaining({ record: 1, code, reason: expect.stringMatching(/^boom filter: /), raw: '{"n":1}' }),
      ]);
    });

    it('fails the batch when the error is of the pipeline level', async () => {
      const error = new OutputError('ERR_DEAD_LETTER_WRITE', 'disk full');
      await expect(runLoop(lines({ n: 1 }), { filters: [throwing(() => true, error)] })).rejects.toBe(error);
    });

    it('stops the chain at the filter that threw, so later filters never see the event', async () => {
      const later: Filter = {
        type: 'later',
        apply(event) {
          event.doc.later = true;
          return true;
        },
      };
      const [result] = await runLoop(lines({ n: 1 }, { n: 2 }), {
        filters: [throwing((event) => event.doc.n === 1, new Error('no')), later],
      });
      expect(result!.events.map((event) => event.doc)).toEqual([{ n: 2, seen: true, later: true }]);
      expect(result!.failures.map((failure) => failure.record)).toEqual([1]);
    });

    it('dead-letters the event a mutate template cannot render when its value is nested 5,000 levels deep', async () => {
      const mutate = createMutateFilter(mutateFilterSchema.parse({ type: 'mutate', add: { s: 'v=%{[v]}' } }));
      // The JSON parsers now refuse such nesting themselves (max_depth), so a parser of its own
      // hands the filter a value 5,000 levels deep: what reaches a filter from any parser.
      const nested = (): unknown[] => {
        const root: unknown[] = [];
        let current = root;
        for (let i = 1; i < 5000; i++) {
          const next: unknown[] = [];
          current.push(next);
          current = next;
        }
        return root;
      };
      const deepParser: ParserFactory = {
        type: 'deep',
        framing: 'lines',
        resumeReadsHeaders: false,
        forObject: () => ({ parse: (text) => [text === 'DEEP' ? { v: nested() } : JSON.parse(text)] }),
      };
      const [result] = await runLoop(`{"v":1}\nDEEP\n{"v":3}\n`, { parser: deepParser, filters: [mutate] });
      expect(result!.events.map((event) => event.doc.s)).toEqual(['v=1', 'v=3']);
      expect(result!.failures).toEqual([
        expect.objectContaining({ record: 2, code: 'ERR_FILTER_APPLY', reason: expect.stringContaining('too deeply') }),
      ]);
    });

    it('names each failed event of a record of many by sub and carries the raw text once when the record is a CloudTrail file', async () => {
      const document = JSON.stringify({ Records: [0, 1, 2, 3].map((i) => ({ eventName: `e${i}` })) });
      const [result] = await runLoop(document, {
        parser: createParserFactory({ type: 'cloudtrail' }),
        filters: [throwing((event) => event.origin.sub === 1 || event.origin.sub === 2, new Error('no'))],
      });
      expect(result!.events.map((event) => event.origin.sub)).toEqual([0, 3]);
      expect(result!.failures.map(({ record, sub }) => [record, sub])).toEqual([
        [1, 1],
        [1, 2],
      ]);
      expect(result!.failures[0]!.raw).toBe(document);
      expect(result!.failures[1]!.raw).toBeUndefined();
      expect(result!.read).toBe(1);
    });
  });

  it('renames kept events as the last step, after filters that use the parser names, when the schema is ecs', async () => {
    const seen: string[] = [];
    const watch: Filter = {
      type: 'watch',
      apply: (event) => {
        seen.push(Object.keys(event.doc).join(','));
        return event.doc.action !== 'ALLOW';
      },
    };
    const [result] = await runLoop(
      lines({ action: 'BLOCK', httpRequest: { clientIp: '192.0.2.1' } }, { action: 'ALLOW' }),
      {
        parser: createParserFactory({ type: 'waf' }),
        filters: [watch],
        rename: fieldNaming('ecs', 'waf')!.rename,
      },
    );
    expect(seen).toEqual(['action,httpRequest', 'action']);
    expect(result!.dropped).toBe(1);
    expect(result!.events).toHaveLength(1);
    expect(result!.events[0]!.doc).toMatchObject({ event: { action: 'BLOCK' }, source: { ip: '192.0.2.1' } });
    expect(result!.events[0]!.doc.action).toBeUndefined();
  });

  it('counts what it read apart from what parsed when records do not parse or are too long', async () => {
    const [result] = await runLoop(`{"n":1}\n{bad\n${JSON.stringify({ s: 'x'.repeat(5000) })}\n\n{"n":5}\n`);
    expect(result).toMatchObject({ records: 2, read: 4 });
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

  it.each(PARSER_TYPES.map((type) => [type, type === 'cloudfront' || type === 'vpc_flow']))(
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
