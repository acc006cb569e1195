import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { documentId } from '../../../src/core/document-id.js';
import { awsEndpoint, openSearchUrl, testOpenSearchClient, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';

const KEY =
  'AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/31/123456789012_CloudTrail_us-east-1_20240131T1000Z_abc.json.gz';

const event = (name: string) =>
  JSON.stringify({ eventName: name, eventTime: '2024-01-31T10:00:00Z', eventSource: 's3.amazonaws.com' });

/**
 * A CloudTrail file of four events, two of them hostile, through `sluice run --once` into the
 * real node: each hostile event is one dead-letter entry, the others are indexed under the ids
 * they have when no event fails (sub = the index in Records), and a replay adds nothing.
 */
describe('a CloudTrail file with hostile events', () => {
  const s3 = testS3Client();

  it('indexes the good events under their index in Records, dead-letters each hostile one, and adds none on a replay', async () => {
    const bucket = uniqueName('ctevents');
    const index = uniqueName('ctevents');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const deep = `{"eventName":"DEEP","requestParameters":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const repeated = '{"eventName":"A","eventName":"B"}';
    const body = `{"Records":[${event('First')},${deep},${event('Third')},${repeated}]}\n`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: gzipSync(body) }));
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: KEY }))).ETag!.replace(/"/g, '');
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ctevents-'));
    const config = writeConfig(dir, bucket, index);
    const run = async () => {
      const sluice = startSluice(['run', '--once', '--config', config]);
      const exit = await sluice.exited;
      expect(exit.code, sluice.output().slice(-3000)).toBe(0);
      return sluice.output();
    };
    const stored = async () => {
      const client = testOpenSearchClient();
      await client.indices.refresh({ index: `${index}-*` });
      const found = await client.search({ index: `${index}-*`, body: { size: 100 } as Record<string, unknown> });
      return found.body.hits.hits.map((hit) => [hit._id, (hit._source as { eventName: string }).eventName]).sort();
    };
    const origin = (sub: number) => ({ pipeline: 'ctevents', bucket, key: KEY, etag, record: 1, sub, lastModified: 0 });
    const expected = [
      [documentId(origin(0)), 'First'],
      [documentId(origin(2)), 'Third'],
    ].sort();

    await run();
    expect(await stored()).toEqual(expected);
    const entries = deadLetters(join(dir, 'dead-letter.ndjson'));
    expect(entries.map(({ key, record, sub, code }) => [key, record, sub, code])).toEqual([
      [KEY, 1, 1, 'ERR_RECORD_PARSE'],
      [KEY, 1, 3, 'ERR_RECORD_PARSE'],
    ]);
    expect(entries[0]!.raw).toBe(deep);
    expect(entries[1]!.raw).toBe(repeated);

    // Forget the checkpoint: the file is read again whole, its events get the same ids (409s), none is added.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'checkpoints/ctevents.json' }));
    const again = await run();
    expect(await stored()).toEqual(expected);
    expect(again).toContain('sluice: ctevents: 1 new object(s), 1 record(s), 2 event(s), 2 dead-lettered');
  }, 120_000);
});

function writeConfig(dir: string, bucket: string, index: string): string {
  const path = join(dir, 'pipeline.yml');
  writeFileSync(
    path,
    `pipelines:
  - id: ctevents
    source: { type: s3, bucket: ${bucket}, prefix: AWSLogs/, layout: none, region: us-east-1, endpoint: "${awsEndpoint()}", force_path_style: true }
    parser: { type: cloudtrail }
    filters:
      - { type: date, field: eventTime }
    outputs: [ { type: opensearch, hosts: ["${openSearchUrl()}"], index: "${index}-%{+YYYY.MM.dd}" } ]
    dead_letter: { type: file, path: ${join(dir, 'dead-letter.ndjson')} }
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1 }
`,
  );
  return path;
}

function deadLetters(path: string): Array<{ key: string; record: number; sub?: number; code: string; raw?: string }> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}
