import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NO_FACTS } from '../../../src/parsers/framing/frame-json.js';
import { frameRecords } from '../../../src/parsers/framing/frame-records.js';
import type { FramedBatch } from '../../../src/parsers/framing/framed-batch.js';
import { FACT_DEPTH_MASK } from '../../../src/parsers/framing/scan-json-text.js';
import { fixture } from '../parse-helpers.js';

function chunked(bytes: Buffer | string, size: number): Readable {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

async function collect(
  input: Buffer | string,
  options: { maxRecordBytes?: number; startAfterRecord?: number; batchRecords?: number; chunk?: number } = {},
): Promise<FramedBatch[]> {
  const batches: FramedBatch[] = [];
  for await (const batch of frameRecords(chunked(input, options.chunk ?? 65536), 'json', {
    maxRecordBytes: options.maxRecordBytes ?? 1024,
    startAfterRecord: options.startAfterRecord,
    batchRecords: options.batchRecords,
  })) {
    batches.push(batch);
  }
  return batches;
}

function flatten(batches: FramedBatch[]): [number, string][] {
  return batches.flatMap((b) => b.records.map((r, i) => [b.recordNumbers[i]!, r] as [number, string]));
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

describe('frameRecords (json)', () => {
  it('numbers NDJSON records exactly as the lines framing does when each line is a document', async () => {
    const body = '{"a":1}\r\n\n{"b":2}\n  {"c":3}  \n\n\n{"d":4}';
    const lines = flatten(
      await (async () => {
        const out: FramedBatch[] = [];
        for await (const b of frameRecords(chunked(body, 5), 'lines', { maxRecordBytes: 1024 })) out.push(b);
        return out;
      })(),
    );
    expect(flatten(await collect(body, { chunk: 5 }))).toEqual(lines);
  });

  it.each([
    ['on one line', '{"a":1}{"b":2}\n', [1, 2]],
    ['on one line after the first line', '\n\n{"a":1} {"b":2}\n', [3, 4]],
    ['pretty-printed, one after another', `${pretty({ a: 1 })}\n${pretty({ b: [2] })}\n`, [1, 4]],
    ['pretty-printed and glued', `${pretty({ a: 1 })}${pretty({ b: 2 })}{"c":3}\n{"d":4}\n`, [1, 3, 5, 6]],
  ])(
    'numbers documents by the line they start on, or the next free number, when they are %s',
    async (_n, body, numbers) => {
      expect(flatten(await collect(body)).map(([n]) => n)).toEqual(numbers);
    },
  );

  it('hands the scan facts of fast-path records to the parser and NO_FACTS for the others', async () => {
    const [batch] = await collect(`{"a":{"b":[1]}}\n${pretty({ a: 1 })}\n`);
    expect(batch!.records).toEqual(['{"a":{"b":[1]}}', pretty({ a: 1 })]);
    expect(batch!.hints![0]! & FACT_DEPTH_MASK).toBe(3);
    expect(batch!.hints![1]).toBe(NO_FACTS);
  });

  it.each([
    ['junk between documents', '{"a":1}\nhello\nworld\n{"b":2}\n', ['{"a":1}', 'hello\nworld', '{"b":2}']],
    ['junk after a document on its line', '{"a":1} trailing\n{"b":2}\n', ['{"a":1}', 'trailing', '{"b":2}']],
    ['an indented document after junk', 'x\n  {"a":1}\n{"b":2}\n', ['x\n  {"a":1}', '{"b":2}']],
    ['a stray closer', '}\n{"a":1}\n', ['}', '{"a":1}']],
    ['an unterminated document at the end', '{"a":1}\n{"b":[1,\n  2', ['{"a":1}', '{"b":[1,\n  2']],
    ['a raw line break in a string', '{"a":"x\ny"}\n{"b":2}\n', ['{"a":"x\ny"}', '{"b":2}']],
    [
      'a document broken in the middle of a pretty-printed run',
      `${pretty({ a: 1 })}\n{\n  "b": 1 2,\n  "c": [\n    {"d": 1}\n  ]\n}\n${pretty({ e: 1 })}`,
      [pretty({ a: 1 }), '{\n  "b": 1 2,\n  "c": [\n    {"d": 1}\n  ]\n}', pretty({ e: 1 })],
    ],
    [
      'a document cut where a value was due, the next one seen only later',
      '{"a":[\n{"b":1}\n{"c":2}\n',
      ['{"a":[', '{"b":1}', '{"c":2}'],
    ],
    [
      'a pretty-printed document cut where a value was due',
      `{\n  "a": {\n${pretty({ b: 1 })}\n${pretty({ c: 2 })}\n`,
      ['{\n  "a": {', pretty({ b: 1 }), pretty({ c: 2 })],
    ],
  ])('cuts %s into records that never split a valid document', async (_n, body, records) => {
    for (const chunk of [1, 3, 65536]) {
      expect(flatten(await collect(body, { chunk })).map(([, r]) => r)).toEqual(records);
    }
  });

  it('scans a document again at most once when every line looks like the start of one', async () => {
    const body = '{"a":\n'.repeat(2000);
    const records = flatten(await collect(body, { maxRecordBytes: 1 << 20 }));
    // The first line breaks off alone; the rest is one record found by the rescan, which never goes back.
    expect(records.map(([n]) => n)).toEqual([1, 2]);
  });

  it('reports a document over maxRecordBytes as oversized and frames the next one', async () => {
    const big = pretty({ a: 'x'.repeat(2000), b: [1, 2, 3] });
    const [batch] = await collect(`{"s":1}\n${big}\n{"t":2}\n${'{"u":"'}${'y'.repeat(3000)}"}\n{"v":3}\n`, {
      maxRecordBytes: 1024,
      chunk: 100,
    });
    expect(batch!.records).toEqual(['{"s":1}', '{"t":2}', '{"v":3}']);
    expect(batch!.recordNumbers).toEqual([1, 10, 12]);
    expect(batch!.oversized).toEqual([
      { record: 2, bytes: big.length },
      { record: 11, bytes: 3008 },
    ]);
  });

  it('marks records whose bytes are not UTF-8 and decodes them with U+FFFD', async () => {
    const body = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n{\n "b": "'),
      Buffer.from([0xc3]),
      Buffer.from('"\n}\n{"c":"é"}\n'),
    ]);
    const [batch] = await collect(body);
    expect(batch!.records).toEqual(['{"a":"\uFFFD\uFFFD"}', '{\n "b": "\uFFFD"\n}', '{"c":"é"}']);
    expect(batch!.invalidUtf8).toEqual([1, 2]);
  });

  it.each([1, 2, 65536])(
    'skips a byte order mark at the start of the stream when chunks are %i bytes',
    async (chunk) => {
      const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"Records":[]}\n')]);
      expect(flatten(await collect(body, { chunk }))).toEqual([[1, '{"Records":[]}']]);
    },
  );

  it('keeps bytes that only start like a byte order mark', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb]), Buffer.from('{"a":1}\n')]);
    const records = flatten(await collect(body, { chunk: 1 }));
    expect(records).toHaveLength(1);
    expect(records[0]![1]).toMatch(/^\uFFFD/);
  });

  it('resumes with the same numbers and skips what was acknowledged, in batches that cover every number', async () => {
    const example = fixture('waf-aws-example.json');
    const body = `{"n":1}\n${example}{"n":2}{"n":3}\nnot json\n{"n":4}\n`;
    const all = flatten(await collect(body, { maxRecordBytes: 65536 }));
    expect(all.map(([n]) => n)).toEqual([1, 2, 82, 83, 84, 85]);
    for (const startAfterRecord of [0, 1, 2, 82, 84, 85]) {
      const batches = await collect(body, { maxRecordBytes: 65536, startAfterRecord, batchRecords: 2, chunk: 7 });
      expect(flatten(batches)).toEqual(all.filter(([n]) => n > startAfterRecord));
      let next = startAfterRecord + 1;
      for (const batch of batches) {
        expect(batch.firstRecord).toBe(next);
        expect(batch.lastRecord).toBeGreaterThanOrEqual(batch.firstRecord);
        next = batch.lastRecord + 1;
      }
    }
  });

  it('holds a single long line in bounded memory when it has many documents', async () => {
    const body = `${'{"a":[1,2,3]}'.repeat(10_000)}\n`;
    const records = flatten(await collect(body, { maxRecordBytes: 1024, chunk: 4096 }));
    expect(records).toHaveLength(10_000);
    expect(records[9999]).toEqual([10_000, '{"a":[1,2,3]}']);
  });
});
