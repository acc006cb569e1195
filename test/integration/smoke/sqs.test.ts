import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { testS3Client, testSqsClient, uniqueName } from '../../helpers/services.js';

describe('SQS server (moto)', () => {
  const sqs = testSqsClient();

  it('sends, receives and deletes a message', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('smoke') }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['hello']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages![0]!.ReceiptHandle }));
    const after = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(after.Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect(after.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('delivers an S3 event notification for a new object', async () => {
    const s3 = testS3Client();
    const bucket = uniqueName('smoke');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('events') }));
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: attributes.Attributes!.QueueArn!, Events: ['s3:ObjectCreated:*'] }],
        },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'AWSLogs/x.log.gz', Body: 'x' }));
    const records: Array<{ eventName: string; s3: { object: { key: string } } }> = [];
    for (let attempt = 0; attempt < 5 && records.length === 0; attempt++) {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of received.Messages ?? []) {
        const body = JSON.parse(message.Body!) as { Event?: string; Records?: typeof records };
        if (body.Event === 's3:TestEvent') continue;
        records.push(...(body.Records ?? []));
      }
    }
    // Like real S3, keys in notifications are URL-encoded (spaces as '+'): consumers must decode them.
    const keys = records.map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
    expect(keys).toEqual(['AWSLogs/x.log.gz']);
    expect(records[0]!.eventName).toMatch(/^ObjectCreated:/);
  });
});
