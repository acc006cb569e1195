import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../../../src/core/event.js';
import { frameRecords } from '../../../src/parsers/framing/frame-records.js';
import { createParserFactory, type ParserConfig } from '../../../src/parsers/index.js';
import { decodeObjectStream } from '../../../src/sources/decompress.js';
import { fixture } from '../parse-helpers.js';

/** Raw object bytes → decompress → frame → parse, as the pipeline chains them. */
async function documents(config: ParserConfig, raw: Buffer, startAfterRecord = 0): Promise<[number, Doc][]> {
  const factory = createParserFactory(config);
  const parser = factory.forObject('AWSLogs/o.gz');
  const out: [number, Doc][] = [];
  const stream = decodeObjectStream(Readable.from([raw], { objectMode: false }), { key: 'AWSLogs/o.gz' });
  for await (const batch of frameRecords(stream, factory.framing, { maxRecordBytes: 64 * 1024, startAfterRecord })) {
    batch.records.forEach((record, i) => {
      for (const doc of parser.parse(record, batch.recordNumbers[i]!)) out.push([batch.recordNumbers[i]!, doc]);
    });
  }
  return out;
}

describe('object to documents', () => {
  it('parses every ALB line when the object is multi-member gzip with CRLF endings', async () => {
    const lines = fixture('alb-docs.log').trimEnd().split('\n');
    const raw = Buffer.concat([
      gzipSync(`${lines.slice(0, 3).join('\r\n')}\r\n`),
      gzipSync(lines.slice(3).join('\r\n')), // no trailing newline
    ]);
    const docs = await documents({ type: 'alb' }, raw);
    expect(docs.map(([n]) => n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(docs.map(([, d]) => d.type)).toEqual(['http', 'https', 'h2', 'ws', 'wss', 'http', 'http']);
    expect(docs.every(([, d]) => d.request_transform_status === null)).toBe(true);
  });

  it('emits one event per CloudTrail record when the object is a gzip document', async () => {
    const docs = await documents({ type: 'cloudtrail' }, gzipSync(fixture('cloudtrail-docs.json')));
    expect(docs.map(([n, d]) => [n, d.eventName])).toEqual([
      [1, 'StartInstances'],
      [1, 'StopInstances'],
    ]);
  });

  it('numbers CloudFront records by line when the object starts with its two header lines', async () => {
    const docs = await documents({ type: 'cloudfront' }, gzipSync(fixture('cloudfront-docs.log')));
    expect(docs.map(([n]) => n)).toEqual([3, 4, 5]);
    expect(docs[0]![1].cs_user_agent).toMatch(/^Mozilla/);
  });
});
