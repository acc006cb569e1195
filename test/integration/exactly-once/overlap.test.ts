import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import PQueue from 'p-queue';
import { describe, expect, it } from 'vitest';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { linesWith, lineTime } from '../../helpers/e2e-logs.js';
import { E2eIndex } from '../../helpers/e2e-opensearch.js';
import { dynamodbCheckpoint, s3Checkpoint, writePipelineConfig } from '../../helpers/e2e-pipeline-config.js';
import { testS3Client, uniqueName } from '../../helpers/services.js';
import { type SluiceProcess, startSluice, waitFor } from '../../helpers/sluice-process.js';

const LEASE_SECONDS = 3;
/**
 * Takeover budget beyond the lease: one acquire poll (lease/3) plus a load and a save on a loaded
 * 2-core machine. Takeovers measured 1.9-3.0 s after the kill; lease + slack is 3x the slowest.
 */
const TAKEOVER_SLACK_MS = 6000;
const HELD = 'lease held';
const WAITING = 'another task holds the pipeline lease';

/**
 * An ECS deployment overlap: two `sluice run` tasks on the same pipeline at once. The checkpoint
 * lives on the serial moto server, whose conditional writes are atomic (plain moto's are not),
 * so the lease race is real. One task works, the other waits; killing the worker hands the
 * lease to the waiter within the lease time, and every record ends up indexed exactly once.
 */
describe('two workers on one pipeline (deployment overlap)', () => {
  const s3 = testS3Client();

  for (const store of ['dynamodb', 's3'] as const) {
    it(`keeps one active worker and takes over within the lease when the active one is killed (${store} checkpoint)`, async () => {
      const bucket = uniqueName('overlap');
      const index = uniqueName(`overlap-${store}`);
      const documents = new E2eIndex(`${index}-*`);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      let checkpoint: string;
      if (store === 's3') {
        const checkpointBucket = uniqueName('overlap-ckpt');
        await testS3Client(true).send(new CreateBucketCommand({ Bucket: checkpointBucket }));
        checkpoint = s3Checkpoint(checkpointBucket, LEASE_SECONDS, true);
      } else {
        checkpoint = dynamodbCheckpoint(uniqueName('overlap-ckpt'), LEASE_SECONDS, true);
      }

      // Enough work that the active task is killed in the middle of it.
      const sizes = Array.from({ length: 24 }, (_, i) => (i % 8 === 0 ? 2500 : 100 + ((i * 53) % 300)));
      const expected = sizes.reduce((a, b) => a + b, 0);
      const uploads = new PQueue({ concurrency: 8 });
      const today = new Date();
      sizes.forEach((lines, i) => {
        void uploads.add(() =>
          s3.send(new PutObjectCommand({ Bucket: bucket, Key: albKey('', today, i), Body: albObject(i, lines) })),
        );
      });
      await uploads.onIdle();

      const { path } = writePipelineConfig({
        id: 'overlap',
        bucket,
        index,
        checkpoint,
        pipelineExtra: '    checkpoint_every_records: 1000',
      });
      const tasks = [startSluice(['run', '--config', path]), startSluice(['run', '--config', path])];
      const all = () => tasks.map((task, i) => `--- task ${i} ---\n${task.output().slice(-2500)}`).join('\n');
      const fail = (error: unknown): never => {
        throw new Error(`${(error as Error).message}; output:\n${all()}`);
      };
      try {
        // Both race for the lease: exactly one wins, the other says it waits for it.
        await waitFor(() => tasks.some((task) => task.output().includes(HELD)), 30_000, 'a lease holder').catch(fail);
        const active = tasks.find((task) => task.output().includes(HELD))!;
        const standby = tasks.find((task) => task !== active)!;
        await waitFor(() => standby.output().includes(WAITING), 15_000, 'the standby to wait').catch(fail);
        const activeOwner = linesWith(active.output(), HELD)[0]!.owner;
        expect(linesWith(standby.output(), WAITING)[0]!.holder).toBe(activeOwner);

        // Kill the active task while it works.
        await waitFor(async () => (await documents.count()) > 0, 30_000, 'the first documents').catch(fail);
        expect(standby.output(), 'the standby never held the lease alongside the active task').not.toContain(HELD);
        const before = await documents.count();
        active.child.kill('SIGKILL');
        const killedAt = Date.now();
        expect((await active.exited).signal).toBe('SIGKILL');
        expect(before, 'killed in the middle of the work').toBeLessThan(expected);

        await waitFor(() => standby.output().includes(HELD), (LEASE_SECONDS + 10) * 1000, 'the takeover').catch(fail);
        const held = linesWith(standby.output(), HELD)[0]!;
        const takeoverMs = lineTime(held) - killedAt;
        const tookOver = linesWith(standby.output(), 'took over the expired pipeline lease')[0];
        expect(tookOver?.previous_owner).toBe(activeOwner);
        expect(takeoverMs).toBeGreaterThan(0);
        expect(takeoverMs).toBeLessThan(LEASE_SECONDS * 1000 + TAKEOVER_SLACK_MS);

        await waitFor(async () => (await documents.count()) >= expected, 60_000, `${expected} documents`).catch(fail);
        // A duplicate would show as a count above the expected one.
        await new Promise((r) => setTimeout(r, 2000));
        expect(await documents.count()).toBe(expected);
        expect(await documents.duplicateTraceIds()).toEqual([]);
        expect(linesWith(standby.output(), 'lost the pipeline lease')).toEqual([]);
        console.log(
          `overlap (${store}): ${sizes.length} objects, ${expected} records, killed the active task at ${before} documents; ` +
            `standby took over ${takeoverMs} ms after the SIGKILL (lease ${LEASE_SECONDS} s)`,
        );
      } finally {
        for (const task of tasks) task.child.kill('SIGTERM');
      }
      await stopped(tasks);
    }, 90_000);
  }
});

async function stopped(tasks: SluiceProcess[]): Promise<void> {
  for (const task of tasks) {
    const exit = await task.exited;
    if (exit.signal !== 'SIGKILL') expect(exit.code, task.output().slice(-2000)).toBe(0);
  }
}
