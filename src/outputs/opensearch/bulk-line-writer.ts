import type { Doc } from '../../core/event.js';
import { encodeBulkAction } from './bulk-encoder.js';

/** Slabs are this large: big enough that allocating one is rare, small enough that a retried item pins little. */
const SLAB_BYTES = 256 * 1024;

/**
 * Writes bulk action lines as UTF-8 bytes straight into shared slabs: each line is a view of
 * its slab, so the output never measures a string (Buffer.byteLength), joins a batch's strings
 * or has the client encode the joined body again. The bytes are exactly
 * `Buffer.from(encodeBulkAction(...))` (test/outputs/bulk-line-writer.test.ts compares them).
 *
 * A slab is never written twice: a line stays valid for as long as it is referenced, and a
 * slab is freed once no line of it is (BulkSender copies the lines it keeps for a retry).
 */
export class BulkLineWriter {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private used = 0;
  /** `{"create":{"_index":"name"` per action and index: names repeat for a whole day of events. */
  private readonly prefixes = { create: new Map<string, string>(), index: new Map<string, string>() };

  /** Throws what JSON.stringify throws (BigInt, cycle, nesting deeper than the stack). */
  write(action: 'create' | 'index', index: string, id: string | undefined, doc: Doc): Buffer {
    const json = JSON.stringify(doc);
    // A document JSON cannot hold (undefined at the top) is left to the string encoder's shape.
    if (typeof json !== 'string') return Buffer.from(encodeBulkAction(action, index, id, doc));
    const header = `${this.prefix(action, index)}${id === undefined ? '' : `,"_id":${JSON.stringify(id)}`}}}\n`;
    // At most 3 bytes per UTF-16 unit, so the line always fits once this much room is there.
    const room = (header.length + json.length) * 3 + 1;
    if (this.used + room > this.slab.length) {
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, room));
      this.used = 0;
    }
    const slab = this.slab;
    const start = this.used;
    // Buffer#write (UTF-8): on Node 20 it is several times faster than utf8Write.
    let end = start + slab.write(header, start);
    end += slab.write(json, end);
    slab[end++] = 0x0a;
    this.used = end;
    return slab.subarray(start, end);
  }

  private prefix(action: 'create' | 'index', index: string): string {
    const prefixes = this.prefixes[action];
    let prefix = prefixes.get(index);
    if (prefix === undefined) {
      prefix = `{"${action}":{"_index":${JSON.stringify(index)}`;
      if (prefixes.size >= 1024) prefixes.clear();
      prefixes.set(index, prefix);
    }
    return prefix;
  }
}

/**
 * One request body of the lines: the slab bytes themselves when the lines lie end to end in
 * one slab (no copy), else one copy of each line.
 */
export function bulkBody(lines: readonly Buffer[]): Buffer {
  const first = lines[0];
  if (first === undefined) return Buffer.alloc(0);
  let end = first.byteOffset + first.length;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined || line.buffer !== first.buffer || line.byteOffset !== end) return Buffer.concat(lines);
    end += line.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}
