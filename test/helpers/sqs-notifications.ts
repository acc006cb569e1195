import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { awsEndpoint, openSearchUrl, testS3Client, testSqsClient, uniqueName } from './services.js';

/** A bucket whose S3 event notifications go into a new queue (moto delivers them as real S3 does). */
export async function notifiedBucket(visibilityTimeout = 10): Promise<{ bucket: string; queueUrl: string }> {
  const s3 = testS3Client();
  const sqs = testSqsClient();
  const bucket = uniqueName('sqs');
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: uniqueName('sqs-events'),
      Attributes: { VisibilityTimeout: String(visibilityTimeout) },
    }),
  );
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
  return { bucket, queueUrl: QueueUrl! };
}

/** Messages still in the queue, visible or not. */
export async function messagesLeft(sqs: SQSClient, queueUrl: string): Promise<number> {
  const got = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(got.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(got.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

export async function visibleMessages(sqs: SQSClient, queueUrl: string): Promise<number> {
  const got = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(got.Attributes?.ApproximateNumberOfMessages ?? 0);
}

/** An S3 notification record as S3 sends it (the key form-encoded). */
export function s3Record(bucket: string, key: string, etag: string, size: number, eventName = 'ObjectCreated:Put') {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: new Date().toISOString(),
    eventName,
    userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
    requestParameters: { sourceIPAddress: '192.0.2.1' },
    responseElements: { 'x-amz-request-id': 'EXAMPLE', 'x-amz-id-2': 'EXAMPLE' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'sluice',
      bucket: { name: bucket, ownerIdentity: { principalId: 'EXAMPLE' }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/'),
        size,
        eTag: etag,
        sequencer: '0055AED6DCD90281E5',
      },
    },
  };
}

/** An SNS notification wrapping an S3 notification body (raw message delivery off). */
export function snsEnvelope(s3Body: unknown): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:log-bucket-events',
    Subject: 'Amazon S3 Notification',
    Message: JSON.stringify(s3Body),
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-EXAMPLE.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  });
}

/** An EventBridge "Object Created" event delivered to SQS (its key is not encoded). */
export function eventBridgeEvent(bucket: string, key: string, etag: string, size: number): string {
  return JSON.stringify({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size, etag, sequencer: '00617F08299329D189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      reason: 'PutObject',
    },
  });
}

export interface NotificationPipeline {
  config: string;
  index: string;
  table: string;
}

/** A pipeline config in notification mode: OpenSearch output, claims on the serial moto (conditional writes race there). */
export function notificationPipeline(
  bucket: string,
  queueUrl: string,
  options: {
    visibility?: number;
    claimSeconds?: number;
    objectsInFlight?: number;
    extra?: string;
    openSearch?: string;
  } = {},
): NotificationPipeline {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sqs-'));
  const index = uniqueName('sqs');
  const table = uniqueName('claims');
  const config = join(dir, 'pipeline.yml');
  writeFileSync(
    config,
    `pipelines:
  - id: sqs-test
    source:
      type: s3
      bucket: ${bucket}
      region: us-east-1
      endpoint: "${awsEndpoint()}"
      force_path_style: true
      max_objects_in_flight: ${options.objectsInFlight ?? 4}
      notifications:
        queue_url: "${queueUrl}"
        endpoint: "${awsEndpoint()}"
        wait_time_seconds: 1
        visibility_timeout_seconds: ${options.visibility ?? 10}
        claims: { type: dynamodb, table: ${table}, create_table: true, endpoint: "${awsEndpoint(true)}", claim_seconds: ${options.claimSeconds ?? 6} }
    parser: { type: alb }
    filters:
      - { type: date, field: time }
    outputs:
      - type: opensearch
        hosts: ["${options.openSearch ?? openSearchUrl()}"]
        index: "${index}-%{+YYYY.MM.dd}"
        flush_events: 1000
        flush_interval_ms: 200
    checkpoint: { type: file, directory: ${join(dir, 'checkpoints')} }
    checkpoint_every_records: 2000
${options.extra ?? ''}`,
  );
  return { config, index, table };
}

/**
 * A proxy in front of OpenSearch that holds every `_bulk` request `delayMs` before forwarding
 * it: an object's read then lasts at least (bulk requests / concurrency) × delay on any machine.
 */
export async function startSlowBulkProxy(target: string, delayMs: number): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (/\/_bulk(\?|$)/.test(req.url ?? '')) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          (entry): entry is [string, string] =>
            typeof entry[1] === 'string' && !['host', 'content-length', 'connection'].includes(entry[0]),
        ),
      );
      const up = await fetch(`${target}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      });
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await up.arrayBuffer()));
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
