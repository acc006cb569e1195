/**
 * The cutover of docs/MIGRATING-FROM-LOGSTASH.md, step by step against the real S3: a bucket
 * with history, `start_time` at Logstash's sincedb time plus one second (or `now`), restarts that
 * keep the cutover where it was, and a backfill of the history that adds no duplicate.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { documentCount, duplicateTraceIds } from '../../helpers/index-assertions.js';
import { awsEndpoint, openSearchUrl, testOpenSearchClient, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';

const s3 = testS3Client();
const indices: string[] = [];
afterAll(async () => {
  for (const index of indices)
    await testOpenSearchClient()
      .indices.delete({ index: `${index}-*` })
      .catch(() => undefined);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const today = () => new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);

/** A bucket and a pipeline over it; `configure` writes its config, `startTime` as `source.start_time`. */
async function setup(id: string) {
  const bucket = uniqueName(id);
  const index = uniqueName(id);
  indices.push(index);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const dir = mkdtempSync(join(tmpdir(), `sluice-${id}-`));
  const config = join(dir, 'pipeline.yml');
  const configure = (startTime: string) =>
    writeFileSync(
      config,
      `pipelines:
  - id: ${id}
    source:
      type: s3
      bucket: ${bucket}
      prefix: AWSLogs/
      layout: alb
      region: us-east-1
      endpoint: "${awsEndpoint()}"
      force_path_style: true
      start_time: "${startTime}"
    parser: { type: alb }
    filters: [ { type: date, field: time } ]
    outputs:
      - type: opensearch
        hosts: ["${openSearchUrl()}"]
        index: "${index}-%{+YYYY.MM.dd}"
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1, lease_seconds: 3 }
`,
    );
  /** Uploads `count` objects of `lines` records each, today's partition; returns their greatest LastModified. */
  const deliver = async (first: number, count: number, lines: number): Promise<Date> => {
    for (let i = first; i < first + count; i++)
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: albKey('', today(), i), Body: albObject(i, lines, today()) }),
      );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'AWSLogs/' }));
    const ours = (listed.Contents ?? []).filter((o) =>
      Array.from({ length: count }, (_, k) => albKey('', today(), first + k)).includes(o.Key!),
    );
    return new Date(Math.max(...ours.map((o) => o.LastModified!.getTime())));
  };
  const runOnce = async (args = ['run', '--once']) => {
    const run = startSluice([...args, '--config', config]);
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-3000)).toBe(0);
    return run.output();
  };
  const checkpoint = async (): Promise<{ start_time?: number; done: Record<string, unknown> }> => {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `checkpoints/${id}.json` }));
    return JSON.parse(await got.Body!.transformToString('utf8'));
  };
  return { configure, deliver, runOnce, checkpoint, count: () => documentCount(`${index}-*`), pattern: `${index}-*` };
}

describe('start_time', () => {
  it('never reads what Logstash indexed and reads what arrived after its sincedb time when the cutover is a timestamp', async () => {
    const pipeline = await setup('cutover');
    // Logstash indexed three objects, then was stopped; its sincedb holds the newest LastModified.
    const sincedb = await pipeline.deliver(0, 3, 10);
    pipeline.configure(new Date(sincedb.getTime() + 1000).toISOString());
    // Delivered while neither ran: after the sincedb time, before sluice's first start.
    await sleep(1100);
    const gap = await pipeline.deliver(10, 2, 20);
    expect(gap.getTime()).toBeGreaterThanOrEqual(sincedb.getTime() + 1000);

    await pipeline.runOnce();
    expect(await pipeline.count()).toBe(2 * 20);

    // Restarted later, with new deliveries: the cutover has not moved, Logstash's share stays unread.
    await pipeline.deliver(20, 2, 30);
    await pipeline.runOnce();
    expect(await pipeline.count()).toBe(2 * 20 + 2 * 30);
    expect(await duplicateTraceIds(pipeline.pattern)).toEqual([]);
  }, 120_000);

  it('keeps the instant of the first start across restarts and leaves the history to a backfill without duplicates when it is now', async () => {
    const pipeline = await setup('start-now');
    pipeline.configure('now');
    const history = await pipeline.deliver(0, 3, 10);
    await sleep(1100);

    const first = await pipeline.runOnce();
    expect(await pipeline.count()).toBe(0);
    const recorded = (await pipeline.checkpoint()).start_time!;
    expect(recorded).toBeGreaterThan(history.getTime());
    expect(recorded % 1000).toBe(0);
    expect(first).toContain('objects last modified before start_time are not read');

    await sleep(1100);
    await pipeline.deliver(10, 2, 30);
    await sleep(1100);
    // A restart after new deliveries: `now` is not taken again, so these are read.
    await pipeline.runOnce();
    expect(await pipeline.count()).toBe(2 * 30);
    const state = await pipeline.checkpoint();
    expect(state.start_time).toBe(recorded);
    expect(Object.keys(state.done)).toHaveLength(2);

    // The history, by the date in its keys: read by a backfill, with the same ids for what the live worker read.
    const day = today();
    const next = new Date(day.getTime() + 86_400_000);
    await pipeline.runOnce(['backfill', '--from', day.toISOString(), '--to', next.toISOString()]);
    expect(await pipeline.count()).toBe(3 * 10 + 2 * 30);
    expect(await duplicateTraceIds(pipeline.pattern)).toEqual([]);
    expect((await pipeline.checkpoint()).start_time).toBe(recorded);
  }, 120_000);
});
