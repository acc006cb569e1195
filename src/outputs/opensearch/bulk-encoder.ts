import type { Doc } from '../../core/event.js';

// Index names repeat for a whole day of events: keep their JSON form instead of re-escaping per event.
const quotedIndex = new Map<string, string>();
function quoteIndex(index: string): string {
  let quoted = quotedIndex.get(index);
  if (quoted === undefined) {
    quoted = JSON.stringify(index);
    if (quotedIndex.size > 1024) quotedIndex.clear();
    quotedIndex.set(index, quoted);
  }
  return quoted;
}

/**
 * One bulk write action and its source as NDJSON; `id` undefined lets OpenSearch choose one
 * (auto ids). `create` (not `index`) makes a replayed id a 409 instead of an overwrite, which
 * is how duplicates are refused.
 */
export function encodeBulkAction(action: 'create' | 'index', index: string, id: string | undefined, doc: Doc): string {
  const idPart = id === undefined ? '' : `,"_id":${JSON.stringify(id)}`;
  return `{"${action}":{"_index":${quoteIndex(index)}${idPart}}}\n${JSON.stringify(doc)}\n`;
}
