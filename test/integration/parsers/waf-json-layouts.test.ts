import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3CheckpointStore } from '../../../src/checkpoint/s3-checkpoint-store.js';
import { emptyState } from '../../../src/checkpoint/state.js';
import { documentCount } from '../../helpers/index-assertions.js';
import { awsEndpoint, openSearchUrl, testOpenSearchClient, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';
import { fixture } from '../../parsers/parse-helpers.js';

interface DeadLetterLine {
  key: string;
  record: number;
  code: string;
  reason: string;
  raw?: string;
}

const KEY = 'AWSLogs/123456789012/WAFLogs/us-east-1/prod/2024/05/01/10/05/waf.log.gz';
const example = JSON.parse(fixture('waf-aws-example.json')) as Record<string, unknown>;
const verbatim = fixture('waf-aws-example-verbatim.json');

/** AWS's documented example with its own requestId and time, pretty-printed as the docs show it or minified. */
function doc(id: string, pretty: boolean): string {
  const value = {
    ...example,
    timestamp: 1714557900000,
    httpRequest: { ...(example.httpRequest as object), requestId: id },
  };
  return pretty ? JSON.stringify(value, null, 3) : JSON.stringify(value);
}

/**
 * A WAF object as a saved sample or a log shipper may lay it out: pretty-printed documents glued
 * with and without separators, AWS's documented example verbatim (its "..." placeholders make it
 * invalid), a repeated key, a 5,000-deep document, a 20-digit number, and a run of NDJSON lines.
 * Returns the body and the record number (first line) of every document, in order.
 */
function wafObject(): { body: string; records: Map<string, number> } {
  const parts: [string, string][] = [
    ['p1', `${doc('p1', true)}`],
    ['p2', `${doc('p2', true)}\n`],
    ['p3', ` \t${doc('p3', true)}\r\n\r\n`],
    ['verbatim', verbatim],
    ['duplicate', '{"timestamp":1714557900000,"action":"ALLOW","action":"BLOCK"}\n'],
    ['deep', `{"timestamp":1714557900000,"x":${'['.repeat(5000)}${']'.repeat(5000)}}\n`],
    ['big', `{"timestamp":1714557900000,"httpRequest":{"requestId":"big"},"ruleId":12345678901234567890}\n`],
  ];
  for (let i = 1; i <= 2500; i++) parts.push([`n${i}`, `${doc(`n${i}`, false)}\n`]);
  parts.push(['last', doc('last', true)]);
  let body = '';
  const records = new Map<string, number>();
  let last = 0;
  for (const [name, text] of parts) {
    // The line its first byte that is not whitespace is on, or one past the previous document's number.
    const line = body.split('\n').length + text.match(/^\s*/)![0].split('\n').length - 1;
    const number = Math.max(line, last + 1);
    records.set(name, number);
    last = number;
    body += text;
  }
  return { body, records };
}

describe('WAF objects laid out in any JSON way', () => {
  const s3 = testS3Client();

  it('indexes one document per JSON document, dead-letters each broken or hostile one once, and the same ids on a replay', async () => {
    const bucket = uniqueName('wafjson');
    const index = uniqueName('wafjson');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { body, records } = wafObject();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: gzipSync(body) }));
    const dir = mkdtempSync(join(tmpdir(), 'sluice-wafjson-'));
    const config = writeConfig(dir, bucket, index);

    const run = async () => {
      const sluice = startSluice(['run', '--once', '--config', config]);
      const exit = await sluice.exited;
      expect(exit.code, sluice.output().slice(-3000)).toBe(0);
    };
    await run();
    const good = 3 + 1 + 2500 + 1;
    expect(await documentCount(`${index}-*`)).toBe(good);
    expect(await documentCount(`${index}-*`, { term: { 'httpRequest.requestId.keyword': 'p2' } })).toBe(1);
    expect(await documentCount(`${index}-*`, { term: { 'httpRequest.requestId.keyword': 'last' } })).toBe(1);

    const deadLetters = readDeadLetters(join(dir, 'dead-letter.ndjson'));
    expect(deadLetters.map((entry) => [entry.record, entry.code])).toEqual([
      [records.get('verbatim'), 'ERR_RECORD_PARSE'],
      [records.get('duplicate'), 'ERR_RECORD_PARSE'],
      [records.get('deep'), 'ERR_RECORD_PARSE'],
    ]);
    expect(deadLetters[0]!.raw).toBe(verbatim.trimEnd());
    expect(deadLetters[1]!.reason).toContain('key "action" appears twice');
    expect(deadLetters[2]!.reason).toContain('more than max_depth (20)');

    const big = await testOpenSearchClient().search({
      index: `${index}-*`,
      body: { query: { term: { 'httpRequest.requestId.keyword': 'big' } } } as Record<string, unknown>,
    });
    expect(big.body.hits.hits.map((hit) => hit._source)).toEqual([
      expect.objectContaining({ ruleId: '12345678901234567890', tags: ['_json_number_as_text'] }),
    ]);

    // Forget the checkpoint: the object is read again, every document gets the id it had (409s), none is added.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'checkpoints/wafjson.json' }));
    await run();
    expect(await documentCount(`${index}-*`)).toBe(good);
  });

  it('resumes a pretty-printed and concatenated object after the acknowledged record, losing and repeating nothing', async () => {
    const bucket = uniqueName('wafresume');
    const index = uniqueName('wafresume');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { body, records } = wafObject();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: gzipSync(body) }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: KEY }));

    // A crash left the object acknowledged up to the third pretty-printed document.
    const state = emptyState();
    state.watermark = Date.now() - 10 * 60_000;
    state.in_progress[KEY] = {
      etag: head.ETag!.replace(/"/g, ''),
      last_modified: head.LastModified!.getTime(),
      record: records.get('p3')!,
    };
    await checkpointStore(bucket).save(state, null);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-wafresume-'));
    const sluice = startSluice(['run', '--once', '--config', writeConfig(dir, bucket, index)]);
    const exit = await sluice.exited;
    expect(exit.code, sluice.output().slice(-3000)).toBe(0);

    expect(await documentCount(`${index}-*`)).toBe(1 + 2500 + 1);
    for (const id of ['p1', 'p2', 'p3']) {
      expect(await documentCount(`${index}-*`, { term: { 'httpRequest.requestId.keyword': id } })).toBe(0);
    }
    expect(await documentCount(`${index}-*`, { term: { 'httpRequest.requestId.keyword': 'n1' } })).toBe(1);
    expect(readDeadLetters(join(dir, 'dead-letter.ndjson')).map((entry) => entry.record)).toEqual([
      records.get('verbatim'),
      records.get('duplicate'),
      records.get('deep'),
    ]);
  });
});

function checkpointStore(bucket: string): S3CheckpointStore {
  return new S3CheckpointStore({
    client: testS3Client(),
    bucket,
    prefix: 'checkpoints',
    name: 'wafjson',
    pipeline: 'wafjson',
  });
}

function writeConfig(dir: string, bucket: string, index: string): string {
  const path = join(dir, 'pipeline.yml');
  writeFileSync(
    path,
    `pipelines:
  - id: wafjson
    source: { type: s3, bucket: ${bucket}, prefix: AWSLogs/, layout: none, region: us-east-1, endpoint: "${awsEndpoint()}", force_path_style: true }
    parser: { type: waf }
    filters:
      - { type: date, field: timestamp, formats: [epoch_millis] }
    outputs: [ { type: opensearch, hosts: ["${openSearchUrl()}"], index: "${index}-%{+YYYY.MM.dd}" } ]
    dead_letter: { type: file, path: ${join(dir, 'dead-letter.ndjson')} }
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1 }
`,
  );
  return path;
}

function readDeadLetters(path: string): DeadLetterLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DeadLetterLine);
}
