import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeadLetterEntry } from '../../src/core/components.js';
import type { LogEvent } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { createOutput, outputConfigSchema, StdoutOutput } from '../../src/outputs/index.js';
import { hostileText } from './arbitraries.js';
import { checkAsync, expectNoPollution } from './fuzz-settings.js';

const scratch = mkdtempSync(join(tmpdir(), 'sluice-fuzz-out-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A value nested `levels` deep: past what JSON.stringify can follow when large. */
function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

/** A document field: any JSON, hostile text, or what JSON cannot encode (a BigInt, nesting past the stack). */
const fieldValue = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: hostileText(40) },
  { weight: 1, arbitrary: fc.bigInt() },
  { weight: 1, arbitrary: fc.constantFrom(20, 5_000, 20_000).map(nested) },
);

const events = fc.array(fc.tuple(fieldValue, hostileText(20)), { minLength: 1, maxLength: 12 }).map((pairs) =>
  pairs.map(
    ([value, name], i): LogEvent => ({
      doc: { '@timestamp': '2024-05-01T00:00:00Z', n: i + 1, value, name },
      origin: { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: i + 1, sub: 0, lastModified: 0 },
    }),
  ),
);

function encodable(event: LogEvent): boolean {
  try {
    JSON.stringify(event.doc);
    return true;
  } catch {
    return false;
  }
}

function context() {
  const entries: DeadLetterEntry[] = [];
  const deadLetter = {
    put: async (put: DeadLetterEntry[]) => {
      entries.push(...put);
    },
    close: async () => {},
  };
  const baseDir = mkdtempSync(join(scratch, 'run-'));
  return { ctx: { pipeline: 'p', logger: silentLogger(), metrics: new Metrics(), baseDir, deadLetter }, entries };
}

describe('the local outputs on any batch (fuzz)', () => {
  afterAll(() => expectNoPollution());

  it('prints every event JSON can encode and dead-letters each other one alone when stdout writes any batch', async () => {
    await checkAsync(
      fc.asyncProperty(events, async (batch) => {
        const { ctx, entries } = context();
        const stream = new PassThrough();
        let text = '';
        stream.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        const report = await new StdoutOutput(ctx, stream).write(batch);
        const printed = text
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { n: number }).n);
        expect(printed).toEqual(batch.filter(encodable).map((e) => e.doc.n));
        expect(entries.map((e) => [e.record, e.code])).toEqual(
          batch.filter((e) => !encodable(e)).map((e) => [e.origin.record, 'ERR_OUTPUT_ENCODE']),
        );
        expect(report).toEqual({ stored: printed.length, duplicates: 0, deadLettered: entries.length });
      }),
      80,
    );
  });

  it('writes every event inside its folder or dead-letters it alone when the file output writes any batch', async () => {
    await checkAsync(
      fc.asyncProperty(
        events,
        fc.constantFrom('out/all.ndjson', 'out/%{[name]}.ndjson', 'out/%{[name]}/%{[value]}'),
        async (batch, path) => {
          const { ctx, entries } = context();
          mkdirSync(join(ctx.baseDir, 'out'), { recursive: true });
          const output = createOutput(outputConfigSchema.parse({ type: 'file', path }), ctx);
          const report = await output.write(batch);
          await output.close();
          expect(report.stored + report.deadLettered).toBe(batch.length);
          expect(report.deadLettered).toBe(entries.length);
          for (const entry of entries) expect(['ERR_OUTPUT_ENCODE', 'ERR_OUTPUT_FILE']).toContain(entry.code);
          for (const event of batch.filter((e) => !encodable(e))) {
            expect(entries.map((e) => e.record)).toContain(event.origin.record);
          }
          const files = readdirSync(ctx.baseDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
          let lines = 0;
          for (const file of files) {
            const at = join(file.parentPath, file.name);
            expect(at.startsWith(join(ctx.baseDir, 'out') + sep), at).toBe(true);
            lines += readFileSync(at, 'utf8').split('\n').filter(Boolean).length;
          }
          expect(lines).toBe(report.stored);
        },
      ),
      100,
    );
  });
});
