import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { S3CheckpointStore } from '../../../src/checkpoint/s3-checkpoint-store.js';
import { emptyState } from '../../../src/checkpoint/state.js';
import { linesWith } from '../../helpers/e2e-logs.js';
import { runSluiceSampled } from '../../helpers/e2e-rss-sampler.js';
import { documentCount } from '../../helpers/index-assertions.js';
import { awsEndpoint, openSearchUrl, testOpenSearchClient, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const MB = 1024 * 1024;
const ACCOUNT = '123456789010';
const s3 = testS3Client();
const opensearch = testOpenSearchClient();
const indices: string[] = [];

afterAll(async () => {
  for (const index of indices) await opensearch.indices.delete({ index: `${index}*` }).catch(() => undefined);
});

/** A key as VPC flow logs deliver Parquet files, in today's partition. */
function flowKey(name: string, extension: string): string {
  const now = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const day = `${now.getUTCFullYear()}/${p(now.getUTCMonth() + 1)}/${p(now.getUTCDate())}`;
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}T${p(now.getUTCHours())}${p(now.getUTCMinutes())}Z`;
  return `AWSLogs/${ACCOUNT}/vpcflowlogs/us-east-1/${day}/${ACCOUNT}_vpcflowlogs_us-east-1_fl-1234abcd_${stamp}_${name}.${extension}`;
}

/** A generated Parquet flow log (scripts/write-vpc-flow-parquet.mjs): `rows` default-format records. */
function generatedParquet(rows: number, rowGroupRows: number): Buffer {
  const out = join(mkdtempSync(join(tmpdir(), 'sluice-parquet-')), 'flow.parquet');
  execFileSync(process.execPath, [
    resolve(ROOT, 'scripts/write-vpc-flow-parquet.mjs'),
    '--generate',
    String(rows),
    out,
    '--row-group-rows',
    String(rowGroupRows),
  ]);
  return readFileSync(out);
}

/** The source address the generator gives record `ordinal` (1-based): unique below 65,536 records. */
const generatedSrcaddr = (ordinal: number) => `10.0.${((ordinal - 1) >> 8) & 255}.${(ordinal - 1) & 255}`;

interface FlowPipeline {
  id: string;
  parser: 'vpc_flow' | 'vpc_flow_parquet';
  include: string;
  output: string;
}

/** A config of VPC flow pipelines over `bucket`, each dated by `start`, with an S3 checkpoint named after its id. */
function writeConfig(bucket: string, pipelines: FlowPipeline[]): string {
  const config = join(mkdtempSync(join(tmpdir(), 'sluice-vpcpq-')), 'pipeline.yml');
  const body = pipelines
    .map(
      (p) => `  - id: ${p.id}
    source:
      type: s3
      bucket: ${bucket}
      prefix: AWSLogs/
      layout: vpc_flow
      include: ["${p.include}"]
      region: us-east-1
      endpoint: "${awsEndpoint()}"
      force_path_style: true
    parser: { type: ${p.parser} }
    filters:
      - { type: date, field: start, formats: [epoch_seconds] }
    outputs:
      - ${p.output}
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1 }`,
    )
    .join('\n');
  writeFileSync(config, `pipelines:\n${body}\n`);
  return config;
}

function opensearchOutput(index: string): string {
  return `{ type: opensearch, hosts: ["${openSearchUrl()}"], index: "${index}", template: { kind: vpc_flow, name: ${index}, number_of_replicas: 0 } }`;
}

async function sources(index: string): Promise<unknown[]> {
  await opensearch.indices.refresh({ index });
  const found = await opensearch.search({ index, body: { size: 100, query: { match_all: {} } } });
  const docs = found.body.hits.hits.map((hit) => hit._source);
  return docs.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe('VPC flow logs in Parquet', () => {
  it('indexes a Parquet object from S3 as the same documents as the equivalent text flow log', async () => {
    const bucket = uniqueName('vpcpq');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const fixture = (name: string) => readFileSync(resolve(ROOT, 'test/fixtures/parsers', name));
    // The five documented records, as Parquet (row groups of 2, 2, 1) and as text.
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: flowKey('a1', 'log.parquet'),
        Body: fixture('vpc-flow-default.parquet'),
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: flowKey('b2', 'log.gz'),
        Body: gzipSync(fixture('vpc-flow-default.log')),
      }),
    );
    const parquetIndex = uniqueName('vpcpq-parquet');
    const textIndex = uniqueName('vpcpq-text');
    indices.push(parquetIndex, textIndex);
    const config = writeConfig(bucket, [
      {
        id: 'vpcpq',
        parser: 'vpc_flow_parquet',
        include: '\\\\.log\\\\.parquet$',
        output: opensearchOutput(parquetIndex),
      },
      { id: 'vpctext', parser: 'vpc_flow', include: '\\\\.log\\\\.gz$', output: opensearchOutput(textIndex) },
    ]);
    const run = startSluice(['run', '--once', '--config', config]);
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-3000)).toBe(0);
    const parquet = await sources(parquetIndex);
    expect(parquet).toHaveLength(5);
    expect(parquet).toEqual(await sources(textIndex));
    expect(parquet).toContainEqual(
      expect.objectContaining({ srcaddr: '2001:db8:1234:a100:8d6e:3477:df66:f105', bytes: 8855, action: 'ACCEPT' }),
    );
    const ipv6 = await documentCount(parquetIndex, { term: { srcaddr: '2001:db8:1234:a100::/56' } });
    expect(ipv6).toBe(1);
  }, 120_000);

  it('resumes from a checkpoint offset mid-file, skipping exactly the acknowledged rows', async () => {
    const bucket = uniqueName('vpcpq-resume');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const key = flowKey('c3', 'log.parquet');
    // 30,000 rows in 8 row groups of 4,000 (the last of 2,000); the offset falls inside the third.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: generatedParquet(30_000, 4_000) }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const state = emptyState();
    state.watermark = Date.now() - 10 * 60_000;
    state.in_progress[key] = {
      etag: head.ETag!.replace(/"/g, ''),
      last_modified: head.LastModified!.getTime(),
      record: 10_500,
    };
    const store = () =>
      new S3CheckpointStore({
        client: s3,
        bucket,
        prefix: 'checkpoints',
        name: 'vpcpqresume',
        pipeline: 'vpcpqresume',
      });
    await store().save(state, null);
    const index = uniqueName('vpcpq-resume');
    indices.push(index);
    const config = writeConfig(bucket, [
      {
        id: 'vpcpqresume',
        parser: 'vpc_flow_parquet',
        include: '\\\\.log\\\\.parquet$',
        output: opensearchOutput(index),
      },
    ]);
    const run = startSluice(['run', '--once', '--config', config]);
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-3000)).toBe(0);
    expect(await documentCount(index)).toBe(19_500);
    expect(await documentCount(index, { term: { srcaddr: generatedSrcaddr(10_500) } })).toBe(0);
    expect(await documentCount(index, { term: { srcaddr: generatedSrcaddr(10_501) } })).toBe(1);
    expect(await documentCount(index, { term: { srcaddr: generatedSrcaddr(30_000) } })).toBe(1);
    const after = await store().load();
    expect(after?.state.done[key]).toBeDefined();
    expect(after?.state.in_progress[key]).toBeUndefined();
  }, 180_000);

  it('reads a file of many row groups in bounded memory, no more for ten times the rows', async () => {
    const bucket = uniqueName('vpcpq-rss');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const measure = async (name: string, rows: number) => {
      const body = generatedParquet(rows, 20_000);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: flowKey(name, 'log.parquet'), Body: body }));
      const config = writeConfig(bucket, [
        {
          id: `rss${name}`,
          parser: 'vpc_flow_parquet',
          include: `_${name}\\\\.log\\\\.parquet$`,
          output: '{ type: stdout }',
        },
      ]);
      const run = await runSluiceSampled(['run', '--once', '--config', config]);
      expect(run.code, run.stderr.slice(-3000)).toBe(0);
      expect(run.samples).toBeGreaterThan(3);
      const summary = linesWith(run.stderr, 'sluice stopped')[0];
      expect(summary, run.stderr.slice(-3000)).toMatchObject({ objects: 1, events: rows, failed: 0 });
      return { rows, bytes: body.length, peak: run.peakRssBytes, ms: run.durationMs };
    };
    const small = await measure('s1', 100_000);
    const big = await measure('b1', 1_000_000);
    const show = (m: { rows: number; bytes: number; peak: number; ms: number }) =>
      `${m.rows} rows (${(m.bytes / MB).toFixed(1)} MB, ${m.rows / 20_000} row groups): peak RSS ${(m.peak / MB).toFixed(1)} MB in ${(m.ms / 1000).toFixed(1)} s`;
    console.log(`parquet memory: ${show(small)}; ${show(big)}`);
    // The bound of large-object-memory.test.ts (docs/GUARANTEES.md, "Memory does not grow with object size"), and no growth in proportion to the rows.
    expect(small.peak).toBeLessThan(200 * MB);
    expect(big.peak).toBeLessThan(200 * MB);
    expect(big.peak).toBeLessThan(small.peak + 40 * MB);
  }, 300_000);
});
