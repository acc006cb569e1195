import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { errorMessage, SluiceError } from '../../../core/errors.js';
import type { NotificationsConfig } from './notifications-config.js';

/** One received message, with what the heartbeat and the metrics need. */
export interface ReceivedMessage {
  id: string;
  body: string;
  receiptHandle: string;
  /** When the receive that returned it was sent (ms): the visibility counts from here. */
  receivedAt: number;
  /** SentTimestamp (ms), for the queue lag. */
  sentAt?: number;
  receiveCount: number;
}

/** How one ChangeMessageVisibility of a batch ended. */
export interface VisibilityChange {
  receiptHandle: string;
  /** Undefined: done; otherwise SQS's error code (ReceiptHandleIsInvalid, MessageNotInflight, …). */
  failure?: string;
}

/** SQS's limit on the entries of one batch call. */
export const SQS_BATCH_LIMIT = 10;

export function createSqsClient(config: NotificationsConfig, sourceRegion: string | undefined): SQSClient {
  const region = config.region ?? sourceRegion;
  return new SQSClient({
    ...(region ? { region } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    maxAttempts: 6,
  });
}

/** The queue a notification pipeline consumes: every call's failure is an ERR_SQS naming the queue and action. */
export class SqsQueue {
  constructor(
    private readonly client: SQSClient,
    readonly url: string,
    private readonly pipeline: string,
  ) {}

  /** The queue's own visibility timeout (s) and message retention (s). */
  async attributes(signal?: AbortSignal): Promise<{ visibilityTimeout: number; retention: number }> {
    const got = await this.call(
      'GetQueueAttributes',
      () =>
        this.client.send(
          new GetQueueAttributesCommand({
            QueueUrl: this.url,
            AttributeNames: ['VisibilityTimeout', 'MessageRetentionPeriod'],
          }),
          { abortSignal: signal },
        ),
      signal,
    );
    return {
      visibilityTimeout: Number(got.Attributes?.VisibilityTimeout ?? 30),
      retention: Number(got.Attributes?.MessageRetentionPeriod ?? 345_600),
    };
  }

  /** A long poll for at most `max` messages; aborting `signal` ends it at once with no messages. */
  async receive(
    max: number,
    waitSeconds: number,
    visibilitySeconds: number,
    signal: AbortSignal,
  ): Promise<ReceivedMessage[]> {
    const receivedAt = Date.now();
    const got = await this.call(
      'ReceiveMessage',
      () =>
        this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.url,
            MaxNumberOfMessages: max,
            WaitTimeSeconds: waitSeconds,
            VisibilityTimeout: visibilitySeconds,
            MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
          }),
          { abortSignal: signal },
        ),
      signal,
    );
    if (signal.aborted) return [];
    return (got.Messages ?? []).flatMap((message) => received(message, receivedAt));
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.call('DeleteMessage', () =>
      this.client.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: receiptHandle })),
    );
  }

  /** Sets the visibility of up to ten messages; per-message failures are returned, not thrown. */
  async changeVisibility(receiptHandles: string[], seconds: number): Promise<VisibilityChange[]> {
    const got = await this.call('ChangeMessageVisibility', () =>
      this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.url,
          Entries: receiptHandles.map((handle, index) => ({
            Id: String(index),
            ReceiptHandle: handle,
            VisibilityTimeout: seconds,
          })),
        }),
      ),
    );
    const failed = new Map((got.Failed ?? []).map((entry) => [entry.Id, entry.Code ?? 'Failed']));
    return receiptHandles.map((handle, index) => {
      const failure = failed.get(String(index));
      return failure === undefined ? { receiptHandle: handle } : { receiptHandle: handle, failure };
    });
  }

  private async call<T>(action: string, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new SluiceError('ERR_SQS', `SQS ${action} on ${this.url} failed: ${errorMessage(error)}`, {
        cause: error,
        context: { pipeline: this.pipeline, queue: this.url, action },
        hint: `Check that the queue exists and that the task may call sqs:${action} on it; the pipeline retries by itself.`,
      });
    }
  }
}

function received(message: Message, receivedAt: number): ReceivedMessage[] {
  if (!message.MessageId || !message.ReceiptHandle) return [];
  const sent = Number(message.Attributes?.SentTimestamp);
  return [
    {
      id: message.MessageId,
      body: message.Body ?? '',
      receiptHandle: message.ReceiptHandle,
      receivedAt,
      ...(Number.isFinite(sent) ? { sentAt: sent } : {}),
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
    },
  ];
}
