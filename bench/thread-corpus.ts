/**
 * The corpus of bench/worker-threads.ts, and what its main thread does with the bytes. ALB
 * objects are streamed as a 20,000-line gzip member repeated (multi-member gzip), so no object's
 * size is ever held in memory and peak RSS is what the path itself costs, whatever its size.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { generateObject } from './generate-logs.js';
import { RAW_CHUNK_BYTES } from './hot-path.js';

export const POOL_LINES = 20_000;

export interface Corpus {
  member: Buffer;
  /** Uncompressed bytes of one member. */
  memberBytes: number;
}

export function buildCorpus(): Corpus {
  const text = Buffer.from(generateObject('alb', POOL_LINES, 7));
  return { member: gzipSync(text), memberBytes: text.length };
}

/** One object of `members` members, as S3 hands its body over: chunks of 64 KiB. */
export function objectStream(member: Buffer, members: number): Readable {
  async function* raw(): AsyncGenerator<Buffer> {
    for (let m = 0; m < members; m++) {
      for (let i = 0; i < member.length; i += RAW_CHUNK_BYTES) yield member.subarray(i, i + RAW_CHUNK_BYTES);
    }
  }
  return Readable.from(raw(), { objectMode: false });
}

/** Line ends in `bytes` (ALB has no lone CR: the bench's corpus is LF only). */
export function countLines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

/** Encoded bytes become request bodies as the output would send them: one copy per flush_bytes. */
export class BodyCopies {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private total = 0;
  constructor(private readonly flushBytes: number) {}

  add(body: Uint8Array): void {
    this.pending.push(body);
    this.pendingBytes += body.length;
    if (this.pendingBytes >= this.flushBytes) this.flush();
  }

  finish(): number {
    this.flush();
    return this.total;
  }

  private flush(): void {
    if (this.pendingBytes > 0) this.total += Buffer.concat(this.pending, this.pendingBytes).length;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
