import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3CheckpointStore } from '../../../src/checkpoint/s3-checkpoint-store.js';
import { emptyState } from '../../../src/checkpoint/state.js';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { documentCount } from '../../helpers/index-assertions.js';
import { awsEndpoint, openSearchUrl, testOpenSearchClient, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';

/**
 * A crash left an object half-read, and its key sits in a date partition the live listing no
 * longer plans (its key is dated long before its LastModified). The runner must find it through
 * the checkpoint and finish it from its offset, not leave it half-read forever.
 */
describe('objects in progress that a listing does not return', () => {
  it('are resumed by key from their offset when their partition is outside the listing window', async () => {
    const s3 = testS3Client();
    const bucket = uniqueName('unlisted');
    const index = uniqueName('unlisted');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const oldKey = albKey('AWSLogs/', new Date(Date.UTC(2024, 4, 1)), 1);
    const newKey = albKey('AWSLogs/', new Date(), 2);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: oldKey, Body: albObject(1, 3000) }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: newKey, Body: albObject(2, 10) }));
    const head = async (key: string) => {
      const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { etag: h.ETag!.replace(/"/g, ''), lastModified: h.LastModified!.getTime() };
    };
    const old = await head(oldKey);
    const recent = await head(newKey);

    // The checkpoint a crashed worker left: the recent object done, the old one acknowledged up to record 1000.
    const state = emptyState();
    state.watermark = Date.now() - 10 * 60_000;
    state.done[newKey] = { etag: recent.etag, last_modified: recent.lastModified };
    state.in_progress[oldKey] = { etag: old.etag, last_modified: old.lastModified, record: 1000 };
    await new S3CheckpointStore({
      client: s3,
      bucket,
      prefix: 'checkpoints',
      name: 'unlisted',
      pipeline: 'unlisted',
    }).save(state, null);

    const config = join(mkdtempSync(join(tmpdir(), 'sluice-unlisted-')), 'pipeline.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: unlisted
    source: { type: s3, bucket: ${bucket}, prefix: AWSLogs/, layout: alb, region: us-east-1, endpoint: "${awsEndpoint()}", force_path_style: true }
    parser: { type: alb }
    outputs: [ { type: opensearch, hosts: ["${openSearchUrl()}"], index: "${index}" } ]
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1 }
`,
    );
    const run = startSluice(['run', '--once', '--config', config]);
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-3000)).toBe(0);
    expect(run.output()).toContain('resuming an object in progress that the listing did not return');
    // Records 1001..3000 of the old object; nothing of the done one.
    expect(await documentCount(index)).toBe(2000);
    const first = await testOpenSearchClient().search({
      index,
      body: {
        size: 1,
        sort: [{ 'trace_id.keyword': 'asc' }],
        query: { term: { 'trace_id.keyword': 'Root=1-1-1001' } },
      } as Record<string, unknown>,
    });
    expect(first.body.hits.hits).toHaveLength(1);
    const after = await new S3CheckpointStore({
      client: s3,
      bucket,
      prefix: 'checkpoints',
      name: 'unlisted',
      pipeline: 'unlisted',
    }).load();
    expect(after?.state.done[oldKey]?.etag).toBe(old.etag);
    expect(after?.state.in_progress[oldKey]).toBeUndefined();
  }, 90_000);
});
