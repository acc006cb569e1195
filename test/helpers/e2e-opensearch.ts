import { testOpenSearchClient } from './services.js';

/**
 * OpenSearch checks for end-to-end tests: how many documents an index pattern holds, and
 * which trace ids (`Root=1-<object>-<line>`, see alb-data.ts) occur more than once.
 */
export class E2eIndex {
  private readonly client = testOpenSearchClient();

  constructor(readonly pattern: string) {}

  async count(query?: Record<string, unknown>): Promise<number> {
    await this.client.indices.refresh({ index: this.pattern }).catch(() => undefined);
    const response = await this.client
      .count({ index: this.pattern, ...(query ? { body: { query } } : {}) })
      .catch(() => null);
    return response ? Number(response.body.count) : 0;
  }

  /** Documents of one generated object: their trace ids start with `Root=1-<objectIndex>-`. */
  countObject(objectIndex: number): Promise<number> {
    return this.count({ prefix: { 'trace_id.keyword': `Root=1-${objectIndex}-` } });
  }

  /** Trace ids stored more than once (at most 10 shown); empty when no record is duplicated. */
  async duplicateTraceIds(): Promise<string[]> {
    await this.client.indices.refresh({ index: this.pattern }).catch(() => undefined);
    const response = await this.client.search({
      index: this.pattern,
      body: {
        size: 0,
        aggs: { twice: { terms: { field: 'trace_id.keyword', min_doc_count: 2, size: 10 } } },
      } as Record<string, unknown>,
    });
    const twice = response.body.aggregations?.twice as { buckets: Array<{ key: string }> } | undefined;
    if (!twice) throw new Error(`no aggregation in the search response of ${this.pattern}`);
    return twice.buckets.map((bucket) => bucket.key);
  }
}
