import { createHash, hash } from 'node:crypto';
import type { Origin } from './event.js';

/**
 * The deterministic `_id` of an event: the same record of the same object version
 * always gets the same id, so a replay after a crash is a 409 in OpenSearch, not a duplicate.
 * The pipeline is not part of it on purpose: a backfill of the same objects lands on the same ids.
 *
 * sha256(bucket \0 key \0 etag \0 record \0 sub), base64url, 32 characters (192 bits).
 * These ids are what every index already holds: changing the formula would make replays of
 * objects ingested before the change duplicates (test/core/document-id.test.ts pins them).
 */
export function documentId(origin: Origin): string {
  const input = `${origin.bucket}\0${origin.key}\0${origin.etag}\0${origin.record}\0${origin.sub}`;
  return sha256Base64url(input).slice(0, 32);
}

// The one-shot hash (Node >= 20.12) costs half of createHash + update + digest: no Hash object per id.
const sha256Base64url: (input: string) => string =
  typeof hash === 'function'
    ? (input) => hash('sha256', input, 'base64url')
    : (input) => createHash('sha256').update(input).digest('base64url');
