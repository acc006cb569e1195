import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import PQueue from 'p-queue';
import { describe, expect, it } from 'vitest';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { documentCount, duplicateTraceIds } from '../../helpers/index-assertions.js';
import { awsEndpoint, openSearchUrl, testOpenSearchClient, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

describe('backfill', () => {
  const s3 = testS3Client();
  const opensearch = testOpenSearchClient();

  it('ingests exactly the objects of the date range, resumes after SIGKILL, and exits 0 with a summary', async () => {
    const bucket = uniqueName('backfill');
    const index = uniqueName('backfill');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // Six days of partitions, 8 objects a day; the backfill takes days 2, 3 and 4.
    const uploads = new PQueue({ concurrency: 16 });
    let expected = 0;
    for (let day = 1; day <= 6; day++) {
      for (let i = 0; i < 8; i++) {
        const objectIndex = day * 100 + i;
        const date = new Date(Date.UTC(2024, 4, day));
        const lines = i === 0 ? 6000 : 400 + i * 50;
        if (day >= 2 && day <= 4) expected += lines;
        void uploads.add(() =>
          s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: albKey('ALB/', date, objectIndex),
              Body: albObject(objectIndex, lines, date),
            }),
          ),
        );
      }
    }
    await uploads.onIdle();

    const dir = mkdtempSync(join(tmpdir(), 'sluice-backfill-'));
    const config = join(dir, 'pipeline.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: backfill-test
    source:
      type: s3
      bucket: ${bucket}
      prefix: ALB/
      layout: alb
      region: us-east-1
      endpoint: "${awsEndpoint()}"
      force_path_style: true
      max_objects_in_flight: 2
    parser: { type: alb }
    filters: [ { type: date, field: time } ]
    outputs:
      - type: opensearch
        hosts: ["${openSearchUrl()}"]
        index: "${index}-%{+YYYY.MM.dd}"
        flush_events: 1000
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1, lease_seconds: 3 }
    checkpoint_every_records: 1000
`,
    );
    const count = () => documentCount(`${index}-*`);
    const env = {
      SLUICE_BACKFILL_FROM: '2024-05-02',
      SLUICE_BACKFILL_TO: '2024-05-05',
      SLUICE_PROGRESS_INTERVAL_SECONDS: '1',
    };

    // First attempt: killed once it has made some progress.
    const first = startSluice(['run', '--config', config], env);
    await waitFor(async () => (await count()) > 0, 60_000, 'first documents').catch((error) => {
      throw new Error(`${(error as Error).message}\n${first.output().slice(-3000)}`);
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const afterKill = await count();

    // The same backfill again resumes from its own checkpoint and finishes.
    const second = startSluice(['backfill', '--from', '2024-05-02', '--to', '2024-05-05', '--config', config], {
      SLUICE_PROGRESS_INTERVAL_SECONDS: '1',
    });
    const exit = await second.exited;
    expect(exit.code, second.output().slice(-3000)).toBe(0);
    expect(second.output()).toMatch(/backfill done: \d+ objects, \d+ bytes, \d+ events in [\d.]+ s/);
    expect(second.output()).toContain('"msg":"backfill progress"');
    expect(await count()).toBe(expected);
    expect(await duplicateTraceIds(`${index}-*`)).toEqual([]);
    // Only days 2..4 (by the log's own date in the key), in their own daily indices.
    const indices = await opensearch.cat.indices({ index: `${index}-*`, format: 'json' });
    expect((indices.body as Array<{ index: string }>).map((i) => i.index).sort()).toEqual([
      `${index}-2024.05.02`,
      `${index}-2024.05.03`,
      `${index}-2024.05.04`,
    ]);
    // The live checkpoint is never touched: only the backfill's own checkpoint exists.
    const checkpoints = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'checkpoints/' }));
    expect(checkpoints.Contents?.map((o) => o.Key)).toEqual([
      'checkpoints/backfill-backfill-test-20240502T000000Z-20240505T000000Z.json',
    ]);
    console.log(
      `backfill: ${expected} records in range; ${afterKill} indexed before the SIGKILL; resumed to ${expected}`,
    );
  }, 240_000);
});
