import { afterAll, describe, expect, it } from 'vitest';
import { BULK_RESPONSE_FIELDS, classifyBulkResponse } from '../../../src/outputs/opensearch/bulk-response.js';
import { testOpenSearchClient, uniqueName } from '../../helpers/services.js';

const client = testOpenSearchClient();
const index = uniqueName('bulk-filter');

afterAll(async () => {
  await client.indices.delete({ index }).catch(() => undefined);
});

describe('the bulk response filter_path', () => {
  it('keeps every item with what classifyBulkResponse reads: the same outcomes and reasons as the whole response', async () => {
    await client.indices.create({
      index,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: { properties: { n: { type: 'long' } } },
      },
    });
    const lines = (ids: string[]) =>
      ids.flatMap((id) => [{ create: { _index: index, _id: id } }, { n: id === 'bad' ? 'not a number' : 1 }]);
    // First request stores a, b; the second meets a stored id (409), a mapping conflict (400) and a new c.
    const first = await client.bulk({ body: lines(['a', 'b']), filter_path: BULK_RESPONSE_FIELDS });
    // A stored item comes back as its index and status only (no _id, _version, _shards, _seq_no...).
    const stored = { create: { _index: index, status: 201 } };
    expect(first.body).toEqual({ items: [stored, stored] });
    expect(classifyBulkResponse(first.body, 2)).toEqual({
      kind: 'items',
      items: [
        { outcome: 'stored', status: 201 },
        { outcome: 'stored', status: 201 },
      ],
    });
    const second = lines(['a', 'bad', 'c', 'x']);
    const filtered = await client.bulk({ body: second, filter_path: BULK_RESPONSE_FIELDS });
    await client.indices.refresh({ index });
    await client.deleteByQuery({ index, body: { query: { ids: { values: ['c', 'x'] } } }, refresh: true });
    const whole = await client.bulk({ body: second });
    const verdict = classifyBulkResponse(filtered.body, 4);
    expect(verdict).toEqual(classifyBulkResponse(whole.body, 4));
    expect(verdict.kind === 'items' && verdict.items.map((item) => item.outcome)).toEqual([
      'duplicate',
      'rejected',
      'stored',
      'stored',
    ]);
  });
});
