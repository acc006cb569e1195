import type { Doc } from '../../core/event.js';

/**
 * One event's bulk NDJSON as two flat strings, the action line (with its newline) and the
 * document's JSON (without): the body writer copies both into the request buffer and adds the
 * newline, so no per-event string of the whole line is built, flattened and measured again.
 * The bytes are exactly those of `bulkLineText` (test/outputs/bulk-encoder.test.ts).
 */
export type BulkLine = TextLine | EncodedLine;

export interface TextLine {
  head: string;
  source: string;
}

/** A line a worker thread already wrote as UTF-8 (newline included): copied into the body as it is. */
export interface EncodedLine {
  encoded: Uint8Array;
}

// The action line up to its `_id`, per action by index: index names repeat for a whole day of events.
const prefixes = { create: new Map<string, string>(), index: new Map<string, string>() };
function headPrefix(action: 'create' | 'index', index: string): string {
  const byIndex = prefixes[action];
  let prefix = byIndex.get(index);
  if (prefix === undefined) {
    prefix = `{"${action}":{"_index":${JSON.stringify(index)}`;
    if (byIndex.size > 1024) byIndex.clear();
    byIndex.set(index, prefix);
  }
  return prefix;
}

// Deterministic ids are base64url: nothing in them needs a JSON escape, and each is one byte a character.
const PLAIN_ID = /^[A-Za-z0-9_-]*$/;

/** `}}\n` closing the action line. */
const HEAD_END = '}}\n';

/**
 * One bulk write action and its source; `id` undefined lets OpenSearch choose one (auto ids).
 * `create` (not `index`) makes a replayed id a 409 instead of an overwrite, which is how
 * duplicates are refused. Throws what JSON.stringify throws (BigInt, cycle, too deep).
 */
export function encodeBulkLine(action: 'create' | 'index', index: string, id: string | undefined, doc: Doc): TextLine {
  const source = JSON.stringify(doc);
  return { head: bulkHead(action, index, id), source };
}

/** The action line alone, newline included. */
export function bulkHead(action: 'create' | 'index', index: string, id: string | undefined): string {
  const prefix = headPrefix(action, index);
  if (id === undefined) return prefix + HEAD_END;
  const quotedId = PLAIN_ID.test(id) ? `"${id}"` : JSON.stringify(id);
  return `${prefix},"_id":${quotedId}${HEAD_END}`;
}

/** The UTF-8 bytes of the line (action line, source, newline). */
export function bulkLineBytes(line: BulkLine): number {
  if ('encoded' in line) return line.encoded.length;
  return Buffer.byteLength(line.head) + Buffer.byteLength(line.source) + 1;
}

/** The line as one string, exactly the bytes the body writer copies. */
export function bulkLineText(line: BulkLine): string {
  if ('encoded' in line)
    return Buffer.from(line.encoded.buffer, line.encoded.byteOffset, line.encoded.length).toString();
  return `${line.head}${line.source}\n`;
}

/** The line as one NDJSON string (benches and tests; the output writes `encodeBulkLine`'s parts). */
export function encodeBulkAction(action: 'create' | 'index', index: string, id: string | undefined, doc: Doc): string {
  return bulkLineText(encodeBulkLine(action, index, id, doc));
}
