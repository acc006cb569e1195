/**
 * The corpus of bench/worker-threads.ts: ALB objects streamed as a 20,000-line gzip member
 * repeated (multi-member gzip), so no object's size is ever held in memory and peak RSS is
 * what the path itself costs, whatever the object's size.
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
