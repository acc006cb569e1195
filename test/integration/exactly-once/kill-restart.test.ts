import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import PQueue from 'p-queue';
import { describe, expect, it } from 'vitest';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { documentCount, duplicateTraceIds } from '../../helpers/index-assertions.js';
import { awsEndpoint, openSearchUrl, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

/**
 * The promise of sluice: a few hundred objects of mixed sizes, the process SIGKILLed at
 * random moments again and again and restarted, and at the end OpenSearch holds exactly one
 * document per record: none missing (count), none duplicated (no trace id twice).
 */
describe('exactly once across SIGKILLs', () => {
  const s3 = testS3Client();

  // The threaded variants (SLUICE_WORKER_THREADS=2: record loop and encoding on worker threads) on both stores.
  const variants = [
    { store: 's3', threads: 1 },
    { store: 'dynamodb', threads: 1 },
    { store: 's3', threads: 2 },
    { store: 'dynamodb', threads: 2 },
  ] as const;
  for (const { store, threads } of variants) {
    const env = { SLUICE_WORKER_THREADS: String(threads) };
    const named = threads === 1 ? '' : `, ${threads} worker threads`;
    it(`stores every record exactly once when the process is killed 10 times (${store} checkpoint${named})`, async () => {
      const bucket = uniqueName('kill');
      const index = uniqueName(`kill-${store}`);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      // Mixed sizes: many small objects, some medium, a few large enough to be killed mid-object.
      const sizes: number[] = [];
      for (let i = 0; i < 240; i++) sizes.push(i % 40 === 0 ? 12_000 : i % 7 === 0 ? 1500 : 1 + ((i * 37) % 300));
      const expected = sizes.reduce((a, b) => a + b, 0);
      const uploads = new PQueue({ concurrency: 16 });
      sizes.forEach((lines, i) => {
        // Keys dated like AWS delivers them: today and the two days before (live listing plans
        // partitions by key date around LastModified).
        const day = new Date(Date.now() - (i % 3) * 86_400_000);
        void uploads.add(() =>
          s3.send(new PutObjectCommand({ Bucket: bucket, Key: albKey('', day, i), Body: albObject(i, lines) })),
        );
      });
      await uploads.onIdle();

      const dir = mkdtempSync(join(tmpdir(), 'sluice-kill-'));
      const checkpoint =
        store === 's3'
          ? `{ type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1, lease_seconds: 3 }`
          : `{ type: dynamodb, table: ${uniqueName('ckpt')}, create_table: true, endpoint: "${awsEndpoint()}", region: us-east-1, lease_seconds: 3 }`;
      const config = join(dir, 'pipeline.yml');
      writeFileSync(
        config,
        `pipelines:
  - id: kill-test
    source:
      type: s3
      bucket: ${bucket}
      region: us-east-1
      endpoint: "${awsEndpoint()}"
      force_path_style: true
      poll_interval_seconds: 1
      max_objects_in_flight: 4
    parser: { type: alb }
    filters:
      - { type: date, field: time }
    outputs:
      - type: opensearch
        hosts: ["${openSearchUrl()}"]
        index: "${index}-%{+YYYY.MM.dd}"
        flush_events: 1000
        flush_interval_ms: 200
    checkpoint: ${checkpoint}
    checkpoint_every_records: 2000
`,
      );

      const count = () => documentCount(`${index}-*`);

      // Kill at random moments, at least 10 times, each run getting some work done.
      let kills = 0;
      const outputs: string[] = [];
      let progressAtKills: number[] = [];
      while (kills < 10) {
        const run = startSluice(['run', '--config', config], env);
        // Kill while it works: after it holds the lease (a killed holder's lease must expire first).
        await waitFor(() => run.output().includes('lease held'), 20_000, 'the lease').catch((error) => {
          throw new Error(`${(error as Error).message}; process output:\n${run.output().slice(-3000)}`);
        });
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 2500));
        run.child.kill('SIGKILL');
        const exit = await run.exited;
        outputs.push(run.output());
        expect(exit.signal).toBe('SIGKILL');
        kills++;
        progressAtKills.push(await count());
      }
      // A last run finishes the work, then drains on SIGTERM.
      const final = startSluice(['run', '--config', config], env);
      // Generous: on a loaded 2-core machine the last run takes minutes; quiet, about 20 s.
      await waitFor(async () => (await count()) >= expected, 360_000, `${expected} documents`).catch((error) => {
        throw new Error(`${(error as Error).message}; process output:\n${final.output().slice(-4000)}`);
      });
      // Give it a moment: a duplicate would show up as a count above the expected one.
      await new Promise((r) => setTimeout(r, 2000));
      final.child.kill('SIGTERM');
      const exit = await final.exited;
      expect(exit.code, final.output().slice(-2000)).toBe(0);
      // The threaded variant did run on threads (the in-process one never starts one).
      outputs.push(final.output());
      expect(outputs.some((output) => output.includes('record loop worker thread started'))).toBe(threads > 1);

      expect(await count()).toBe(expected);
      expect(await duplicateTraceIds(`${index}-*`)).toEqual([]);
      console.log(
        `kill test (${store}${named}): ${sizes.length} objects, ${expected} records, ${kills} SIGKILLs; documents after each kill: ${progressAtKills.join(', ')}`,
      );
      progressAtKills = [];
    }, 700_000);
  }
});
