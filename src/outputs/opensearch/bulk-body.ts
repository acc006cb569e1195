import { type BulkLine, bulkLineText } from './bulk-encoder.js';

/** Kept buffers: one per request in flight (concurrency) covers the steady state. */
const MAX_FREE = 4;

const NEWLINE = 0x0a;

/** A request body and the reusable buffer it is written in. */
export interface FilledBody {
  body: Buffer;
  buffer: Buffer;
}

/**
 * Request bodies written as UTF-8 straight into reused buffers: each line's action line and
 * document JSON are copied once, into a buffer an earlier request gave back, instead of joining
 * them into one string (a copy the size of the body) that the client then measures and encodes
 * again. The bytes are exactly `Buffer.from(lines.map(bulkLineText).join(''))`
 * (test/outputs/bulk-body.test.ts).
 *
 * A buffer is reused only after the request that used it succeeded, so no byte of a request can
 * change while any part of the HTTP stack may still read it; after a failure it is dropped.
 */
export class BulkBodyBuffers {
  private readonly free: Buffer[] = [];

  /** The lines as one body; `bytes` is their UTF-8 length (the items' sum). */
  fill(lines: readonly BulkLine[], bytes: number): FilledBody {
    // Room for the longest UTF-8 character past `bytes`: had the count been short, the writes then
    // always run past it (a write stops only when the next character does not fit).
    const room = bytes + 4;
    let buffer = this.free.pop();
    // allocUnsafeSlow: never a slice of Node's shared pool, whose other slices a reuse would overwrite.
    if (buffer === undefined || buffer.length < room) buffer = Buffer.allocUnsafeSlow(room);
    let end = 0;
    for (const line of lines) {
      if ('encoded' in line) {
        // Written by a worker thread (newline included); a miscount shows as `end !== bytes` below.
        if (end + line.encoded.length <= buffer.length) buffer.set(line.encoded, end);
        end += line.encoded.length;
        continue;
      }
      end += buffer.write(line.head, end);
      end += buffer.write(line.source, end);
      if (end < buffer.length) buffer[end] = NEWLINE;
      end++;
    }
    // Miscounted (a bug elsewhere): send the lines as they are rather than bytes cut short.
    if (end !== bytes) return { body: Buffer.from(lines.map(bulkLineText).join('')), buffer };
    return { body: buffer.subarray(0, end), buffer };
  }

  /** The buffer may be written again: its request is over and succeeded. */
  giveBack(filled: FilledBody): void {
    if (this.free.length < MAX_FREE) this.free.push(filled.buffer);
  }

  /** Sends the lines as one body through `request`; the buffer is reused once it resolves. */
  async send<T>(lines: readonly BulkLine[], bytes: number, request: (body: Buffer) => Promise<T>): Promise<T> {
    const filled = this.fill(lines, bytes);
    const result = await request(filled.body);
    this.giveBack(filled);
    return result;
  }
}
