import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RecordParseError } from '../../src/core/errors.js';
import type { Doc } from '../../src/core/event.js';
import { bufferRangeReader, frameParquet } from '../../src/parsers/framing/frame-parquet.js';
import { vpcFlowParquetParserFactory } from '../../src/parsers/vpc-flow-parquet-parser.js';
import { vpcFlowParserFactory } from '../../src/parsers/vpc-flow-parser.js';
import { fixtureLines, parseAll } from './parse-helpers.js';

const parquet = vpcFlowParquetParserFactory();

async function parquetDocs(name: string): Promise<Doc[]> {
  const data = readFileSync(fileURLToPath(new URL(`../fixtures/parsers/${name}`, import.meta.url)));
  const parser = parquet.forObject('k');
  const docs: Doc[] = [];
  for await (const batch of frameParquet(bufferRangeReader(data), { maxRecordBytes: 1024 })) {
    batch.rows!.forEach((row, i) => {
      docs.push(...parser.parseRow!(row, batch.columns!, batch.recordNumbers[i]!));
    });
  }
  return docs;
}

const row = (columns: string[], values: unknown[]) => parquet.forObject('k').parseRow!(values, columns, 1)[0]!;

describe('vpc_flow_parquet parser', () => {
  it.each([
    ['the default format', 'vpc-flow-default'],
    ['a custom format', 'vpc-flow-custom'],
  ])('gives the same documents as the text parser when the file holds %s', async (_name, fixture) => {
    const text = parseAll(vpcFlowParserFactory(), fixtureLines(`${fixture}.log`));
    expect(text.length).toBeGreaterThan(1);
    expect(await parquetDocs(`${fixture}.parquet`)).toEqual(text);
  });

  it.each<[string, string[], unknown[], Doc]>([
    ['INT64 counters as numbers', ['bytes', 'packets'], [4249n, 20n], { bytes: 4249, packets: 20 }],
    ['a count past 2^53 exactly, as text', ['bytes'], [2n ** 60n], { bytes: '1152921504606846976' }],
    [
      'nulls and "-" as null',
      ['srcport', 'srcaddr', 'action'],
      [null, '-', undefined],
      { srcport: null, srcaddr: null, action: null },
    ],
    [
      'numbers written as text for a numeric field',
      ['dstport', 'start'],
      ['443', '1418530010'],
      { dstport: 443, start: 1418530010 },
    ],
    ['an account id stored as a number, as text', ['account_id'], [123456789010n], { account_id: '123456789010' }],
    [
      'dashed or upper-case column names in the text names',
      ['log-status', 'TCP_FLAGS'],
      ['OK', 2],
      { log_status: 'OK', tcp_flags: 2 },
    ],
    ['an IPv6 address', ['pkt_srcaddr'], ['2001:db8::1'], { pkt_srcaddr: '2001:db8::1' }],
    ['a column no documentation names, kept under its own name', ['resource_owner'], ['x'], { resource_owner: 'x' }],
  ])('maps %s', (_name, columns, values, expected) => {
    expect(row(columns, values)).toEqual(expected);
  });

  it.each<[string, string[], unknown[], RegExp]>([
    ['a numeric field holding text', ['bytes'], ['lots'], /field bytes: "lots" is not a number/],
    ['a nested value', ['tags'], [{ a: 1 }], /column tags holds a nested or binary value/],
  ])('throws RecordParseError when a row holds %s', (_name, columns, values, message) => {
    expect(() => row(columns, values)).toThrow(RecordParseError);
    expect(() => row(columns, values)).toThrow(message);
  });

  it('refuses a text record: text flow logs are parser vpc_flow', () => {
    expect(() => parquet.forObject('k').parse('2 123456789010 eni-1 ...', 1)).toThrow(/parser vpc_flow/);
  });
});
