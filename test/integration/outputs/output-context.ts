import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ComponentContext, DeadLetterEntry } from '../../../src/core/components.js';
import type { LogEvent } from '../../../src/core/event.js';
import { createLogger } from '../../../src/core/logger.js';
import { Metrics } from '../../../src/core/metrics.js';
import { FileDeadLetter } from '../../../src/outputs/dead-letter/file-dead-letter.js';
import { componentContext } from '../../helpers/component-context.js';

export interface TestContext {
  ctx: ComponentContext;
  dir: string;
  deadLetter: FileDeadLetter;
  /** Everything logged so far, as raw text. */
  logs(): string;
  deadLettered(): DeadLetterEntry[];
  counter(name: 'eventsIndexed' | 'eventsDuplicate' | 'eventsDeadLettered' | 'bulkRetries'): Promise<number>;
  bulkRequests(): Promise<number>;
}

const open: FileDeadLetter[] = [];

/** Closes the dead-letter files of every context made so far (call in afterAll). */
export async function closeTestContexts(): Promise<void> {
  await Promise.all(open.splice(0).map((d) => d.close()));
}

/** A real context: debug-level JSON logs captured in memory, fresh metrics, a file dead-letter in a temp dir. */
export function testContext(pipeline: string): TestContext {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-outputs-'));
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const metrics = new Metrics();
  const logger = createLogger({ level: 'debug', destination: sink });
  const base = componentContext({ pipeline, logger, metrics, baseDir: dir });
  const deadLetter = new FileDeadLetter({ type: 'file', path: 'dead-letter.ndjson' }, base);
  open.push(deadLetter);
  const ctx: ComponentContext = { ...base, deadLetter };
  return {
    ctx,
    dir,
    deadLetter,
    logs: () => text,
    deadLettered: () => {
      try {
        return readFileSync(join(dir, 'dead-letter.ndjson'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as DeadLetterEntry);
      } catch {
        return [];
      }
    },
    counter: async (name) => {
      const values = (await metrics[name].get()).values;
      return values.reduce((sum, v) => sum + v.value, 0);
    },
    bulkRequests: async () => {
      const values = (await metrics.bulkLatency.get()).values;
      return values
        .filter((v) => v.metricName === 'sluice_bulk_latency_seconds_count')
        .reduce((s, v) => s + v.value, 0);
    },
  };
}

/** ALB-like events of one object, spread over the given days (UTC), one per record. */
export function albEvents(pipeline: string, key: string, days: string[], perDay: number): LogEvent[] {
  const events: LogEvent[] = [];
  let record = 0;
  for (const day of days) {
    for (let i = 0; i < perDay; i++) {
      record += 1;
      events.push({
        doc: {
          '@timestamp': `${day}T${String(i % 24).padStart(2, '0')}:00:00.000Z`,
          type: 'https',
          elb: 'app/test-lb/50dc6c495c0c9188',
          client_ip: `192.0.2.${(record % 250) + 1}`,
          client_port: 40000 + record,
          target_ip: '10.0.0.1',
          target_port: 80,
          elb_status_code: 200,
          sent_bytes: record * 10,
          request_method: 'GET',
          request_url: `https://example.com/item/${record}`,
        },
        origin: {
          pipeline,
          bucket: 'logs-bucket',
          key,
          etag: 'etag-1',
          record,
          sub: 0,
          lastModified: Date.parse(`${days[0]}T00:00:00Z`),
        },
      });
    }
  }
  return events;
}
