import type { Doc } from '../core/event.js';

/** Adds a tag to the doc's `tags` array once (Logstash's convention for failures); a scalar `tags` becomes an array. */
export function addTag(doc: Doc, tag: string): void {
  const tags = doc.tags;
  if (Array.isArray(tags)) {
    if (!tags.includes(tag)) tags.push(tag);
  } else if (tags === undefined || tags === null) {
    doc.tags = [tag];
  } else if (tags !== tag) {
    doc.tags = [tags, tag];
  } else {
    doc.tags = [tag];
  }
}
