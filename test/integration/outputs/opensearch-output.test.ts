import { afterAll, describe, expect, it } from 'vitest';
import { documentId } from '../../../src/core/document-id.js';
import { createOutput, outputConfigSchema } from '../../../src/outputs/index.js';
import type { OpenSearchOutput } from '../../../src/outputs/opensearch/opensearch-output.js';
import { openSearchUrl, testOpenSearchClient, uniqueName } from '../../helpers/services.js';
import { albEvents, closeTestContexts, testContext } from './output-context.js';

const client = testOpenSearchClient();
const created: string[] = [];

function opensearchConfig(prefix: string, extra: Record<string, unknown> = {}) {
  const base = uniqueName(prefix);
  created.push(base);
  return outputConfigSchema.parse({
    type: 'opensearch',
    hosts: [openSearchUrl()],
    index: `${base}-%{+YYYY.MM.dd}`,
    template: { kind: 'alb', number_of_replicas: 0, name: base },
    flush_interval_seconds: 0.05,
    ...extra,
  });
}

async function count(index: string): Promise<number> {
  await client.indices.refresh({ index });
  return (await client.count({ index })).body.count;
}

afterAll(async () => {
  await closeTestContexts();
  for (const base of created) {
    await client.indices.delete({ index: `${base}-*`, expand_wildcards: 'all' }).catch(() => undefined);
    await client.indices.deleteIndexTemplate({ name: base }).catch(() => undefined);
  }
});

