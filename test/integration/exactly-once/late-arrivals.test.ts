import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import PQueue from 'p-queue';
import { describe, expect, it } from 'vitest';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { E2eIndex } from '../../helpers/e2e-opensearch.js';
import { s3Checkpoint, writePipelineConfig } from '../../helpers/e2e-pipeline-config.js';
import { testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

interface StoredCheckpoint {
  watermark: number | null;
  done: Record<string, { etag: string }>;
}

/**
 * The cases a single "last LastModified" cursor gets wrong (logstash-input-s3 #57, wazuh #1367):
 * objects arriving late with keys that sort before processed ones, many objects sharing one
 * LastModified second, and an object rewritten with new content. One live `sluice run` sees
 * them arrive in that order, after its watermark has moved, and must index each record once.
 */
describe('late arrivals, same-second objects and rewrites', () => {
  const s3 = testS3Client();

  it('indexes late, same-second and rewritten objects exactly once when they arrive after the watermark moved', async () => {
    const bucket = uniqueName('late');
    const index = uniqueName('late');
    const documents = new E2eIndex(`${index}-*`);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // Keys dated today, as AWS writes them: listing walks the partitions around the watermark.
    const today = new Date();
    const yesterday = new Date(today.getTime() - 86_400_000);
    const put = (key: string, body: Buffer) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const keyOf = new Map<number, string>();
    let expected = 0;
    const upload = async (objectIndex: number, lines: number, day = today) => {
      const key = albKey('', day, objectIndex);
      keyOf.set(objectIndex, key);
      expected += lines;
      await put(key, albObject(objectIndex, lines));
    };
    const readCheckpoint = async (): Promise<StoredCheckpoint | null> => {
      const got = await s3
        .send(new GetObjectCommand({ Bucket: bucket, Key: 'checkpoints/late.json' }))
        .catch(() => null);
      return got?.Body ? (JSON.parse(await got.Body.transformToString()) as StoredCheckpoint) : null;
    };

    // Phase 1: objects 100..119 are ingested and the watermark moves past them.
    for (let i = 100; i < 120; i++) await upload(i, 50);
    const { path } = writePipelineConfig({ id: 'late', bucket, index, checkpoint: s3Checkpoint(bucket) });
    const run = startSluice(['run', '--config', path]);
    const fail = (error: unknown): never => {
      throw new Error(`${(error as Error).message}; process output:\n${run.output().slice(-4000)}`);
    };
    try {
      await waitFor(async () => (await documents.count()) === expected, 60_000, `${expected} documents`).catch(fail);
      // From here on polls walk the partitions around the watermark: no more full listings.
      await waitFor(async () => (await readCheckpoint())?.watermark != null, 20_000, 'a watermark').catch(fail);

      // Phase 2: late objects whose keys sort before every processed key, today and in yesterday's partition.
      for (let i = 1; i <= 5; i++) await upload(i, 40);
      for (let i = 6; i <= 7; i++) await upload(i, 40, yesterday);
      expect([...keyOf.values()].slice(-7).every((key) => key < keyOf.get(100)!)).toBe(true);
      await waitFor(async () => (await documents.count()) === expected, 30_000, `${expected} documents`).catch(fail);

      // Phase 3: 50 objects uploaded at once, most sharing one LastModified second (retried if they
      // straddle one). On a loaded machine 50 PUTs can take longer than a second: what the case needs
      // is many objects in one second, past the watermark, so at least SAME_SECOND of them must share it.
      const SAME_SECOND = 20;
      let shared = 0;
      let next = 200;
      for (let attempt = 0; attempt < 6 && shared < 50; attempt++) {
        const first = next;
        next += 50;
        // Start just after a second begins, so that 50 small PUTs fit inside it.
        await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
        const uploads = new PQueue({ concurrency: 50 });
        for (let i = first; i < first + 50; i++) void uploads.add(() => upload(i, 20));
        await uploads.onIdle();
        const listed = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: keyOf.get(first)!.slice(0, keyOf.get(first)!.lastIndexOf('/')),
          }),
        );
        const seconds = new Map<number, number>();
        const batch = new Set(Array.from({ length: 50 }, (_, i) => keyOf.get(first + i)));
        for (const object of listed.Contents ?? []) {
          if (!batch.has(object.Key)) continue;
          const second = Math.floor(object.LastModified!.getTime() / 1000);
          seconds.set(second, (seconds.get(second) ?? 0) + 1);
        }
        shared = Math.max(...seconds.values());
      }
      expect(
        shared,
        `at least ${SAME_SECOND} objects of one upload share their LastModified second`,
      ).toBeGreaterThanOrEqual(SAME_SECOND);
      await waitFor(async () => (await documents.count()) === expected, 30_000, `${expected} documents`).catch(fail);

      // Phase 4: object 100 rewritten with new content (new ETag, new trace ids); its old records stay.
      const rewrittenKey = keyOf.get(100)!;
      const oldEtag = (await readCheckpoint())!.done[rewrittenKey]?.etag;
      await put(rewrittenKey, albObject(900, 30));
      expected += 30;
      await waitFor(async () => (await documents.count()) === expected, 30_000, `${expected} documents`).catch(fail);
      await waitFor(
        async () => {
          const etag = (await readCheckpoint())?.done[rewrittenKey]?.etag;
          return etag !== undefined && etag !== oldEtag;
        },
        10_000,
        'the rewritten version in the done-set',
      ).catch(fail);

      // A duplicate would show as a count above the expected one: give later polls time to make one.
      await new Promise((r) => setTimeout(r, 3000));
      expect(await documents.count()).toBe(expected);
      expect(await documents.duplicateTraceIds()).toEqual([]);
      expect(await documents.countObject(100)).toBe(50);
      expect(await documents.countObject(900)).toBe(30);
      for (const late of [1, 5, 6, 7]) expect(await documents.countObject(late)).toBe(40);
      expect(await documents.countObject(249)).toBe(20);
      console.log(
        `late arrivals: ${keyOf.size} objects (7 late, ${next - 200} in same-second batches, ${shared} in one second, 1 rewrite), ${expected} documents`,
      );
    } finally {
      run.child.kill('SIGTERM');
    }
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-2000)).toBe(0);
  }, 90_000);
});
