/**
 * Hot-path code as it was before a change, kept so `npm run bench:levers` times each change
 * against the code it replaced in one process. Copies, trimmed to what the ALB path runs;
 * never used by src/.
 */
import type { LogEvent } from '../src/core/event.js';
import { sanitizeIndexName } from '../src/outputs/opensearch/index-name.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * compileIndexName for a pattern of text and one `%{+YYYY.MM.dd}` before 2026-12-02 (second
 * session): `Date.parse` of `@timestamp` per event, a `slot:hour` key per event into the
 * pattern's map, the name concatenated per event and looked up in the sanitized-name map.
 */
export function indexNameBefore(prefix: string): (event: LogEvent) => string {
  const cache = new Map<string, string>();
  const formatTime = (ms: number, slot: number): string => {
    const key = `${slot}:${Math.floor(ms / 3_600_000)}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const d = new Date(ms);
    const out = `${pad(d.getUTCFullYear(), 4)}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
    if (cache.size > 4096) cache.clear();
    cache.set(key, out);
    return out;
  };
  const eventTime = (event: LogEvent): number => {
    const value = event.doc['@timestamp'];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string') {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return ms;
    }
    return event.origin.lastModified;
  };
  const seen = new Map<string, string>();
  return (event) => {
    let raw = prefix;
    raw += formatTime(eventTime(event), 1);
    let name = seen.get(raw);
    if (name === undefined) {
      name = sanitizeIndexName(raw);
      if (seen.size > 4096) seen.clear();
      seen.set(raw, name);
    }
    return name;
  };
}
