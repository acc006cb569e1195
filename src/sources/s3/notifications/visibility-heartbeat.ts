import type { Logger } from 'pino';
import { errorMessage } from '../../../core/errors.js';
import type { Metrics } from '../../../core/metrics.js';
import { SQS_BATCH_LIMIT, type SqsQueue } from './sqs-queue.js';
import { heartbeatTickMs, type MessageVisibility, planVisibility } from './visibility-plan.js';

interface Tracked extends MessageVisibility {
  receiptHandle: string;
}

/**
 * Keeps received messages hidden while their objects are in work: from the receive on, every
 * message whose half timeout has passed is extended to the full timeout again (the rules are
 * visibility-plan.ts), ten per call. A message SQS no longer knows under this receipt handle
 * (deleted, or received again by another task after it lapsed) is dropped and counted.
 */
export class VisibilityHeartbeat {
  private readonly messages = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    private readonly queue: SqsQueue,
    private readonly timeoutSeconds: number,
    private readonly metrics: Metrics,
    private readonly pipeline: string,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.messages.size;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), heartbeatTickMs(this.timeoutSeconds));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  track(receiptHandle: string, receivedAt: number): void {
    this.messages.set(receiptHandle, { receiptHandle, receivedAt, setAt: receivedAt });
  }

  untrack(receiptHandle: string): void {
    this.messages.delete(receiptHandle);
  }

  /** Extends every message that is due; one tick at a time. */
  async tick(now = Date.now()): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const due = new Map<number, Tracked[]>();
      for (const message of this.messages.values()) {
        const step = planVisibility(message, this.timeoutSeconds, now);
        if (step.action === 'wait') continue;
        if (step.action === 'stop') {
          this.logger.warn({ receivedAt: message.receivedAt }, "message reached SQS's 12-hour visibility ceiling");
          this.fail(message, 'ceiling');
          continue;
        }
        const group = due.get(step.visibilitySeconds) ?? [];
        group.push(message);
        due.set(step.visibilitySeconds, group);
      }
      for (const [seconds, group] of due) {
        for (let start = 0; start < group.length; start += SQS_BATCH_LIMIT) {
          await this.extend(group.slice(start, start + SQS_BATCH_LIMIT), seconds, now);
        }
      }
    } finally {
      this.ticking = false;
    }
  }

  private async extend(batch: Tracked[], seconds: number, now: number): Promise<void> {
    const labels = { pipeline: this.pipeline };
    let changes: Awaited<ReturnType<SqsQueue['changeVisibility']>>;
    try {
      changes = await this.queue.changeVisibility(
        batch.map((message) => message.receiptHandle),
        seconds,
      );
    } catch (error) {
      // The next tick tries again: the message stays hidden until its current visibility ends.
      this.metrics.sqsVisibilityFailures.inc({ ...labels, reason: 'unreachable' }, batch.length);
      this.logger.warn({ err: errorMessage(error) }, 'could not extend message visibility; retrying');
      return;
    }
    for (const [index, change] of changes.entries()) {
      const message = batch[index]!;
      if (!this.messages.has(message.receiptHandle)) continue;
      if (change.failure === undefined) {
        message.setAt = now;
        this.metrics.sqsVisibilityExtensions.inc(labels);
      } else {
        this.logger.warn({ failure: change.failure }, 'SQS no longer accepts a receipt handle; its heartbeat stops');
        this.fail(message, change.failure);
      }
    }
  }

  private fail(message: Tracked, reason: string): void {
    this.messages.delete(message.receiptHandle);
    this.metrics.sqsVisibilityFailures.inc({ pipeline: this.pipeline, reason });
  }
}
