import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { createDeadLetter, deadLetterConfigSchema } from '../../src/outputs/dead-letter/index.js';
import { createOutput, outputConfigSchema, StdoutOutput } from '../../src/outputs/index.js';

function context() {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-out-'));
  return { pipeline: 'p', logger: silentLogger(), metrics: new Metrics(), baseDir: dir };
}

function event(record: number, timestamp: string): LogEvent {
  return {
    doc: { '@timestamp': timestamp, n: record, text: 'line\nwith "quotes"' },
    origin: { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record, sub: 0, lastModified: 0 },
  };
}

describe('FileOutput', () => {
  it('appends one document per line to the file of each event day when the path has a date pattern', async () => {
    const ctx = context();
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'out/alb-%{+YYYY-MM-dd}.ndjson' }), ctx);
    await output.start();
    expect(await output.write([event(1, '2024-01-01T10:00:00Z'), event(2, '2024-01-02T10:00:00Z')])).toEqual({
      stored: 2,
      duplicates: 0,
      deadLettered: 0,
    });
    await output.write([event(3, '2024-01-01T11:00:00Z')]);
    await output.close();
    const read = (day: string) =>
      readFileSync(join(ctx.baseDir, 'out', `alb-${day}.ndjson`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { n: number }).n);
    expect(read('2024-01-01')).toEqual([1, 3]);
    expect(read('2024-01-02')).toEqual([2]);
  });

  it('never interleaves the lines of concurrent writes when many run at once', async () => {
    const ctx = context();
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'all.ndjson' }), ctx);
    const writes = Array.from({ length: 20 }, (_, w) =>
      output.write(Array.from({ length: 10 }, (_, i) => event(w * 10 + i, '2024-01-01T00:00:00Z'))),
    );
    await Promise.all(writes);
    await output.close();
    const numbers = readFileSync(join(ctx.baseDir, 'all.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('rejects with ERR_OUTPUT_FILE when the path cannot be written', async () => {
    const ctx = context();
    writeFileSync(join(ctx.baseDir, 'a-file'), '');
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'a-file/x.ndjson' }), ctx);
    await expect(output.write([event(1, '2024-01-01T00:00:00Z')])).rejects.toMatchObject({ code: 'ERR_OUTPUT_FILE' });
    await output.close();
  });
});

describe('StdoutOutput', () => {
  it('prints each document as one JSON line when events are written', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => {
      text += c.toString();
    });
    const output = new StdoutOutput(context(), stream);
    expect((await output.write([event(1, 'x'), event(2, 'y')])).stored).toBe(2);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual([event(1, 'x').doc, event(2, 'y').doc]);
  });
});

describe('FileDeadLetter', () => {
  it('appends entries as NDJSON when put is called twice', async () => {
    const ctx = context();
    const dlq = createDeadLetter(deadLetterConfigSchema.parse({ type: 'file', path: 'dlq/dead.ndjson' }), ctx);
    const entry = {
      pipeline: 'p',
      bucket: 'b',
      key: 'k',
      record: 4,
      code: 'ERR_RECORD_PARSE',
      reason: 'bad',
      raw: 'x y',
      at: 'now',
    };
    await dlq.put([entry]);
    await dlq.put([{ ...entry, record: 5 }]);
    await dlq.close();
    const lines = readFileSync(join(ctx.baseDir, 'dlq', 'dead.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as { record: number }).record)).toEqual([4, 5]);
  });
});

describe('outputConfigSchema', () => {
  it('fills the documented defaults when an opensearch output names only hosts and index', () => {
    const parsed = outputConfigSchema.parse({
      type: 'opensearch',
      hosts: ['https://search.example.com'],
      index: 'a-%{+YYYY}',
    });
    expect(parsed).toMatchObject({
      action: 'create',
      document_id: 'deterministic',
      data_stream: false,
      flush_bytes: 5 * 1024 * 1024,
      flush_events: 5000,
      flush_interval_seconds: 1,
      concurrency: 2,
    });
    expect(parsed).not.toHaveProperty('flush_interval_ms');
  });

  it.each([
    [{ type: 'opensearch', hosts: ['https://x'], index: 'a', extra: 1 }],
    [{ type: 'opensearch', hosts: [], index: 'a' }],
    [{ type: 'opensearch', hosts: ['https://x'], index: 'a', tls: { cert_file: 'c.pem' } }],
    [{ type: 'opensearch', hosts: ['https://x'], index: 'a', auth: { type: 'basic', username: 'u' } }],
    [{ type: 'kafka' }],
  ])('refuses %j', (input) => {
    expect(outputConfigSchema.safeParse(input).success).toBe(false);
  });
});
