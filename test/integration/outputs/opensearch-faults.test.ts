import { afterAll, describe, expect, it } from 'vitest';
import { documentId } from '../../../src/core/document-id.js';
import { createOutput, outputConfigSchema } from '../../../src/outputs/index.js';
import { type BulkFault, type RunningProxy, startFaultProxy } from '../../helpers/proxies.js';
import { openSearchUrl, testOpenSearchClient, uniqueName } from '../../helpers/services.js';
import { albEvents, closeTestContexts, testContext } from './output-context.js';

const client = testOpenSearchClient();
const proxies: RunningProxy[] = [];
const bases: string[] = [];

afterAll(async () => {
  await closeTestContexts();
  await Promise.all(proxies.map((p) => p.close()));
  for (const base of bases) {
    await client.indices.delete({ index: `${base}-*` }).catch(() => undefined);
    await client.indices.deleteIndexTemplate({ name: base }).catch(() => undefined);
  }
});

async function setup(plan: BulkFault[], extra: Record<string, unknown> = {}) {
  const proxy = await startFaultProxy(openSearchUrl(), plan);
  proxies.push(proxy);
  const base = uniqueName('out-faults');
  bases.push(base);
  const config = outputConfigSchema.parse({
    type: 'opensearch',
    hosts: [proxy.url],
    index: `${base}-%{+YYYY.MM.dd}`,
    template: { kind: 'alb', number_of_replicas: 0, name: base },
    flush_events: 20,
    flush_interval_seconds: 0.02,
    retry_backoff: { initial_ms: 20, max_ms: 200 },
    ...extra,
  });
  return { proxy, base, config };
}

describe('OpenSearchOutput under faults', () => {
  it('rides out 429s, per-item 429s and dropped connections with nothing lost and nothing duplicated', async () => {
    const plan: BulkFault[] = ['429', '429', 'items-429', 'drop', '429', 'items-429', 'drop-after', 'items-429'];
    const { proxy, base, config } = await setup(plan);
    const t = testContext('faults');
    const output = createOutput(config, t.ctx);
    await output.start();
    const events = albEvents('faults', 'AWSLogs/1/faults.log.gz', ['2024-09-01'], 100);
    const reports = await Promise.all([
      output.write(events.slice(0, 50)),
      output.write(events.slice(50, 80)),
      output.write(events.slice(80)),
    ]);
    await output.close();

    const total = reports.reduce(
      (sum, r) => ({
        stored: sum.stored + r.stored,
        duplicates: sum.duplicates + r.duplicates,
        dead: sum.dead + r.deadLettered,
      }),
      { stored: 0, duplicates: 0, dead: 0 },
    );
    // A batch stored behind a dropped connection comes back as 409s: acknowledged as duplicates, never stored twice.
    expect(total.stored + total.duplicates).toBe(100);
    expect(total.dead).toBe(0);
    expect(total.duplicates).toBeGreaterThan(0);
    expect(proxy.stats['429']).toBe(3);
    expect(proxy.stats.drop).toBe(1);
    expect(proxy.stats['drop-after']).toBe(1);
    expect(proxy.stats.itemsRejected).toBeGreaterThan(0);
    expect(await t.counter('bulkRetries')).toBeGreaterThanOrEqual(plan.length);

    const index = `${base}-2024.09.01`;
    await client.indices.refresh({ index });
    expect((await client.count({ index })).body.count).toBe(100);
    const ids = await client.search({ index, body: { size: 200, _source: false, query: { match_all: {} } } });
    const stored = new Set(ids.body.hits.hits.map((hit) => hit._id));
    expect(stored).toEqual(new Set(events.map((e) => documentId(e.origin))));
    expect(t.logs()).toContain('retrying');
  });

  it('splits a batch in halves and stores it all when OpenSearch answers 413 request too large', async () => {
    const { proxy, base, config } = await setup(['413', '413'], { flush_events: 8 });
    const t = testContext('faults-413');
    const output = createOutput(config, t.ctx);
    await output.start();
    const events = albEvents('faults-413', 'AWSLogs/1/big.log.gz', ['2024-09-03'], 8);
    expect(await output.write(events)).toEqual({ stored: 8, duplicates: 0, deadLettered: 0 });
    await output.close();
    // 8 refused, then 4 refused, then 2 + 4 stored.
    expect(proxy.stats['413']).toBe(2);
    expect(proxy.stats.pass).toBe(3);
    const index = `${base}-2024.09.03`;
    await client.indices.refresh({ index });
    expect((await client.count({ index })).body.count).toBe(8);
  });

  it('dead-letters a single document that alone is too large for a request', async () => {
    const { config } = await setup(['413'], { flush_events: 1 });
    const t = testContext('faults-413-one');
    const output = createOutput(config, t.ctx);
    await output.start();
    const events = albEvents('faults-413-one', 'AWSLogs/1/huge.log.gz', ['2024-09-04'], 1);
    expect(await output.write(events)).toEqual({ stored: 0, duplicates: 0, deadLettered: 1 });
    expect(t.deadLettered()[0]).toMatchObject({ record: 1, reason: expect.stringMatching(/413.*exceeds/) });
    await output.close();
  });

  it('rejects the write saying the cluster keeps failing when retries run out', async () => {
    const { config } = await setup(['429', '429', '429', '429'], { max_retries: 2 });
    const t = testContext('faults-exhausted');
    const output = createOutput(config, t.ctx);
    await output.start();
    const events = albEvents('faults-exhausted', 'AWSLogs/1/x.log.gz', ['2024-09-02'], 5);
    await expect(output.write(events)).rejects.toMatchObject({
      code: 'ERR_OUTPUT_UNAVAILABLE',
      message: expect.stringMatching(/3 attempts.*429/),
    });
    await output.close();
  });

  it('fails the write as a permission fault and dead-letters nothing when OpenSearch denies items with security_exception', async () => {
    const { proxy, base, config } = await setup(['items-403'], { flush_events: 10 });
    const t = testContext('faults-403');
    const output = createOutput(config, t.ctx);
    await output.start();
    const events = albEvents('faults-403', 'AWSLogs/1/denied.log.gz', ['2024-09-05'], 10);
    const denied = await output.write(events).catch((error: unknown) => error);
    expect(denied).toMatchObject({
      code: 'ERR_OUTPUT_FORBIDDEN',
      level: 'pipeline',
      message: expect.stringMatching(new RegExp(`403.*index ${base}-2024\\.09\\.05.*security_exception`)),
      hint: expect.stringContaining('indices:data/write/bulk'),
    });
    expect(proxy.stats.itemsDenied).toBe(10);
    expect(t.deadLettered()).toEqual([]);
    expect(await t.counter('eventsDeadLettered')).toBe(0);
    // Once the role allows it, the same events are stored, once.
    expect(await output.write(events)).toEqual({ stored: 10, duplicates: 0, deadLettered: 0 });
    await output.close();
    const index = `${base}-2024.09.05`;
    await client.indices.refresh({ index });
    expect((await client.count({ index })).body.count).toBe(10);
  });
});
