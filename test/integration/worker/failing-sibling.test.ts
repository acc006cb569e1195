import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { freePort } from '../../helpers/free-port.js';
import { documentCount } from '../../helpers/index-assertions.js';
import { awsEndpoint, openSearchUrl, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

describe('a failing pipeline beside a healthy one', () => {
  it('is reported unhealthy in /readyz while its sibling keeps indexing and /healthz stays 200', async () => {
    const s3 = testS3Client();
    const bucket = uniqueName('sibling');
    const index = uniqueName('sibling');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (let i = 0; i < 3; i++) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: albKey('AWSLogs/', new Date(), i), Body: albObject(i, 500) }),
      );
    }
    // The broken pipeline points at a port where nothing listens.
    const deadPort = await freePort();
    const httpPort = await freePort();
    const source = `{ type: s3, bucket: ${bucket}, prefix: AWSLogs/, region: us-east-1, endpoint: "${awsEndpoint()}", force_path_style: true, poll_interval_seconds: 1 }`;
    const checkpoint = (id: string) =>
      `{ type: s3, bucket: ${bucket}, prefix: ckpt-${id}, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1, lease_seconds: 5 }`;
    const config = join(mkdtempSync(join(tmpdir(), 'sluice-sibling-')), 'pipelines.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: healthy
    source: ${source}
    parser: { type: alb }
    outputs: [ { type: opensearch, hosts: ["${openSearchUrl()}"], index: "${index}" } ]
    checkpoint: ${checkpoint('healthy')}
  - id: broken
    source: ${source}
    parser: { type: alb }
    outputs: [ { type: opensearch, hosts: ["http://127.0.0.1:${deadPort}"], index: "${index}-broken", max_retries: 0 } ]
    checkpoint: ${checkpoint('broken')}
`,
    );
    const run = startSluice(['run', '--config', config], { SLUICE_HTTP_PORT: String(httpPort) });
    await waitFor(async () => (await documentCount(index)) === 1500, 60_000, 'the healthy pipeline').catch((error) => {
      throw new Error(`${(error as Error).message}\n${run.output().slice(-3000)}`);
    });
    let ready:
      | { status: number; body: { pipelines: Record<string, { state: string; lastError?: string }> } }
      | undefined;
    await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
        ready = { status: response.status, body: (await response.json()) as NonNullable<typeof ready>['body'] };
        return ready.body.pipelines.broken?.state === 'failing';
      },
      30_000,
      'the broken pipeline to be reported',
    );
    expect(ready?.status).toBe(503);
    expect(ready?.body.pipelines.healthy?.state).toBe('running');
    expect(ready?.body.pipelines.broken?.lastError).toMatch(/127\.0\.0\.1|reach|connect/i);
    expect((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toContain('sluice_pipeline_healthy{pipeline="broken"} 0');
    expect(metrics).toContain('sluice_pipeline_healthy{pipeline="healthy"} 1');
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 120_000);
});