describe('OpenSearchOutput', () => {
  it('indexes every event under its deterministic id into the daily index of its own time when the template is installed', async () => {
    const t = testContext('alb-daily');
    const config = opensearchConfig('out-daily');
    const output = createOutput(config, t.ctx);
    await output.start();
    const events = albEvents('alb-daily', 'AWSLogs/1/a.log.gz', ['2024-03-01', '2024-03-02'], 15);
    const report = await output.write(events);
    expect(report).toEqual({ stored: 30, duplicates: 0, deadLettered: 0 });

    const base = (config as { index: string }).index.replace('-%{+YYYY.MM.dd}', '');
    expect(await count(`${base}-2024.03.01`)).toBe(15);
    expect(await count(`${base}-2024.03.02`)).toBe(15);
    const second = events[20]!;
    const got = await client.get({ index: `${base}-2024.03.02`, id: documentId(second.origin) });
    expect(got.body._source).toEqual(second.doc);
    const mapping = await client.indices.getMapping({ index: `${base}-2024.03.01` });
    const props = Object.values(mapping.body)[0]!.mappings.properties as Record<string, { type?: string }>;
    expect(props.client_ip?.type).toBe('ip');
    expect(props['@timestamp']?.type).toBe('date');
    expect(props.request_method?.type).toBe('keyword');
    expect(await t.counter('eventsIndexed')).toBe(30);
    await output.close();
  });

  it('adds nothing and counts duplicates when the same batch is replayed', async () => {
    const t = testContext('alb-replay');
    const config = opensearchConfig('out-replay');
    const events = albEvents('alb-replay', 'AWSLogs/1/b.log.gz', ['2024-04-10'], 25);
    const first = createOutput(config, t.ctx);
    await first.start();
    expect(await first.write(events)).toEqual({ stored: 25, duplicates: 0, deadLettered: 0 });
    await first.close();

    const replay = createOutput(config, t.ctx);
    await replay.start();
    expect(await replay.write(events)).toEqual({ stored: 0, duplicates: 25, deadLettered: 0 });
    await replay.close();
    const base = (config as { index: string }).index.replace('-%{+YYYY.MM.dd}', '');
    expect(await count(`${base}-2024.04.10`)).toBe(25);
    expect(await t.counter('eventsDuplicate')).toBe(25);
  });

  it('dead-letters only the event with a mapping conflict, with its reason and origin, and stores the rest', async () => {
    const t = testContext('alb-conflict');
    const config = opensearchConfig('out-conflict');
    const output = createOutput(config, t.ctx);
    await output.start();
    const events = albEvents('alb-conflict', 'AWSLogs/1/c.log.gz', ['2024-05-05'], 10);
    events[6]!.doc.sent_bytes = 'a lot';
    const report = await output.write(events);
    expect(report).toEqual({ stored: 9, duplicates: 0, deadLettered: 1 });
    const base = (config as { index: string }).index.replace('-%{+YYYY.MM.dd}', '');
    expect(await count(`${base}-2024.05.05`)).toBe(9);

    const entries = t.deadLettered();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      pipeline: 'alb-conflict',
      bucket: 'logs-bucket',
      key: 'AWSLogs/1/c.log.gz',
      etag: 'etag-1',
      record: 7,
      code: 'ERR_BULK_REJECTED',
      doc: events[6]!.doc,
    });
    expect(entries[0]!.reason).toMatch(/mapper_parsing_exception.*sent_bytes/);
    expect(await t.counter('eventsDeadLettered')).toBe(1);
    expect(t.logs()).toContain('went to the dead-letter');
    await output.close();
  });

  it('rejects the write with the reason when an event is refused and no dead-letter is configured', async () => {
    const t = testContext('alb-nodlq');
    const config = opensearchConfig('out-nodlq');
    const output = createOutput(config, { ...t.ctx, deadLetter: undefined });
    await output.start();
    const events = albEvents('alb-nodlq', 'AWSLogs/1/d.log.gz', ['2024-05-06'], 3);
    events[1]!.doc.client_ip = 'not-an-ip';
    await expect(output.write(events)).rejects.toMatchObject({
      code: 'ERR_BULK_REJECTED',
      context: { key: 'AWSLogs/1/d.log.gz', record: 2 },
    });
    await output.close();
  });

  it('shares bulk requests between concurrent writes when each write is small', async () => {
    const t = testContext('alb-share');
    const config = opensearchConfig('out-share', { flush_events: 40, flush_interval_seconds: 0.2 });
    const output = createOutput(config, t.ctx);
    await output.start();
    const events = albEvents('alb-share', 'AWSLogs/1/e.log.gz', ['2024-06-01'], 80);
    const reports = await Promise.all(events.map((event) => output.write([event])));
    expect(reports.every((r) => r.stored === 1)).toBe(true);
    // 80 writes of one event, 40 events a batch: two bulk requests, not eighty.
    expect(await t.bulkRequests()).toBe(2);
    await output.close();
  });

  it('keeps buffered bytes under the bound when writes arrive faster than bulks finish', async () => {
    const t = testContext('alb-bound');
    const config = opensearchConfig('out-bound', {
      flush_bytes: 2048,
      max_buffered_bytes: 6000,
      concurrency: 1,
      flush_interval_seconds: 0.005,
    });
    const output = createOutput(config, t.ctx) as OpenSearchOutput;
    await output.start();
    const events = albEvents('alb-bound', 'AWSLogs/1/f.log.gz', ['2024-06-02'], 200);
    let peak = 0;
    let done = false;
    const sample = () => {
      peak = Math.max(peak, output.pendingBytes);
      if (!done) setImmediate(sample);
    };
    sample();
    const writes = [];
    for (let i = 0; i < events.length; i += 10) writes.push(output.write(events.slice(i, i + 10)));
    const reports = await Promise.all(writes);
    done = true;
    expect(reports.reduce((s, r) => s + r.stored, 0)).toBe(200);
    // One event is at most ~400 bytes: the bound holds to within one event.
    expect(peak).toBeGreaterThan(2048);
    expect(peak).toBeLessThan(6000 + 400);
    expect(output.pendingBytes).toBe(0);
    await output.close();
  });

  it('stores with ids chosen by OpenSearch when document_id is auto', async () => {
    const t = testContext('alb-auto');
    const config = opensearchConfig('out-auto', { action: 'index', document_id: 'auto' });
    const output = createOutput(config, t.ctx);
    await output.start();
    const events = albEvents('alb-auto', 'AWSLogs/1/g.log.gz', ['2024-07-01'], 5);
    expect(await output.write(events)).toEqual({ stored: 5, duplicates: 0, deadLettered: 0 });
    expect(await output.write(events)).toEqual({ stored: 5, duplicates: 0, deadLettered: 0 });
    const base = (config as { index: string }).index.replace('-%{+YYYY.MM.dd}', '');
    // What auto ids give up: a replay is stored twice.
    expect(await count(`${base}-2024.07.01`)).toBe(10);
    await output.close();
  });

  it('writes into a data stream created from the installed template when data_stream is true', async () => {
    const t = testContext('alb-stream');
    const name = uniqueName('logs-stream');
    created.push(name);
    const config = outputConfigSchema.parse({
      type: 'opensearch',
      hosts: [openSearchUrl()],
      index: name,
      data_stream: true,
      template: { kind: 'alb', number_of_replicas: 0, name },
      flush_interval_seconds: 0.02,
    });
    const output = createOutput(config, t.ctx);
    await output.start();
    const events = albEvents('alb-stream', 'AWSLogs/1/h.log.gz', ['2024-08-01'], 6);
    expect(await output.write(events)).toEqual({ stored: 6, duplicates: 0, deadLettered: 0 });
    expect(await output.write(events)).toEqual({ stored: 0, duplicates: 6, deadLettered: 0 });
    const streams = await client.indices.getDataStream({ name });
    expect(streams.body.data_streams.map((s: { name: string }) => s.name)).toEqual([name]);
    expect(await count(name)).toBe(6);
    await output.close();
    await client.indices.deleteDataStream({ name });
  });

  it('fails start with a hint about hosts when nothing listens there', async () => {
    const t = testContext('alb-down');
    const output = createOutput(
      outputConfigSchema.parse({
        type: 'opensearch',
        hosts: ['http://127.0.0.1:9'],
        index: 'x',
        request_timeout_seconds: 2,
      }),
      t.ctx,
    );
    await expect(output.start()).rejects.toMatchObject({
      code: 'ERR_OUTPUT_UNREACHABLE',
      hint: expect.stringMatching(/hosts/),
    });
    await output.close();
  });
});
