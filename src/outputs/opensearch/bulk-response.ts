import { isRetryableStatus } from './request-failure.js';

/** OpenSearch's error object on one bulk item (test/fixtures/opensearch/ holds real ones). */
export interface BulkItemError {
  type?: string;
  reason?: string;
  caused_by?: { type?: string; reason?: string };
}

/**
 * The bulk response's `filter_path`: only what `classifyItem` reads of each item. OpenSearch
 * leaves out `_id`, `_version`, `result`, `_shards`, `_seq_no` and `_primary_term` (about 3/4
 * of a 5,000-item response, ~1 MB), which the client would otherwise receive and JSON-parse.
 * Every item has a status, so the items stay one per line sent.
 */
export const BULK_RESPONSE_FIELDS = 'items.*.status,items.*.error,items.*._index';

/** One item of a bulk response: `{ "<action>": { status, error? } }`, the action unwrapped. */
export interface BulkItemResult {
  _index?: string;
  status?: number;
  error?: BulkItemError;
}

/**
 * What became of one item:
 * - `stored`: 2xx.
 * - `duplicate`: 409 on `create`, the id is already stored (a replay), which is success.
 * - `retry`: 429 or 5xx: the cluster is busy or failing (es_/rejected_execution_exception,
 *   the flood-stage disk block TOO_MANY_REQUESTS/12, a shard unavailable); sent again.
 * - `rejected`: any other status: this document cannot be stored as it is, so it goes to the
 *   dead-letter with the reason, and the rest of the object goes on. That includes a mapping
 *   conflict and illegal arguments (400), a closed index (400 index_closed_exception) and an
 *   index an operator or ISM policy made read-only (403 cluster_block_exception FORBIDDEN/5 or
 *   /8). A blocked or closed index is chosen by the event's own date and stays so until
 *   someone acts: retrying would stall the pipeline on old events (a record-level fault must
 *   never stall an object: docs/GUARANTEES.md, "Failures and their levels"), while the dead-letter keeps them, with the reason,
 *   for a replay once the index is writable.
 * - `denied`: 401, or 403 `security_exception`: the user may not write to that index. That is
 *   the pipeline's setup, not the document: every later event for the index would be refused
 *   the same way, so the write fails as a permission fault (ERR_OUTPUT_FORBIDDEN, pipeline
 *   level: the pipeline pauses, nothing is dead-lettered or marked done) until a role allows it.
 */
export type ItemOutcome =
  | { outcome: 'stored'; status: number }
  | { outcome: 'duplicate'; status: number }
  | { outcome: 'retry'; status: number; reason: string }
  | { outcome: 'rejected'; status: number; reason: string }
  | { outcome: 'denied'; status: number; reason: string; index?: string };

/** A bulk response: one outcome per item sent, or a mismatch when the items do not line up. */
export type BulkVerdict = { kind: 'items'; items: ItemOutcome[] } | { kind: 'mismatch'; answered: number };

/** The reason of an item's failure in words fit for a log and a dead-letter entry. */
export function itemReason(error: BulkItemError | undefined, status: number): string {
  if (!error) return `HTTP ${status}`;
  const cause = error.caused_by ? ` (caused by ${error.caused_by.type}: ${error.caused_by.reason})` : '';
  return `${error.type ?? 'error'}: ${error.reason ?? 'no reason given'}${cause}`;
}

export function classifyItem(result: BulkItemResult): ItemOutcome {
  const status = result.status ?? 0;
  if (status >= 200 && status < 300) return { outcome: 'stored', status };
  if (status === 409) return { outcome: 'duplicate', status };
  const reason = itemReason(result.error, status);
  if (isRetryableStatus(status)) return { outcome: 'retry', status, reason };
  if (status === 401 || (status === 403 && result.error?.type === 'security_exception')) {
    return { outcome: 'denied', status, reason, ...(result._index ? { index: result._index } : {}) };
  }
  return { outcome: 'rejected', status, reason };
}

/** Classifies the body of a bulk response (HTTP 200) against the number of items sent. Pure. */
export function classifyBulkResponse(body: unknown, sent: number): BulkVerdict {
  const items = (body as { items?: unknown } | null | undefined)?.items;
  if (!Array.isArray(items) || items.length !== sent) {
    return { kind: 'mismatch', answered: Array.isArray(items) ? items.length : 0 };
  }
  return {
    kind: 'items',
    items: items.map((item: Record<string, BulkItemResult>) => classifyItem(Object.values(item ?? {})[0] ?? {})),
  };
}
