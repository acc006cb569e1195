import type { Doc } from '../../core/event.js';

/**
 * One event's bulk NDJSON as two flat strings, the action line (with its newline) and the
 * document's JSON (without): the body writer copies both into the request buffer and adds the
 * newline, so no per-event string of the whole line is built, flattened and measured again.
 * The bytes are exactly those of `bulkLineText` (test/outputs/bulk-encoder.test.ts).
 */
export interface BulkLine {
  head: string;
  source: string;
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
export function encodeBulkLine(action: 'create' | 'index', index: string, id: string | undefined, doc: Doc): BulkLine {
  const source = JSON.stringify(doc);
  const prefix = headPrefix(action, index);
  if (id === undefined) return { head: prefix + HEAD_END, source };
  const quotedId = PLAIN_ID.test(id) ? `"${id}"` : JSON.stringify(id);
  return { head: `${prefix},"_id":${quotedId}${HEAD_END}`, source };
}

/** The UTF-8 bytes of the line (action line, source, newline). */
export function bulkLineBytes(line: BulkLine): number {
  return Buffer.byteLength(line.head) + Buffer.byteLength(line.source) + 1;
}

/** The line as one string, exactly the bytes the body writer copies. */
export function bulkLineText(line: BulkLine): string {
  return `${line.head}${line.source}\n`;
}

/** The line as one NDJSON string (benches and tests; the output writes `encodeBulkLine`'s parts). */
export function encodeBulkAction(action: 'create' | 'index', index: string, id: string | undefined, doc: Doc): string {
  return bulkLineText(encodeBulkLine(action, index, id, doc));
}
