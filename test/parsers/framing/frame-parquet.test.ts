import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ParquetReadError, SourceReadError } from '../../../src/core/errors.js';
import { bufferRangeReader, frameParquet, type RangeReader } from '../../../src/parsers/framing/frame-parquet.js';
import type { FramedBatch } from '../../../src/parsers/framing/framed-batch.js';

const bytes = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/parsers/${name}`, import.meta.url)));
// The five records of vpc-flow-default.log in row groups of 2, 2 and 1 (scripts/write-vpc-flow-parquet.mjs).
const defaultParquet = bytes('vpc-flow-default.parquet');

/** A reader that records every range asked for. */
function countingReader(data: Buffer): RangeReader & { ranges: [number, number][] } {
  const ranges: [number, number][] = [];
  return {
    size: data.length,
    ranges,
    read: async (start, end) => {
      ranges.push([start, end]);
      return data.subarray(start, end);
    },
  };
}

async function collect(reader: RangeReader, options: { startAfterRecord?: number; batchRecords?: number } = {}) {
  const batches: FramedBatch[] = [];
  for await (const batch of frameParquet(reader, { maxRecordBytes: 1024, ...options })) batches.push(batch);
  return batches;
}

describe('frameParquet', () => {
  it('numbers rows by their 1-based ordinal across row groups, one batch per group when groups are small', async () => {
    const batches = await collect(bufferRangeReader(defaultParquet));
    expect(batches.map((b) => [b.firstRecord, b.lastRecord, b.recordNumbers])).toEqual([
      [1, 2, [1, 2]],
      [3, 4, [3, 4]],
      [5, 5, [5]],
    ]);
    expect(batches[0]!.columns).toEqual([
      'version',
      'account_id',
      'interface_id',
      'srcaddr',
      'dstaddr',
      'srcport',
      'dstport',
      'protocol',
      'packets',
      'bytes',
      'start',
      'end',
      'action',
      'log_status',
    ]);
    expect(batches[0]!.rows![0]).toEqual([
      2,
      '123456789010',
      'eni-1235b8ca123456789',
      '172.31.16.139',
      '172.31.16.21',
      20641,
      22,
      6,
      20n,
      4249n,
      1418530010n,
      1418530070n,
      'ACCEPT',
      'OK',
    ]);
    // One columns array for the whole object: the parser builds its field specs once.
    expect(new Set(batches.map((b) => b.columns)).size).toBe(1);
    expect(batches.every((b) => b.records.length === 0 && b.oversized.length === 0)).toBe(true);
  });

  it('cuts a row group into batches of batchRecords rows', async () => {
    const batches = await collect(bufferRangeReader(defaultParquet), { batchRecords: 1 });
    expect(batches.map((b) => b.recordNumbers)).toEqual([[1], [2], [3], [4], [5]]);
  });

  it('skips the acknowledged rows, and never fetches a row group wholly before the resume point', async () => {
    const all = countingReader(defaultParquet);
    await collect(all);
    const resumed = countingReader(defaultParquet);
    const batches = await collect(resumed, { startAfterRecord: 3 });
    expect(batches.map((b) => b.recordNumbers)).toEqual([[4], [5]]);
    expect(batches[0]!.firstRecord).toBe(4);
    expect(batches[0]!.rows![0]![13]).toBe('SKIPDATA');
    // The first group's range is read when starting from 0, not when resuming after row 3.
    const firstGroup = all.ranges[1]!;
    expect(resumed.ranges).not.toContainEqual(firstGroup);
    expect(resumed.ranges.length).toBe(all.ranges.length - 1);
  });

  it('reads the footer and then one range per row group, each inside the object', async () => {
    const reader = countingReader(defaultParquet);
    await collect(reader);
    expect(reader.ranges.length).toBe(1 + 3);
    expect(reader.ranges.every(([start, end]) => start >= 0 && end <= defaultParquet.length && start < end)).toBe(true);
  });

  it('yields nothing when the resume point is past the last row', async () => {
    expect(await collect(bufferRangeReader(defaultParquet), { startAfterRecord: 5 })).toEqual([]);
  });

  it.each<[string, Buffer, RegExp]>([
    ['a text flow log', Buffer.from('version account-id\n2 123456789012\n'), /not a Parquet file: no PAR1 footer/],
    ['a gzipped Parquet file', gzipSync(defaultParquet), /no PAR1 footer \(the object is gzip/],
    ['a file cut short', defaultParquet.subarray(0, defaultParquet.length - 100), /not a Parquet file/],
    ['a few bytes', Buffer.from('PAR1'), /too short for a Parquet file/],
    [
      'a footer length past the object',
      Buffer.concat([defaultParquet.subarray(0, 4), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.from('PAR1')]),
      /footer length \d+ is past the object/,
    ],
  ])('fails with ERR_PARQUET when the object is %s', async (_name, data, message) => {
    const failure = collect(bufferRangeReader(data));
    await expect(failure).rejects.toBeInstanceOf(ParquetReadError);
    await expect(failure).rejects.toThrow(message);
  });

  it('fails with ERR_PARQUET naming the cause when a row group does not decode', async () => {
    // Same length, footer intact, the first group's pages overwritten.
    const broken = Buffer.from(defaultParquet);
    broken.fill(0x55, 4, 200);
    await expect(collect(bufferRangeReader(broken))).rejects.toThrow(/cannot read the Parquet file/);
  });

  it('passes a source read error through as it is', async () => {
    const failing: RangeReader = {
      size: defaultParquet.length,
      read: async (start) => {
        if (start > 100) return defaultParquet.subarray(start);
        throw new SourceReadError('ERR_S3_READ', 'GetObject failed: SlowDown', { retryable: true });
      },
    };
    const failure = collect(failing);
    await expect(failure).rejects.toBeInstanceOf(SourceReadError);
    await expect(failure).rejects.toMatchObject({
      code: 'ERR_S3_READ',
      retryable: true,
      message: 'GetObject failed: SlowDown',
    });
  });
});
