import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { DeadLetter, DeadLetterEntry } from '../../../src/core/components.js';
import { Metrics } from '../../../src/core/metrics.js';
import { LogDeadLetter } from '../../../src/outputs/dead-letter/log-dead-letter.js';
import { PipelineDeadLetter } from '../../../src/outputs/dead-letter/pipeline-dead-letter.js';

const entry = (overrides: Partial<DeadLetterEntry>): DeadLetterEntry => ({
  pipeline: 'p',
  bucket: 'b',
  key: 'k.log',
  etag: 'e1',
  record: 1,
  code: 'ERR_RECORD_PARSE',
  reason: 'bad',
  at: '2024-05-01T00:00:00.000Z',
  ...overrides,
});

/** A sink that keeps what it was given, or fails when asked to. */
class MemorySink implements DeadLetter {
  readonly stored: DeadLetterEntry[] = [];
  failure: Error | undefined;
  async put(entries: DeadLetterEntry[]) {
    if (this.failure) throw this.failure;
    this.stored.push(...entries);
  }
  async close() {}
}

const hide = (text: string) => text.replaceAll('hunter2', '[REDACTED]');

async function counted(metrics: Metrics): Promise<Record<string, number>> {
  const metric = await metrics.deadLetterEntries.get();
  return Object.fromEntries(metric.values.map((value) => [String(value.labels.code), value.value]));
}

describe('PipelineDeadLetter', () => {
  it('redacts the raw text and the reason before the sink sees them, and leaves the rest as it is', async () => {
    const sink = new MemorySink();
    const deadLetter = new PipelineDeadLetter(sink, hide, new Metrics(), 'p');
    const doc = { n: 1, note: 'indexed as it was' };
    await deadLetter.put([
      entry({ raw: 'GET /?password=hunter2', reason: 'field x: "hunter2" is not a number' }),
      entry({ record: 2, code: 'ERR_BULK_REJECTED', reason: 'preview: hunter2', doc }),
    ]);
    expect(sink.stored).toEqual([
      entry({ raw: 'GET /?password=[REDACTED]', reason: 'field x: "[REDACTED]" is not a number' }),
      entry({ record: 2, code: 'ERR_BULK_REJECTED', reason: 'preview: [REDACTED]', doc }),
    ]);
    expect(JSON.stringify(sink.stored)).not.toContain('hunter2');
  });

  it('counts stored entries by code when the sink stores them', async () => {
    const metrics = new Metrics();
    const deadLetter = new PipelineDeadLetter(new MemorySink(), hide, metrics, 'p');
    await deadLetter.put([entry({}), entry({ record: 2 }), entry({ record: 0, code: 'ERR_DEAD_LETTER_CAP' })]);
    await deadLetter.put([]);
    expect(await counted(metrics)).toEqual({ ERR_RECORD_PARSE: 2, ERR_DEAD_LETTER_CAP: 1 });
  });

  it('counts nothing and rejects with the sink error when the sink cannot store', async () => {
    const metrics = new Metrics();
    const sink = new MemorySink();
    sink.failure = new Error('disk full');
    const deadLetter = new PipelineDeadLetter(sink, hide, metrics, 'p');
    await expect(deadLetter.put([entry({})])).rejects.toThrow('disk full');
    expect(await counted(metrics)).toEqual({});
  });
});

describe('LogDeadLetter', () => {
  it('logs each entry as a warning with code, reason, key and record, never its raw text or document', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        callback();
      },
    });
    const deadLetter = new LogDeadLetter(pino({ level: 'info' }, stream));
    await deadLetter.put([
      entry({ raw: 'the raw line with s3cr3t', reason: 'does not parse' }),
      entry({ record: 7, sub: 2, code: 'ERR_BULK_REJECTED', reason: 'mapping', doc: { token: 's3cr3t' } }),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        bucket: 'b',
        key: 'k.log',
        etag: 'e1',
        record: 1,
        code: 'ERR_RECORD_PARSE',
        reason: 'does not parse',
      }),
      expect.objectContaining({
        level: 40,
        key: 'k.log',
        record: 7,
        sub: 2,
        code: 'ERR_BULK_REJECTED',
        reason: 'mapping',
      }),
    ]);
    expect(lines[0]!.msg).toContain('configure dead_letter');
    expect(JSON.stringify(lines)).not.toContain('s3cr3t');
  });
});
