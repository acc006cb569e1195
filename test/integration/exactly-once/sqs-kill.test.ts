import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import PQueue from 'p-queue';
import { describe, expect, it } from 'vitest';
import { albObject } from '../../helpers/alb-data.js';
import { documentCount, duplicateTraceIds } from '../../helpers/index-assertions.js';
import { testS3Client, testSqsClient } from '../../helpers/services.js';
import { waitFor } from '../../helpers/sluice-process.js';
import { SluiceTasks } from '../../helpers/sqs-kill-kit.js';
import { messagesLeft, notificationPipeline, notifiedBucket, s3Record } from '../../helpers/sqs-notifications.js';

/**
 * Several tasks on one queue, one of them SIGKILLed while it works and replaced: every record
 * is stored exactly once, and the killed task's objects are finished by the others (its claims
 * expire, its messages reappear after the visibility timeout).
 */
describe('notification mode across SIGKILLs', () => {
  const s3 = testS3Client();
  const sqs = testSqsClient();

  it('stores every record exactly once when three tasks share a queue and tasks are killed', async () => {
    const { bucket, queueUrl } = await notifiedBucket(6);
    const sizes: number[] = [];
    for (let i = 0; i < 50; i++) sizes.push(i % 15 === 0 ? 10_000 : 100 + ((i * 53) % 900));
    const expected = sizes.reduce((a, b) => a + b, 0);
    const uploads = new PQueue({ concurrency: 8 });
    const etags = new Map<number, string>();
    sizes.forEach((lines, i) => {
      void uploads.add(async () => {
        const put = await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: `AWSLogs/kill/${i}.log.gz`, Body: albObject(i, lines) }),
        );
        etags.set(i, put.ETag!.replace(/"/g, ''));
      });
    });
    await uploads.onIdle();
    // Duplicate notifications of a few versions (S3 and SQS are both at least once).
    for (const i of [0, 1, 15, 30]) {
      const body = JSON.stringify({ Records: [s3Record(bucket, `AWSLogs/kill/${i}.log.gz`, etags.get(i)!, 1)] });
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }

    const { config, index } = notificationPipeline(bucket, queueUrl, {
      visibility: 6,
      claimSeconds: 4,
      objectsInFlight: 2,
    });
    const count = () => documentCount(`${index}-*`);
    const tasks = new SluiceTasks(['run', '--config', config], 3);
    const failWith = (error: unknown): never => {
      throw new Error(`${(error as Error).message}; output:\n${tasks.tails(2000)}`);
    };
    // Kill a task while it works, three times, each time starting a replacement.
    for (let kill = 0; kill < 3; kill++) {
      const before = await count();
      await waitFor(async () => (await count()) > before + 500, 60_000, 'progress').catch(failWith);
      await tasks.killAndReplace(tasks.live[Math.floor(Math.random() * tasks.live.length)]!);
    }
    await waitFor(async () => (await count()) >= expected, 120_000, `${expected} documents`).catch(failWith);
    // The killed tasks' messages come back and are deleted by the others once they are done.
    await waitFor(async () => (await messagesLeft(sqs, queueUrl)) === 0, 60_000, 'an empty queue');
    for (const exit of await tasks.stopAll()) expect(exit.code, exit.output.slice(-2000)).toBe(0);
    expect(await count()).toBe(expected);
    expect(await duplicateTraceIds(`${index}-*`)).toEqual([]);
    const takeovers = tasks.outputs().split('claim taken over').length - 1;
    console.log(
      `sqs kill test: ${sizes.length} objects, ${expected} records, 3 SIGKILLs, ${takeovers} claims taken over`,
    );
  }, 300_000);
});
