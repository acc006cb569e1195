import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { Metrics } from '../../../src/core/metrics.js';
import { SqsQueue } from '../../../src/sources/s3/notifications/sqs-queue.js';
import { VisibilityHeartbeat } from '../../../src/sources/s3/notifications/visibility-heartbeat.js';
import { testSqsClient, uniqueName } from '../../helpers/services.js';

function metric(metrics: Metrics, name: string): Promise<string> {
  return metrics.registry.getSingleMetricAsString(name);
}

/** The heartbeat against moto's SQS: a message held longer than its visibility timeout stays hidden. */
describe('VisibilityHeartbeat', () => {
  const sqs = testSqsClient();

  it('keeps a message hidden past its visibility timeout while tracked, and lets it reappear once untracked', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('heartbeat') }));
    const queue = new SqsQueue(sqs, QueueUrl!, 'p');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'held' }));
    const [message] = await queue.receive(1, 1, 2, new AbortController().signal);
    expect(message?.body).toBe('held');
    const metrics = new Metrics();
    const heartbeat = new VisibilityHeartbeat(queue, 2, metrics, 'p', silentLogger());
    heartbeat.track(message!.receiptHandle, message!.receivedAt);
    heartbeat.start();
    // Three visibility timeouts: another consumer receiving now would read it a second time.
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      const other = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      expect(other.Messages ?? []).toEqual([]);
    }
    expect(await metric(metrics, 'sluice_sqs_visibility_extensions_total')).toMatch(/pipeline="p"} [2-9]/);
    heartbeat.untrack(message!.receiptHandle);
    heartbeat.stop();
    let again: string | undefined;
    for (let attempt = 0; attempt < 10 && !again; attempt++) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      again = got.Messages?.[0]?.Body;
    }
    expect(again).toBe('held');
  }, 60_000);

  it('stops and counts a message whose receipt handle SQS no longer accepts', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('heartbeat') }));
    const queue = new SqsQueue(sqs, QueueUrl!, 'p');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'gone' }));
    const [message] = await queue.receive(1, 1, 2, new AbortController().signal);
    await queue.delete(message!.receiptHandle);
    const metrics = new Metrics();
    const heartbeat = new VisibilityHeartbeat(queue, 2, metrics, 'p', silentLogger());
    heartbeat.track(message!.receiptHandle, message!.receivedAt);
    await heartbeat.tick(message!.receivedAt + 1500);
    expect(heartbeat.size).toBe(0);
    expect(await metric(metrics, 'sluice_sqs_visibility_extension_failures_total')).toMatch(/} 1/);
  }, 30_000);
});
