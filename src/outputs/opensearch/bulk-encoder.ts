import type { Doc } from '../../core/event.js';

/**
 * One `create` action and its source as bulk NDJSON. `create` (not `index`) makes a
 * replayed id a 409 instead of an overwrite, which is how duplicates are refused.
 */
export function encodeBulkCreate(index: string, id: string, doc: Doc): string {
  return `{"create":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)}}}\n${JSON.stringify(doc)}\n`;
}
