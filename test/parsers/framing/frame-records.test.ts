import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { frameRecords } from '../../../src/parsers/framing/frame-records.js';
import type { FramedBatch } from '../../../src/parsers/framing/framed-batch.js';
import { forceGc } from '../../helpers/force-gc.js';

/** A stream delivering `bytes` in chunks of `size`, to cut lines at every possible place. */
function chunked(bytes: Buffer | string, size: number): Readable {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

async function collect(
  input: Buffer | string,
  framing: 'lines' | 'document',
  options: { maxRecordBytes?: number; startAfterRecord?: number; batchRecords?: number; chunk?: number } = {},
): Promise<FramedBatch[]> {
  const batches: FramedBatch[] = [];
  const stream = chunked(input, options.chunk ?? 65536);
  for await (const batch of frameRecords(stream, framing, {
    maxRecordBytes: options.maxRecordBytes ?? 1024,
    startAfterRecord: options.startAfterRecord,
    batchRecords: options.batchRecords,
  })) {
    batches.push(batch);
  }
  return batches;
}

/** Records as [number, text] pairs across all batches. */
function flatten(batches: FramedBatch[]): [number, string][] {
  return batches.flatMap((b) => b.records.map((r, i) => [b.recordNumbers[i]!, r] as [number, string]));
}

describe('frameRecords (lines)', () => {
  it.each([
    ['an empty object', '', []],
    [
      'LF lines',
      'a\nb\nc\n',
      [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ],
    ],
    [
      'CRLF lines',
      'a\r\nb\r\nc\r\n',
      [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ],
    ],
    [
      'no trailing newline',
      'a\nb\nc',
      [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ],
    ],
    [
      'no trailing newline after CRLF lines',
      'a\r\nb\r\nc\r',
      [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ],
    ],
    [
      'empty lines',
      '\na\n\n\r\nb\n\n',
      [
        [2, 'a'],
        [5, 'b'],
      ],
    ],
    ['a lone newline', '\n', []],
    [
      'CR-only line ends (old Mac-style files)',
      'a\rb\rc\r',
      [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ],
    ],
    [
      'a lone CR between two LF lines',
      'a\rb\n',
      [
        [1, 'a'],
        [2, 'b'],
      ],
    ],
    [
      'mixed CR, LF and CRLF line ends',
      'a\rb\nc\r\nd\n\re\r\rf',
      [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
        [4, 'd'],
        [6, 'e'],
        [8, 'f'],
      ],
    ],
    [
      'CR line ends with empty lines',
      '\ra\r\r\r\nb\r',
      [
        [2, 'a'],
        [5, 'b'],
      ],
    ],
    [
      'multi-byte characters',
      'café ☕\n日本語\n',
      [
        [1, 'café ☕'],
        [2, '日本語'],
      ],
    ],
  ])('emits numbered records when the object has %s', async (_name, input, expected) => {
    for (const chunk of [1, 2, 3, 7, 65536]) {
      expect(flatten(await collect(input, 'lines', { chunk }))).toEqual(expected);
    }
  });

  it('counts a CRLF as one line end when a chunk boundary falls between its CR and LF', async () => {
    const chunks = [
      Buffer.from('a\r'),
      Buffer.alloc(0),
      Buffer.from('\nb\r'),
      Buffer.from('\r\nc\r'),
      Buffer.from('d'),
    ];
    const batches: FramedBatch[] = [];
    for await (const batch of frameRecords(Readable.from(chunks), 'lines', { maxRecordBytes: 1024 })) {
      batches.push(batch);
    }
    expect(flatten(batches)).toEqual([
      [1, 'a'],
      [2, 'b'],
      [4, 'c'],
      [5, 'd'],
    ]);
    expect(batches.at(-1)!.lastRecord).toBe(5);
  });

  it('resumes after every record at the same line whatever the line ends and chunking when CR, LF and CRLF mix', async () => {
    const ends = ['\r', '\n', '\r\n'];
    const lines = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? '' : `line-${i + 1}`));
    const input = lines.map((line, i) => `${line}${ends[(i * 5) % 3]}`).join('');
    const whole = flatten(await collect(input, 'lines'));
    expect(whole).toEqual(lines.flatMap((line, i) => (line ? [[i + 1, line]] : [])));
    for (const chunk of [1, 2, 5, 11]) {
      for (let resume = 0; resume <= lines.length; resume++) {
        const resumed = flatten(await collect(input, 'lines', { startAfterRecord: resume, chunk, batchRecords: 4 }));
        expect(resumed, `resume after ${resume}, chunks of ${chunk}`).toEqual(whole.filter(([n]) => n > resume));
      }
    }
  });

  it('reports a line over maxRecordBytes by its size without the CR when lines end with a lone CR', async () => {
    const input = `ok\r${'x'.repeat(300)}\r${'y'.repeat(100)}\rlast`;
    for (const chunk of [1, 7, 64, 65536]) {
      const batches = await collect(input, 'lines', { maxRecordBytes: 100, chunk });
      expect(flatten(batches)).toEqual([
        [1, 'ok'],
        [3, 'y'.repeat(100)],
        [4, 'last'],
      ]);
      expect(batches.flatMap((b) => b.oversized)).toEqual([{ record: 2, bytes: 300 }]);
    }
  });

  it('reports lastRecord covering trailing empty lines when the object ends with them', async () => {
    const batches = await collect('a\n\n\n', 'lines');
    expect(batches.at(-1)!.lastRecord).toBe(3);
  });

  it('yields nothing when the object is empty', async () => {
    expect(await collect('', 'lines')).toEqual([]);
  });

  it('batches records with contiguous coverage when there are more than batchRecords', async () => {
    const input = `${Array.from({ length: 25 }, (_, i) => `r${i + 1}`).join('\n')}\n`;
    const batches = await collect(input, 'lines', { batchRecords: 10, chunk: 13 });
    expect(batches.map((b) => [b.firstRecord, b.lastRecord, b.records.length])).toEqual([
      [1, 10, 10],
      [11, 20, 10],
      [21, 25, 5],
    ]);
    expect(flatten(batches).map(([n]) => n)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it.each([
    [
      0,
      [
        [1, 'a'],
        [2, 'b'],
        [4, 'd'],
        [5, 'e'],
      ],
    ],
    [
      2,
      [
        [4, 'd'],
        [5, 'e'],
      ],
    ],
    [
      3,
      [
        [4, 'd'],
        [5, 'e'],
      ],
    ],
    [4, [[5, 'e']]],
    [5, []],
    [9, []],
  ])('skips records up to %i when resuming with startAfterRecord', async (startAfter, expected) => {
    for (const chunk of [1, 4, 65536]) {
      const batches = await collect('a\nb\n\nd\ne', 'lines', { startAfterRecord: startAfter, chunk });
      expect(flatten(batches)).toEqual(expected);
      if (batches.length > 0) expect(batches[0]!.firstRecord).toBe(startAfter + 1);
    }
  });

  it('does not decode skipped lines when they are not valid UTF-8 or too long', async () => {
    const input = Buffer.concat([Buffer.from([0xff, 0xfe, 0x0a]), Buffer.alloc(5000, 'x'), Buffer.from('\nok\n')]);
    const batches = await collect(input, 'lines', { startAfterRecord: 2, maxRecordBytes: 100, chunk: 64 });
    expect(flatten(batches)).toEqual([[3, 'ok']]);
    expect(batches.flatMap((b) => b.oversized)).toEqual([]);
    expect(batches.flatMap((b) => b.invalidUtf8)).toEqual([]);
  });

  it('reports a huge line with its number and size instead of emitting it', async () => {
    const huge = 'h'.repeat(10_000);
    const input = `first\n${huge}\r\nlast\n${huge}`;
    for (const chunk of [100, 999, 65536]) {
      const batches = await collect(input, 'lines', { maxRecordBytes: 1000, chunk });
      expect(flatten(batches)).toEqual([
        [1, 'first'],
        [3, 'last'],
      ]);
      expect(batches.flatMap((b) => b.oversized)).toEqual([
        { record: 2, bytes: 10_000 },
        { record: 4, bytes: 10_000 },
      ]);
      expect(batches.at(-1)!.lastRecord).toBe(4);
    }
  });

  it('keeps a line of exactly maxRecordBytes when it ends with CRLF', async () => {
    const line = 'x'.repeat(100);
    const batches = await collect(`${line}\r\n${line}x\r\n`, 'lines', { maxRecordBytes: 100, chunk: 30 });
    expect(flatten(batches)).toEqual([[1, line]]);
    expect(batches.flatMap((b) => b.oversized)).toEqual([{ record: 2, bytes: 101 }]);
  });

  it('holds memory bounded when a single line is far larger than maxRecordBytes', async () => {
    const gc = forceGc();
    gc();
    const before = process.memoryUsage().arrayBuffers;
    let held = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      // Fresh buffers, as a real stream gives: holding on to them would show in arrayBuffers.
      for (let i = 0; i < 1600; i++) {
        // Every 8 MiB, what is still reachable after a full collection (garbage would count otherwise).
        if (i % 128 === 127) {
          gc();
          held = Math.max(held, process.memoryUsage().arrayBuffers - before);
        }
        yield Buffer.alloc(64 * 1024, 'z'); // 100 MiB, one line
      }
      yield Buffer.from('\nafter\n');
    }
    const batches: FramedBatch[] = [];
    for await (const b of frameRecords(endless(), 'lines', { maxRecordBytes: 1024 * 1024 })) batches.push(b);
    // Holding the line would reach 100 MiB; the framer may keep one record's bound (1 MiB) and a chunk.
    expect(held).toBeLessThan(16 * 1024 * 1024);
    expect(batches.flatMap((b) => b.oversized)).toEqual([{ record: 1, bytes: 1600 * 64 * 1024 }]);
    expect(flatten(batches)).toEqual([[2, 'after']]);
  });

  it('decodes invalid UTF-8 with replacement characters and flags the record when bytes are invalid', async () => {
    const input = Buffer.concat([
      Buffer.from('good\n'),
      Buffer.from([0x62, 0x61, 0x64, 0xff, 0x0a]),
      Buffer.from('real \uFFFD replacement\n'),
      Buffer.from([0xe2, 0x82]), // truncated 3-byte sequence at the end
    ]);
    for (const chunk of [1, 65536]) {
      const batches = await collect(input, 'lines', { chunk });
      expect(flatten(batches)).toEqual([
        [1, 'good'],
        [2, 'bad\uFFFD'],
        [3, 'real \uFFFD replacement'],
        [4, '\uFFFD'],
      ]);
      expect(batches.flatMap((b) => b.invalidUtf8)).toEqual([2, 4]);
    }
  });
});

describe('frameRecords (document)', () => {
  it('yields the whole object as record 1 when it fits', async () => {
    const doc = '{"Records":[\n{"a":1},\n{"b":2}\n]}\n';
    for (const chunk of [1, 5, 65536]) {
      const batches = await collect(doc, 'document', { chunk });
      expect(batches).toEqual([
        { records: [doc], recordNumbers: [1], firstRecord: 1, lastRecord: 1, oversized: [], invalidUtf8: [] },
      ]);
    }
  });

  it('yields nothing when the object is empty', async () => {
    expect(await collect('', 'document')).toEqual([]);
  });

  it('reports the document as oversized when it exceeds maxRecordBytes', async () => {
    const batches = await collect('x'.repeat(5000), 'document', { maxRecordBytes: 1000, chunk: 300 });
    expect(batches).toEqual([
      {
        records: [],
        recordNumbers: [],
        firstRecord: 1,
        lastRecord: 1,
        oversized: [{ record: 1, bytes: 5000 }],
        invalidUtf8: [],
      },
    ]);
  });

  it('skips the document when resuming after record 1', async () => {
    expect(await collect('{"Records":[]}', 'document', { startAfterRecord: 1 })).toEqual([]);
  });

  it('flags the document when its bytes are not valid UTF-8', async () => {
    const batches = await collect(Buffer.from([0x7b, 0xc3, 0x7d]), 'document');
    expect(batches[0]!.records).toEqual(['{\uFFFD}']);
    expect(batches[0]!.invalidUtf8).toEqual([1]);
  });
});
