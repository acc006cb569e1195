import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { albObject } from '../../helpers/alb-data.js';
import { freePort } from '../../helpers/free-port.js';
import { documentCount, duplicateTraceIds } from '../../helpers/index-assertions.js';
import { openSearchUrl, testS3Client, testSqsClient, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';
import {
  eventBridgeEvent,
  messagesLeft,
  notificationPipeline,
  notifiedBucket,
  s3Record,
  snsEnvelope,
  startSlowBulkProxy,
  visibleMessages,
} from '../../helpers/sqs-notifications.js';

/**
 * Notification mode end to end on moto's S3 and SQS (the bucket's own event notifications, plus
 * hand-built SNS and EventBridge envelopes) and the real OpenSearch.
 */
describe('S3 source in notification mode', () => {
  const s3 = testS3Client();
  const sqs = testSqsClient();

  it('stores every notified record exactly once when envelopes vary and duplicates and poison messages arrive', async () => {
    const { bucket, queueUrl } = await notifiedBucket(10);
    // Keys S3 form-encodes in notifications: spaces become '+', a '+' becomes %2B.
    const keys = Array.from({ length: 12 }, (_, i) => `AWSLogs/odd keys/log ${i}+part=${i % 3}.log.gz`);
    const lines = keys.map((_, i) => 50 + i * 40);
    const etags: string[] = [];
    for (const [i, key] of keys.entries()) {
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: albObject(i, lines[i]!) }));
      etags.push(put.ETag!.replace(/"/g, ''));
    }
    // A gzip that does not decompress: quarantined after two attempts, then its message is deleted.
    const corruptKey = 'AWSLogs/odd keys/corrupt.log.gz';
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: corruptKey,
        Body: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(200, 7)]),
      }),
    );
    // A second bucket without notifications of its own: its objects arrive through SNS and EventBridge.
    const other = uniqueName('sqs-other');
    await s3.send(new CreateBucketCommand({ Bucket: other }));
    const snsKey = 'AWSLogs/via sns/one.log.gz';
    const ebKey = 'AWSLogs/via eventbridge/two+three.log.gz';
    const snsPut = await s3.send(new PutObjectCommand({ Bucket: other, Key: snsKey, Body: albObject(100, 70) }));
    const ebPut = await s3.send(new PutObjectCommand({ Bucket: other, Key: ebKey, Body: albObject(101, 80) }));
    const send = (body: string) => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    await send(snsEnvelope({ Records: [s3Record(other, snsKey, snsPut.ETag!.replace(/"/g, ''), 1)] }));
    await send(eventBridgeEvent(other, ebKey, ebPut.ETag!.replace(/"/g, ''), 1));
    // Duplicates: the same version notified again, directly and through SNS.
    await send(JSON.stringify({ Records: [s3Record(bucket, keys[0]!, etags[0]!, 1)] }));
    await send(snsEnvelope({ Records: [s3Record(bucket, keys[1]!, etags[1]!, 1)] }));
    // A version deleted since, a removal event, and a body that is no notification at all.
    await send(JSON.stringify({ Records: [s3Record(bucket, 'AWSLogs/gone.log.gz', '0123456789abcdef', 10)] }));
    await send(JSON.stringify({ Records: [s3Record(bucket, keys[2]!, etags[2]!, 0, 'ObjectRemoved:Delete')] }));
    await send('this is not a notification');

    const { config, index } = notificationPipeline(bucket, queueUrl, {
      visibility: 10,
      extra: '    dead_letter: { type: file, path: dead-letter.ndjson }\n    max_object_attempts: 2\n',
    });
    const run = startSluice(['run', '--once', '--config', config]);
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-4000)).toBe(0);

    const expected = lines.reduce((a, b) => a + b, 0) + 70 + 80;
    expect(await documentCount(`${index}-*`)).toBe(expected);
    expect(await duplicateTraceIds(`${index}-*`)).toEqual([]);
    // Everything was deleted but the poison message, left for the queue's redrive policy.
    expect(await messagesLeft(sqs, queueUrl)).toBe(1);
    expect(run.output()).toContain('message is no S3 notification; left for the queue redrive policy');
    const quarantined = readFileSync(join(dirname(config), 'dead-letter.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; code: string; record: number });
    expect(quarantined).toEqual([expect.objectContaining({ key: corruptKey, code: 'ERR_DECOMPRESS', record: 0 })]);
  }, 120_000);

  it('pauses with ERR_SQS naming the queue when the queue cannot be reached, and a --once run exits 75', async () => {
    const { bucket, queueUrl } = await notifiedBucket(10);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    const { config } = notificationPipeline(bucket, queueUrl);
    const run = startSluice(['run', '--once', '--config', config]);
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-3000)).toBe(75);
    expect(run.output()).toContain('PAUSED (ERR_SQS)');
    expect(run.output()).toContain(`SQS GetQueueAttributes on ${queueUrl} failed`);
  }, 120_000);

  it('makes an interrupted message visible again at once on SIGTERM, and the next task resumes from the offset', async () => {
    const { bucket, queueUrl } = await notifiedBucket(30);
    const lines = [30_000, 30_000];
    for (const [i, count] of lines.entries()) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: `AWSLogs/big-${i}.log.gz`, Body: albObject(200 + i, count) }),
      );
    }
    const { config, index } = notificationPipeline(bucket, queueUrl, {
      visibility: 30,
      claimSeconds: 30,
      objectsInFlight: 1,
    });
    const first = startSluice(['run', '--config', config]);
    await waitFor(async () => (await documentCount(`${index}-*`)) >= 3000, 60_000, 'the first documents').catch(
      (error) => {
        throw new Error(`${(error as Error).message}; output:\n${first.output().slice(-3000)}`);
      },
    );
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code, first.output().slice(-3000)).toBe(0);
    const stored = await documentCount(`${index}-*`);
    // Nothing waits for a 30 s visibility timeout: both messages can be received at once.
    expect(await visibleMessages(sqs, queueUrl)).toBe(stored >= 30_000 ? 1 : 2);

    const second = startSluice(['run', '--once', '--config', config]);
    const secondExit = await second.exited;
    expect(secondExit.code, second.output().slice(-3000)).toBe(0);
    expect(await documentCount(`${index}-*`)).toBe(60_000);
    expect(await duplicateTraceIds(`${index}-*`)).toEqual([]);
    expect(second.output()).toContain('resuming object after its last acknowledged record');
    expect(await messagesLeft(sqs, queueUrl)).toBe(0);
  }, 150_000);

  it('keeps a message hidden from a second task while an object outlasts the visibility timeout', async () => {
    const { bucket, queueUrl } = await notifiedBucket(2);
    // The test event S3 sends when notifications are set up is consumed here: the second task must receive nothing.
    for (let attempt = 0; attempt < 5 && (await messagesLeft(sqs, queueUrl)) > 0; attempt++) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
      for (const message of got.Messages ?? []) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
    // 30 bulk requests of 1000, two in flight, each held 500 ms: the read lasts at least 7 s, over three timeouts.
    const lines = 30_000;
    const proxy = await startSlowBulkProxy(openSearchUrl(), 500);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'AWSLogs/slow.log.gz', Body: albObject(300, lines) }));
    const { config, index } = notificationPipeline(bucket, queueUrl, {
      visibility: 2,
      claimSeconds: 30,
      openSearch: proxy.url,
    });
    const [firstPort, secondPort] = [await freePort(), await freePort()];
    const scrape = async (port: number, name: string) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes('pipeline="sqs-test"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const first = startSluice(['run', '--config', config], { SLUICE_HTTP_PORT: String(firstPort) });
    await waitFor(async () => (await documentCount(`${index}-*`)) > 0, 60_000, 'the first documents');
    const second = startSluice(['run', '--config', config], { SLUICE_HTTP_PORT: String(secondPort) });
    await waitFor(async () => (await documentCount(`${index}-*`)) >= lines, 150_000, `${lines} documents`).catch(
      (error) => {
        throw new Error(`${(error as Error).message}; output:\n${first.output().slice(-3000)}`);
      },
    );
    await waitFor(async () => (await messagesLeft(sqs, queueUrl)) === 0, 30_000, 'the message deleted');
    const extensions = await scrape(firstPort, 'sluice_sqs_visibility_extensions_total');
    const receivedBySecond = await scrape(secondPort, 'sluice_sqs_messages_received_total');
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect((await second.exited).code).toBe(0);
    proxy.close();
    // The read outlasted at least three timeouts: the heartbeat extended it each half timeout.
    expect(extensions).toBeGreaterThanOrEqual(3);
    expect(receivedBySecond).toBe(0);
    expect(await documentCount(`${index}-*`)).toBe(lines);
    console.log(`heartbeat: ${extensions} visibility extensions of a 2 s timeout; the second task received nothing`);
  }, 240_000);
});
