import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DecompressError } from '../../src/core/errors.js';
import { decodeObjectStream } from '../../src/sources/decompress.js';

const context = { pipeline: 'p', bucket: 'b', key: 'k.gz' };

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A raw stream delivering `bytes` in chunks of `size` (1 exercises the two-byte peek across chunks). */
function chunked(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

/** Gzip of varied text cut short: a fraction of its length, or a number of bytes off its end. */
function truncated(cut: number): Buffer {
  const lines = Array.from({ length: 5000 }, (_, i) => `record ${i} ${(i * 7919) % 10007}`).join('\n');
  const gz = gzipSync(lines);
  return gz.subarray(0, cut < 0 ? gz.length + cut : Math.floor(gz.length * cut));
}

describe('decodeObjectStream', () => {
  const text = Buffer.from('line one\nline two\r\nline three');

  it.each([
    ['plain text', text, text],
    ['gzip', gzipSync(text), text],
    ['empty object', Buffer.alloc(0), Buffer.alloc(0)],
    ['gzip of empty text', gzipSync(Buffer.alloc(0)), Buffer.alloc(0)],
    ['a single byte', Buffer.from([0x1f]), Buffer.from([0x1f])],
    [
      'multi-member gzip',
      Buffer.concat([gzipSync('first member\n'), gzipSync('second member\n'), gzipSync('third')]),
      Buffer.from('first member\nsecond member\nthird'),
    ],
    ['gzip followed by zero padding', Buffer.concat([gzipSync(text), Buffer.alloc(16)]), text],
  ])('yields the decoded bytes when the object is %s', async (_name, input, expected) => {
    for (const size of [1, 3, 65536]) {
      expect(await collect(decodeObjectStream(chunked(input, size), context))).toEqual(expected);
    }
  });

  it('decodes large gzip objects in bounded chunks when the data spans many chunks', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 'abcdefghij\n');
    const stream = decodeObjectStream(chunked(gzipSync(big), 16 * 1024), context);
    let total = 0;
    let largest = 0;
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      largest = Math.max(largest, (chunk as Buffer).length);
    }
    expect(total).toBe(big.length);
    expect(largest).toBeLessThanOrEqual(256 * 1024);
  });

  it.each([
    ['truncated gzip', truncated(0.5)],
    ['gzip truncated inside its trailer', truncated(-4)],
    ['corrupt gzip', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(64, 0xff)])],
    ['gzip followed by bytes that are not gzip', Buffer.concat([gzipSync(text), Buffer.from('not gzip at all')])],
    ['gzip header with an unknown method', Buffer.from([0x1f, 0x8b, 0x63, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3])],
  ])('fails with DecompressError carrying the context when the object is %s', async (_name, input) => {
    const error = await collect(decodeObjectStream(chunked(input, 50), context)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecompressError);
    expect((error as DecompressError).code).toBe('ERR_DECOMPRESS');
    expect((error as DecompressError).context).toMatchObject(context);
  });

  it('passes the source error on unchanged when the raw stream fails mid-gzip', async () => {
    const gz = gzipSync(Buffer.alloc(200_000, 'y'));
    const failure = new Error('socket reset');
    const raw = Readable.from(
      (async function* () {
        yield gz.subarray(0, 100);
        throw failure;
      })(),
      { objectMode: false },
    );
    await expect(collect(decodeObjectStream(raw, context))).rejects.toBe(failure);
  });

  it('passes the source error on unchanged when the raw stream fails before any byte', async () => {
    const failure = new Error('access denied');
    const raw = Readable.from(
      // biome-ignore lint/correctness/useYield: a stream that fails before yielding anything
      (async function* () {
        throw failure;
      })(),
      { objectMode: false },
    );
    await expect(collect(decodeObjectStream(raw, context))).rejects.toBe(failure);
  });
});
