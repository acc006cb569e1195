import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { awsEndpoint, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

describe('sluice status', () => {
  it('shows each checkpoint from the store: none yet, then done objects and a free lease, and the holder while a worker runs', async () => {
    const s3 = testS3Client();
    const bucket = uniqueName('status');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const day = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    for (let i = 0; i < 2; i++)
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: albKey('', day, i), Body: albObject(i, 5, day) }));
    const dir = mkdtempSync(join(tmpdir(), 'sluice-status-'));
    const config = join(dir, 'pipeline.yml');
    const aws = `endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1`;
    writeFileSync(
      config,
      `pipelines:
  - id: status-a
    source: { type: s3, bucket: ${bucket}, prefix: AWSLogs/, layout: alb, start_time: beginning, poll_interval_seconds: 1, ${aws} }
    parser: { type: alb }
    outputs: [ { type: file, path: out/a.ndjson } ]
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, lease_seconds: 30, ${aws} }
  - id: status-b
    source: { type: s3, bucket: ${bucket}, prefix: none/, start_time: now, ${aws} }
    parser: { type: lines }
    outputs: [ { type: file, path: out/b.ndjson } ]
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, ${aws} }
`,
    );
    const status = async (...args: string[]) => {
      const run = startSluice(['status', config, ...args]);
      const exit = await run.exited;
      expect(exit.code, run.output()).toBe(0);
      return run.output();
    };

    expect(await status('--pipeline', 'status-a')).toBe(
      `status-a  s3://${bucket}/checkpoints/status-a.json\n  no checkpoint yet: the pipeline has not started with this store\n`,
    );

    const once = startSluice(['run', '--once', '--config', config, '--pipeline', 'status-a']);
    expect((await once.exited).code, once.output().slice(-2000)).toBe(0);
    const after = await status();
    expect(after).toContain(`status-a  s3://${bucket}/checkpoints/status-a.json`);
    expect(after).toMatch(/ {2}watermark {4}\d{4}-\d\d-\d\dT[\d:.]+Z \(lag [^)]+\)/);
    expect(after).toContain('  done         2 object(s) in the lookback window');
    expect(after).toContain('  in progress  none');
    expect(after).toContain('  lease        free (the last holder stopped cleanly)');
    expect(after).toContain(`status-b  s3://${bucket}/checkpoints/status-b.json\n  no checkpoint yet`);

    // While a worker runs, the lease names it; status itself never takes it.
    const worker = startSluice(['run', '--config', config, '--pipeline', 'status-a']);
    let json: { pipeline: string; state: { lease: { owner: string; expires_at: number } | null } } | undefined;
    await waitFor(
      async () => {
        json = JSON.parse((await status('--pipeline', 'status-a', '--json')).trim());
        return json?.state.lease !== null;
      },
      30_000,
      'the worker holding the lease',
    );
    expect(json!.pipeline).toBe('status-a');
    expect(json!.state.lease!.expires_at).toBeGreaterThan(Date.now());
    const held = await status('--pipeline', 'status-a');
    expect(held).toContain(`  lease        held by ${json!.state.lease!.owner} until `);
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code, worker.output().slice(-2000)).toBe(0);
    expect(await status('--pipeline', 'status-a')).toContain('  lease        free');
  }, 120_000);
});
