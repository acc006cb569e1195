import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { frameRecords } from '../../../src/parsers/framing/frame-records.js';
import { type FramedBatch, sliceBatch } from '../../../src/parsers/framing/framed-batch.js';
import { createParserFactory } from '../../../src/parsers/index.js';
import { type BatchResult, RecordLoop } from '../../../src/pipeline/record-loop.js';

const object = { pipeline: 'p', bucket: 'b', key: 'k.log', etag: 'e1', lastModified: 1_700_000_000_000 };

/** 40 lines: JSON documents, empty lines, lines too long, invalid UTF-8, lines that do not parse. */
function body(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 1; i <= 40; i++) {
    if (i % 7 === 0) parts.push(Buffer.from(''));
    else if (i % 9 === 0) parts.push(Buffer.from(`{"long":"${'x'.repeat(200)}"}`));
    else if (i % 11 === 0) parts.push(Buffer.concat([Buffer.from('{"bad":"'), Buffer.from([0xff]), Buffer.from('"}')]));
    else if (i % 13 === 0) parts.push(Buffer.from('not json'));
    else parts.push(Buffer.from(JSON.stringify({ n: i })));
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

async function batches(resumeAfter: number): Promise<{ loop: () => RecordLoop; framed: FramedBatch[] }> {
  const parser = createParserFactory({ type: 'json_lines' });
  const loop = () => new RecordLoop({ parser, filters: [], object, resumeAfter, maxRecordBytes: 100 });
  const framed: FramedBatch[] = [];
  const stream = Readable.from([body()]);
  for await (const batch of frameRecords(stream, 'lines', { ...loop().framing, batchRecords: 25 })) framed.push(batch);
  return { loop, framed };
}

/** A result without the failures' clock. */
const plain = (result: BatchResult | null) =>
  result && { ...result, failures: result.failures.map(({ at: _at, ...failure }) => failure) };

describe('sliceBatch', () => {
  it.each([0, 5, 17, 40])('covers the batch exactly and loops to the same result (resume after %i)', async (resume) => {
    const { loop, framed } = await batches(resume);
    for (const size of [1, 3, 4, 1000]) {
      const whole = loop();
      const sliced = loop();
      for (const batch of framed) {
        const slices = sliceBatch(batch, size);
        expect(slices[0]!.firstRecord).toBe(batch.firstRecord);
        expect(slices.at(-1)!.lastRecord).toBe(batch.lastRecord);
        for (let i = 1; i < slices.length; i++) expect(slices[i]!.firstRecord).toBe(slices[i - 1]!.lastRecord + 1);
        expect(slices.flatMap((s) => s.oversized)).toEqual(batch.oversized);
        expect(slices.flatMap((s) => s.invalidUtf8)).toEqual(batch.invalidUtf8);
        expect(slices.flatMap((s) => s.records)).toEqual(batch.records);
        for (const slice of slices) expect(slice.recordNumbers.length).toBeLessThanOrEqual(size);
        const expected = plain(whole.run(batch));
        const results = slices.map((slice) => plain(sliced.run(slice)));
        if (expected === null) {
          expect(results.every((r) => r === null)).toBe(true);
          continue;
        }
        const got = results.filter((r) => r !== null);
        expect(got.flatMap((r) => r.events)).toEqual(expected.events);
        const byRecord = (a: { record: number }, b: { record: number }) => a.record - b.record;
        expect(got.flatMap((r) => r.failures).sort(byRecord)).toEqual([...expected.failures].sort(byRecord));
        for (const key of ['records', 'read', 'dropped'] as const) {
          expect(got.reduce((sum, r) => sum + r[key], 0)).toBe(expected[key]);
        }
      }
    }
  });
});
