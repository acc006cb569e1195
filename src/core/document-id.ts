import { createHash } from 'node:crypto';
import type { Origin } from './event.js';

/**
 * The deterministic `_id` of an event: the same record of the same object version
 * always gets the same id, so a replay after a crash is a 409 in OpenSearch, not a duplicate.
 * The pipeline is not part of it on purpose: a backfill of the same objects lands on the same ids.
 */
export function documentId(origin: Origin): string {
  return createHash('sha256')
    .update(origin.bucket)
    .update('\0')
    .update(origin.key)
    .update('\0')
    .update(origin.etag)
    .update('\0')
    .update(String(origin.record))
    .update('\0')
    .update(String(origin.sub))
    .digest('base64url')
    .slice(0, 32);
}
