import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { opensearchOutputConfigSchema } from '../../src/outputs/opensearch/opensearch-config.js';
import { OpenSearchOutput } from '../../src/outputs/opensearch/opensearch-output.js';

const ctx = { pipeline: 'p', logger: silentLogger(), metrics: new Metrics(), baseDir: '/' };
const origin = { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: 3, sub: 0, lastModified: 0 };

describe('OpenSearchOutput', () => {
  it('rejects the write with ERR_OUTPUT_ENCODE naming the record when a document holds a BigInt', async () => {
    const output = new OpenSearchOutput(
      opensearchOutputConfigSchema.parse({ type: 'opensearch', hosts: ['http://127.0.0.1:9'], index: 'x' }),
      ctx,
    );
    await expect(output.write([{ doc: { n: 1n }, origin }])).rejects.toMatchObject({
      code: 'ERR_OUTPUT_ENCODE',
      context: { key: 'k', record: 3 },
    });
    await output.close();
  });

  it('resolves an empty write at once and refuses writes after close', async () => {
    const output = new OpenSearchOutput(
      opensearchOutputConfigSchema.parse({ type: 'opensearch', hosts: ['http://127.0.0.1:9'], index: 'x' }),
      ctx,
    );
    expect(await output.write([])).toEqual({ stored: 0, duplicates: 0, deadLettered: 0 });
    await output.close();
    await expect(output.write([{ doc: {}, origin }])).rejects.toMatchObject({ code: 'ERR_OUTPUT_CLOSED' });
  });
});
