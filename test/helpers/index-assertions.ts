import { testOpenSearchClient } from './services.js';

/** Documents in the indices matching `pattern` (optionally matching `query`), after a refresh; 0 when none exist yet. */
export async function documentCount(pattern: string, query?: Record<string, unknown>): Promise<number> {
  const opensearch = testOpenSearchClient();
  await opensearch.indices.refresh({ index: pattern }).catch(() => undefined);
  const response = await opensearch.count({ index: pattern, ...(query ? { body: { query } } : {}) }).catch(() => null);
  return response ? Number(response.body.count) : 0;
}

/**
 * Trace ids stored more than once (at most 10; the generated ALB lines give every record its own).
 * Exact on a single-shard index: a terms aggregation with min_doc_count 2.
 */
export async function duplicateTraceIds(pattern: string): Promise<string[]> {
  const opensearch = testOpenSearchClient();
  await opensearch.indices.refresh({ index: pattern }).catch(() => undefined);
  const response = await opensearch.search({
    index: pattern,
    body: { size: 0, aggs: { twice: { terms: { field: 'trace_id.keyword', min_doc_count: 2, size: 10 } } } } as Record<
      string,
      unknown
    >,
  });
  const twice = response.body.aggregations?.twice as { buckets: Array<{ key: string }> } | undefined;
  if (!twice) throw new Error(`no aggregation in the response for ${pattern}`);
  return twice.buckets.map((bucket) => bucket.key);
}
