import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { awsEndpoint, openSearchUrl, testOpenSearchClient, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';

describe('sluice backfill --dry-run', () => {
  it('lists the objects of the range with their count and bytes and writes nothing when given a range', async () => {
    const s3 = testS3Client();
    const bucket = uniqueName('dry-run');
    const index = uniqueName('dry-run');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // Four days, three objects a day; the range takes days 2 and 3.
    const inRange: Array<{ key: string; size: number }> = [];
    for (let day = 1; day <= 4; day++) {
      for (let i = 0; i < 3; i++) {
        const date = new Date(Date.UTC(2024, 4, day));
        const key = albKey('', date, day * 10 + i);
        const body = albObject(day * 10 + i, 5 + i, date);
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
        if (day === 2 || day === 3) inRange.push({ key, size: body.length });
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'sluice-dry-run-'));
    const config = join(dir, 'pipeline.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: dry
    source:
      type: s3
      bucket: ${bucket}
      prefix: AWSLogs/
      layout: alb
      region: us-east-1
      endpoint: "${awsEndpoint()}"
      force_path_style: true
      start_time: now
    parser: { type: alb }
    outputs:
      - type: opensearch
        hosts: ["${openSearchUrl()}"]
        index: "${index}-%{+YYYY.MM.dd}"
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1 }
    dead_letter: { type: s3, bucket: ${bucket}, prefix: dead-letter, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1 }
`,
    );
    const run = startSluice([
      'backfill',
      '--dry-run',
      '--from',
      '2024-05-02',
      '--to',
      '2024-05-04',
      '--config',
      config,
    ]);
    const exit = await run.exited;
    const output = run.output();
    expect(exit.code, output.slice(-3000)).toBe(0);

    const listed = output
      .split('\n')
      .filter((line) => line.startsWith('dry\t'))
      .map((line) => line.split('\t'));
    expect(listed.map(([, object]) => object).sort()).toEqual(inRange.map((o) => `${bucket}/${o.key}`).sort());
    for (const [, object, size, lastModified] of listed) {
      expect(Number(size)).toBe(inRange.find((o) => `${bucket}/${o.key}` === object)!.size);
      expect(new Date(lastModified!).toISOString()).toBe(lastModified);
    }
    const bytes = inRange.reduce((sum, o) => sum + o.size, 0);
    expect(output).toContain(
      `sluice backfill --dry-run [2024-05-02T00:00:00.000Z, 2024-05-04T00:00:00.000Z): dry: 6 object(s), ${bytes} bytes`,
    );

    // Nothing written: no checkpoint, no dead letter, no index.
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((objects.Contents ?? []).filter((o) => !o.Key!.startsWith('AWSLogs/'))).toEqual([]);
    const indices = await testOpenSearchClient().indices.get({ index: `${index}-*` });
    expect(Object.keys(indices.body)).toEqual([]);
  }, 60_000);

  it('exits 64 naming --from when sluice run is given --dry-run without a range', async () => {
    const run = startSluice(['run', '--dry-run', '--config', 'pipelines']);
    const exit = await run.exited;
    expect(exit.code).toBe(64);
    expect(run.output()).toContain('--dry-run lists what a backfill would read: give --from');
  });
});
