import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DecompressError, type ErrorContext, errorMessage } from '../core/errors.js';

/**
 * Output chunks of 256 KiB (zlib's default is 16): each chunk is a round trip to libuv's thread
 * pool and back, so fewer of them cost less CPU in futexes and wake-ups; `sluice parse` of
 * 300,000 ALB lines measured ~5 % less CPU than at 64 KiB, 1 MiB no better and +40 MB RSS
 * (docs/BENCHMARKS.md).
 */
const GUNZIP_CHUNK_BYTES = 256 * 1024;

/** Errors raised by the raw (source) stream, so they are passed on as they are and not taken for bad gzip. */
const sourceErrors = new WeakSet<object>();

/**
 * The object's bytes, decompressed when they are gzip (magic bytes 1f 8b, whatever the
 * key's extension says) and passed through otherwise. Multi-member gzip (concatenated
 * members, as some writers append) yields every member. Corrupt or truncated gzip makes
 * the returned stream fail with a DecompressError carrying `context`; errors of `raw`
 * itself (an S3 read failing) are passed on unchanged. Streaming throughout: memory does
 * not grow with object size.
 */
export function decodeObjectStream(raw: Readable, context: ErrorContext): Readable {
  return Readable.from(decode(raw, context), { objectMode: false, highWaterMark: GUNZIP_CHUNK_BYTES });
}

async function* decode(raw: Readable, context: ErrorContext): AsyncGenerator<Buffer> {
  const source = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  // Peek: gather at least two bytes (a first chunk may be a single byte).
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await source.next();
    if (next.done) break;
    head = head.length === 0 ? toBuffer(next.value) : Buffer.concat([head, toBuffer(next.value)]);
  }
  if (head.length === 0) return;
  const isGzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (!isGzip) {
    yield head;
    for (let next = await source.next(); !next.done; next = await source.next()) yield toBuffer(next.value);
    return;
  }

  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  const feeding = pipeline(Readable.from(rest(head, source), { objectMode: false }), gunzip);
  // The pipeline's own rejection is seen through the iteration below; keep it from being unhandled.
  feeding.catch(() => {});
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
    await feeding.catch((error: unknown) => {
      // zlib ends its output by itself after the last member when only zero padding follows;
      // the feeding side then sees a premature close, which is not a fault of the data.
      if ((error as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
      throw error;
    });
  } catch (error) {
    if (typeof error === 'object' && error !== null && sourceErrors.has(error)) throw error;
    throw new DecompressError(`gzip data is corrupt or truncated: ${errorMessage(error)}`, context, error);
  } finally {
    if (!gunzip.destroyed) gunzip.destroy();
  }
}

/** The peeked head, then the rest of the source; a source failure is marked as such. */
async function* rest(head: Buffer, source: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  yield head;
  try {
    for (let next = await source.next(); !next.done; next = await source.next()) yield toBuffer(next.value);
  } catch (error) {
    if (typeof error === 'object' && error !== null) sourceErrors.add(error);
    throw error;
  }
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}
