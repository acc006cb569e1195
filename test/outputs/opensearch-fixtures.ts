import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A bulk response saved under test/fixtures/opensearch/ (see its README for how each was produced). */
export interface BulkFixture {
  note: string;
  request: string[];
  status: number;
  body: unknown;
}

const dir = join(import.meta.dirname, '../fixtures/opensearch');

export function bulkFixture(name: string): BulkFixture {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as BulkFixture;
}
