/**
 * Hot-path code as it was before a change, kept so `npm run bench:levers` times each change
 * against the code it replaced in one process. Copies, trimmed to what the ALB path runs;
 * never used by src/.
 */
import type { LogEvent } from '../src/core/event.js';
import { civilToIso, digitsAt, parseOffset } from '../src/filters/parse-timestamp.js';
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

/** parseIso8601 before 2026-12-02 (second session): every result built from its fields by civilToIso. */
export function parseIso8601Before(text: string): string | undefined {
  const year = digitsAt(text, 0, 4);
  if (year < 0 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (month < 0 || day < 0) return undefined;
  if (text.length === 10) return civilToIso(year, month, day, 0, 0, 0, 0, null);
  const separator = text.charCodeAt(10);
  if (separator !== 84 && separator !== 116 && separator !== 32) return undefined;
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  if (hour < 0 || minute < 0 || text.charCodeAt(13) !== 58) return undefined;
  let pos = 16;
  let second = 0;
  let millis = 0;
  if (text.charCodeAt(pos) === 58) {
    second = digitsAt(text, pos + 1, 2);
    if (second < 0) return undefined;
    pos += 3;
    const mark = text.charCodeAt(pos);
    if (mark === 46 || mark === 44) {
      pos++;
      const fractionStart = pos;
      let scale = 100;
      while (pos < text.length) {
        const digit = text.charCodeAt(pos) - 48;
        if (digit < 0 || digit > 9) break;
        millis += digit * scale;
        scale /= 10;
        pos++;
      }
      if (pos === fractionStart) return undefined;
      millis = Math.floor(millis);
    }
  }
  const offset = parseOffset(text, pos);
  if (offset === undefined) return undefined;
  return civilToIso(year, month, day, hour, minute, second, millis, offset);
}

/** What the geoip filter wrote into each event before 2026-12-02 (second session): a copy of its cached result. */
export function copiedGeoip(found: { location?: { lat: number; lon: number } }): object {
  return found.location ? { ...found, location: { ...found.location } } : { ...found };
}

/** What the user_agent filter wrote into each event before then: a copy of its cached result. */
export function copiedUserAgent(result: { os: object; device: object }): object {
  return { ...result, os: { ...result.os }, device: { ...result.device } };
}
