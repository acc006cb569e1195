import { documentCount, duplicateTraceIds } from './index-assertions.js';

/**
 * OpenSearch checks for end-to-end tests, bound to one index pattern: how many documents it
 * holds, and which trace ids (`Root=1-<object>-<line>`, see alb-data.ts) occur more than once.
 */
export class E2eIndex {
  constructor(readonly pattern: string) {}

  count(query?: Record<string, unknown>): Promise<number> {
    return documentCount(this.pattern, query);
  }

  /** Documents of one generated object: their trace ids start with `Root=1-<objectIndex>-`. */
  countObject(objectIndex: number): Promise<number> {
    return this.count({ prefix: { 'trace_id.keyword': `Root=1-${objectIndex}-` } });
  }

  /** Trace ids stored more than once (at most 10 shown); empty when no record is duplicated. */
  duplicateTraceIds(): Promise<string[]> {
    return duplicateTraceIds(this.pattern);
  }
}
