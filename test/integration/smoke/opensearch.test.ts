import { describe, expect, it } from 'vitest';
import { testOpenSearchClient, uniqueName } from '../../helpers/services.js';

describe('OpenSearch node', () => {
  const client = testOpenSearchClient();

  it('bulk-indexes documents and finds them by search when the index is new', async () => {
    const index = uniqueName('smoke');
    await client.indices.create({ index, body: { settings: { number_of_shards: 1, number_of_replicas: 0 } } });
    const body = [
      { create: { _index: index, _id: 'a' } },
      { message: 'hello world', status: 200 },
      { create: { _index: index, _id: 'b' } },
      { message: 'goodbye world', status: 503 },
    ];
    const bulk = await client.bulk({ body, refresh: 'true' });
    expect(bulk.body.errors).toBe(false);
    const replay = await client.bulk({ body, refresh: 'true' });
    expect(replay.body.items.map((item) => item.create?.status)).toEqual([409, 409]);
    const found = await client.search({ index, body: { query: { range: { status: { gte: 500 } } } } });
    expect(found.body.hits.hits.map((hit) => hit._id)).toEqual(['b']);
    const info = await client.info();
    expect(info.body.version.distribution).toBe('opensearch');
  });
});
