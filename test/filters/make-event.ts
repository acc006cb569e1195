import type { Doc, LogEvent } from '../../src/core/event.js';

/** An event as a parser would hand it to filters. */
export function makeEvent(doc: Doc): LogEvent {
  return {
    doc,
    origin: { pipeline: 'test', bucket: 'b', key: 'k', etag: 'e', record: 1, sub: 0, lastModified: 0 },
  };
}
