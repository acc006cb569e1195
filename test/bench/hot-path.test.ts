import type { Client } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { BulkBodies } from '../../bench/hot-path.js';
import type { LogEvent } from '../../src/core/event.js';
import { BatchEncoder } from '../../src/outputs/opensearch/batch-encoder.js';
import { opensearchOutputConfigSchema } from '../../src/outputs/opensearch/opensearch-config.js';
import { OpenSearchOutput } from '../../src/outputs/opensearch/opensearch-output.js';
import { componentContext } from '../helpers/component-context.js';

/** A client that keeps each bulk body and answers every item 201: what the output sends is under test. */
function recordingClient(bodies: Buffer[]): Client {
  return {
    bulk: async ({ body }: { body: Buffer }) => {
      // A copy: the output reuses the buffer once the request resolves.
      bodies.push(Buffer.from(body));
      const items = body
        .toString()
        .split('\n')
        .filter((line, i) => i % 2 === 0 && line !== '')
        .map(() => ({ create: { status: 201 } }));
      return { body: { items } };
    },
    close: async () => {},
  } as unknown as Client;
}

function events(count: number): LogEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    doc: { n: i, '@timestamp': `2024-05-0${1 + (i % 2)}T00:00:00.000Z`, text: 'é "quoted"' },
    origin: { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: i + 1, sub: 0, lastModified: 0 },
  }));
}

describe('BulkBodies', () => {
  it.each([
    ['flush_events', { flush_events: 3 }],
    ['flush_bytes', { flush_bytes: 1024, flush_events: 1000 }],
  ])(
    'builds byte for byte the bulk bodies the OpenSearch output sends when batches end on %s',
    async (_what, flush) => {
      const config = opensearchOutputConfigSchema.parse({
        type: 'opensearch',
        hosts: ['http://127.0.0.1:9'],
        index: 'logs-%{+YYYY.MM.dd}',
        flush_interval_ms: 60_000,
        ...flush,
      });
      const sent: Buffer[] = [];
      const ctx = componentContext({ pipeline: 'p' });
      const output = new OpenSearchOutput(config, ctx, recordingClient(sent));
      const batch = events(20);
      const written = output.write(batch);
      await output.close();
      await written;

      const eventPath = new BulkBodies(config, true);
      for (const event of batch) eventPath.add(event);
      eventPath.flush();
      // The encoded path: the batch as loop-and-encode.ts hands it over, in two parts.
      const encodedPath = new BulkBodies(config, true);
      const encoder = new BatchEncoder(config);
      const { pipeline, bucket, key, etag, lastModified } = batch[0]!.origin;
      const object = { pipeline, bucket, key, etag, lastModified };
      encodedPath.addEncoded(encoder.encode(batch.slice(0, 7)), object);
      encodedPath.addEncoded(encoder.encode(batch.slice(7)), object);
      encodedPath.flush();
      expect(sent.length).toBeGreaterThan(1);
      expect(eventPath.kept).toEqual(sent);
      expect(encodedPath.kept).toEqual(sent);
    },
  );
});
