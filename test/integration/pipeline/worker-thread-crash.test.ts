import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { albObject } from '../../helpers/alb-data.js';
import { documentCount, duplicateTraceIds } from '../../helpers/index-assertions.js';
import { awsEndpoint, openSearchUrl, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';

const HOOK = resolve(import.meta.dirname, '../../helpers/thread-exit-hook.mjs');

/**
 * A worker thread that dies mid-object (test/helpers/thread-exit-hook.mjs ends it with
 * process.exit while it holds batches) is not the object's fault: the batches it held fail as
 * an error of no level (a bug or a resource fault, like the process dying), so the object is
 * neither quarantined nor marked done and the pipeline pauses (core/error-codes.ts: the pipeline
 * level). The paused pipeline retries from its checkpoint with a new thread. At the end every
 * record is stored exactly once: none lost with the thread, none stored twice by the retry.
 */
describe('a worker thread that dies', () => {
  const s3 = testS3Client();

  it('pauses the pipeline, loses and duplicates nothing, and the retry finishes (2 threads)', async () => {
    const bucket = uniqueName('thread-exit');
    const index = uniqueName('thread-exit');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // Several 2,000-record batches per object, so the thread dies with batches before and after it sent.
    const sizes = [9_000, 7_000, 300];
    for (const [i, lines] of sizes.entries()) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `logs/${i}.log.gz`, Body: albObject(40 + i, lines) }));
    }
    const expected = sizes.reduce((a, b) => a + b, 0);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-thread-exit-'));
    const marker = join(dir, 'thread-exited');
    const config = join(dir, 'pipeline.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: thread-exit
    source: { type: s3, bucket: ${bucket}, prefix: logs/, region: us-east-1, endpoint: "${awsEndpoint()}", force_path_style: true, start_time: beginning, max_objects_in_flight: 2 }
    parser: { type: alb }
    filters:
      - { type: date, field: time }
    outputs:
      - { type: opensearch, hosts: ["${openSearchUrl()}"], index: "${index}", flush_events: 1000, flush_interval_seconds: 0.2 }
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1 }
    checkpoint_every_records: 1000
`,
    );
    const sluice = startSluice(['run', '--once', '--config', config], {
      SLUICE_WORKER_THREADS: '2',
      NODE_OPTIONS: `--import ${HOOK}`,
      SLUICE_TEST_THREAD_EXIT_MARKER: marker,
      SLUICE_TEST_THREAD_EXIT_AFTER: '3',
    });
    const exit = await sluice.exited;
    const output = sluice.output();
    // The hook did end a thread mid-run, and the run still ended on its own, successfully.
    expect(existsSync(marker), output.slice(-3000)).toBe(true);
    expect(exit.code, `${readFileSync(marker, 'utf8')}${output.slice(-3000)}`).toBe(0);
    // Logged as an error of no level (ERR_UNEXPECTED), the pipeline paused and resumed, the objects
    // resumed after what was acknowledged before the thread died, none quarantined.
    expect(output).toMatch(/"code":"ERR_UNEXPECTED".*worker thread exited \(code 70\)/);
    expect(output).toContain('pipeline resumed: the fault it was paused on is gone');
    expect(output).toContain('resuming object after its last acknowledged record');
    expect(output).toContain('"failedObjects":0');
    expect(output).not.toMatch(/quarantin/i);
    expect(await documentCount(index)).toBe(expected);
    expect(await duplicateTraceIds(index)).toEqual([]);
  }, 300_000);
});
