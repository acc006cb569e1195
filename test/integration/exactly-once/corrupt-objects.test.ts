import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { albKey, albLine, albObject } from '../../helpers/alb-data.js';
import { linesWith } from '../../helpers/e2e-logs.js';
import { E2eIndex } from '../../helpers/e2e-opensearch.js';
import { s3Checkpoint, writePipelineConfig } from '../../helpers/e2e-pipeline-config.js';
import { testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

const MAX_OBJECT_ATTEMPTS = 2;
const CORRUPT = 10;
const TRUNCATED = 11;
const GARBAGE_LINE_OBJECT = 12;
const GARBAGE_RECORD = 25;
const GARBAGE = 'this line is not an ALB access log record';

interface DeadLetterLine {
  pipeline: string;
  bucket: string;
  key: string;
  etag: string;
  record: number;
  code: string;
  reason: string;
  raw?: string;
}

/**
 * One bad object must neither stall the others nor be retried forever (data-prepper #3809):
 * a corrupt gzip and a truncated gzip are tried max_object_attempts times, then quarantined to
 * the dead-letter with their reason and marked done-with-failure in the checkpoint; a record
 * that does not parse goes to the dead-letter with its text while its neighbours are indexed.
 */
describe('corrupt objects and records', () => {
  const s3 = testS3Client();

  it('quarantines corrupt and truncated gzip after bounded attempts and dead-letters a bad record when normal objects flow around them', async () => {
    const bucket = uniqueName('corrupt');
    const index = uniqueName('corrupt');
    const documents = new E2eIndex(`${index}-*`);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const today = new Date();
    const key = (objectIndex: number) => albKey('', today, objectIndex);
    const put = (objectIndex: number, body: Buffer) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(objectIndex), Body: body }));

    // Bad objects sort first: a runner that stalled on them would never reach the good ones.
    await put(
      CORRUPT,
      Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('garbage, not deflate data '.repeat(40))]),
    );
    const whole = albObject(TRUNCATED, 1000);
    const truncated = whole.subarray(0, Math.floor(whole.length / 2));
    await put(TRUNCATED, truncated);
    const lines = Array.from({ length: 50 }, (_, i) =>
      i + 1 === GARBAGE_RECORD ? GARBAGE : albLine(GARBAGE_LINE_OBJECT, i + 1),
    );
    await put(GARBAGE_LINE_OBJECT, gzipSync(`${lines.join('\n')}\n`));
    for (let i = 20; i < 26; i++) await put(i, albObject(i, 100));
    let expectedGood = 6 * 100 + 49;

    const config = writePipelineConfig({
      id: 'corrupt',
      bucket,
      index,
      checkpoint: s3Checkpoint(bucket),
      pipelineExtra: `    dead_letter: { type: file, path: dead-letter.ndjson }\n    max_object_attempts: ${MAX_OBJECT_ATTEMPTS}`,
    });
    const deadLetterPath = join(config.dir, 'dead-letter.ndjson');
    const deadLetters = (): DeadLetterLine[] =>
      existsSync(deadLetterPath)
        ? readFileSync(deadLetterPath, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as DeadLetterLine)
        : [];
    const run = startSluice(['run', '--config', config.path]);
    const fail = (error: unknown): never => {
      const entries = deadLetters().map((entry) => `${entry.key} ${entry.record} ${entry.code}`);
      throw new Error(
        `${(error as Error).message}; dead-letter:\n${entries.join('\n')}\nprocess output:\n${run.output().slice(-4000)}`,
      );
    };
    const goodDocuments = async () => (await documents.count()) - (await documents.countObject(TRUNCATED));
    try {
      await waitFor(async () => (await goodDocuments()) === expectedGood, 45_000, `${expectedGood} documents`).catch(
        fail,
      );
      await waitFor(() => deadLetters().length === 3, 30_000, 'three dead-letter entries').catch(fail);

      // The run goes on: an object uploaded after the quarantine is read.
      await put(26, albObject(26, 100));
      expectedGood += 100;
      await waitFor(async () => (await goodDocuments()) === expectedGood, 30_000, `${expectedGood} documents`).catch(
        fail,
      );
      // Several more polls: a quarantined object must not be tried again.
      await new Promise((r) => setTimeout(r, 4000));

      for (const bad of [CORRUPT, TRUNCATED]) {
        const ofKey = (message: string) => linesWith(run.output(), message).filter((line) => line.key === key(bad));
        const retries = ofKey('object failed; retrying');
        const quarantined = ofKey('object quarantined to the dead-letter');
        expect(retries.length + quarantined.length, `attempts at object ${bad}`).toBe(MAX_OBJECT_ATTEMPTS);
        expect(quarantined).toHaveLength(1);
        expect(quarantined[0]).toMatchObject({ code: 'ERR_DECOMPRESS', attempts: MAX_OBJECT_ATTEMPTS });

        const entry = deadLetters().find((line) => line.key === key(bad));
        expect(entry).toMatchObject({ pipeline: 'corrupt', bucket, code: 'ERR_DECOMPRESS', record: 0 });
        expect(entry!.reason).toContain(`after ${MAX_OBJECT_ATTEMPTS} attempts`);
      }
      const record = deadLetters().find((line) => line.key === key(GARBAGE_LINE_OBJECT));
      expect(record).toMatchObject({ code: 'ERR_RECORD_PARSE', record: GARBAGE_RECORD, raw: GARBAGE, bucket });
      expect(await documents.countObject(GARBAGE_LINE_OBJECT)).toBe(49);
      for (const neighbour of [GARBAGE_RECORD - 1, GARBAGE_RECORD + 1]) {
        expect(
          await documents.count({ term: { 'trace_id.keyword': `Root=1-${GARBAGE_LINE_OBJECT}-${neighbour}` } }),
        ).toBe(1);
      }
      // A truncated object may have had whole batches indexed before the cut: at most what decodes, never twice.
      expect(await documents.countObject(TRUNCATED)).toBeLessThan(1000);
      expect(await documents.duplicateTraceIds()).toEqual([]);
      expect(await goodDocuments()).toBe(expectedGood);

      // The checkpoint holds them as done with the failure, which is why they are not retried.
      const checkpoint = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'checkpoints/corrupt.json' }));
      const state = JSON.parse(await checkpoint.Body!.transformToString()) as {
        done: Record<string, { failed?: string }>;
      };
      expect(state.done[key(CORRUPT)]?.failed).toContain('gzip');
      expect(state.done[key(TRUNCATED)]?.failed).toContain('gzip');
      expect(state.done[key(20)]?.failed).toBeUndefined();
    } finally {
      run.child.kill('SIGTERM');
    }
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-2000)).toBe(0);
  }, 90_000);
});
