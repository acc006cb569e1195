import type { Logger } from 'pino';
import { errorMessage } from '../../../core/errors.js';
import type { Metrics } from '../../../core/metrics.js';
import type { ReceivedMessage, SqsQueue } from './sqs-queue.js';
import type { VisibilityHeartbeat } from './visibility-heartbeat.js';

/**
 * How one record of a message ended: `done` (read, a duplicate, quarantined, skipped), or not
 * done and the message made visible again after this many seconds (0: at once, for a drain),
 * or `lapse`: left hidden until its visibility ends (its object is another task's).
 */
export type RecordSettlement = 'done' | 'lapse' | { visibleInSeconds: number };

/** A received message whose records are being settled. */
export interface TrackedMessage {
  readonly message: ReceivedMessage;
  /** Records not settled yet. */
  pending: number;
  /** The earliest release asked for by a record that is not done; undefined while all are done. */
  release?: 'lapse' | number;
}

/**
 * The messages of a notification pipeline from receive to their end: hidden by the heartbeat
 * while any record is in work, deleted once every record is settled done (never before: a
 * message is the only trace of its object until its claim says done), otherwise made visible
 * again (a drain: at once) or left to lapse.
 */
export class MessageLedger {
  private readonly tracked = new Set<TrackedMessage>();
  private readonly pendingCalls = new Set<Promise<void>>();

  constructor(
    private readonly queue: SqsQueue,
    private readonly heartbeat: VisibilityHeartbeat,
    private readonly metrics: Metrics,
    private readonly pipeline: string,
    private readonly logger: Logger,
  ) {}

  /** A message of `records` records, hidden from now until it is settled. */
  add(message: ReceivedMessage, records: number): TrackedMessage {
    const entry: TrackedMessage = { message, pending: records };
    this.tracked.add(entry);
    this.heartbeat.track(message.receiptHandle, message.receivedAt);
    this.metrics.sqsMessagesInFlight.set({ pipeline: this.pipeline }, this.tracked.size);
    return entry;
  }

  /** Settles one record; the last one deletes or releases the message. */
  settle(entry: TrackedMessage, how: RecordSettlement): void {
    if (entry.pending <= 0) return;
    entry.pending--;
    if (how !== 'done') {
      const asked = how === 'lapse' ? 'lapse' : how.visibleInSeconds;
      // A release at once wins over a later one; any release wins over a lapse.
      if (entry.release === undefined || entry.release === 'lapse') entry.release = asked;
      else if (asked !== 'lapse') entry.release = Math.min(entry.release, asked);
    }
    if (entry.pending > 0) return;
    this.tracked.delete(entry);
    this.heartbeat.untrack(entry.message.receiptHandle);
    this.metrics.sqsMessagesInFlight.set({ pipeline: this.pipeline }, this.tracked.size);
    if (entry.release === undefined) this.run(this.delete(entry.message, 'done'));
    else if (entry.release !== 'lapse') this.run(this.makeVisible([entry.message], entry.release));
  }

  /** Deletes a message that needs no work (a test event). */
  discard(message: ReceivedMessage, reason: string): void {
    this.run(this.delete(message, reason));
  }

  /** Makes messages that will not be worked on visible again at once (received during a drain). */
  giveBack(messages: ReceivedMessage[]): void {
    if (messages.length > 0) this.run(this.makeVisible(messages, 0));
  }

  /** Every call started so far has ended. */
  async settled(): Promise<void> {
    while (this.pendingCalls.size > 0) await Promise.allSettled([...this.pendingCalls]);
  }

  /** At the end: every message still tracked becomes visible again at once. */
  async releaseAll(): Promise<void> {
    const left = [...this.tracked];
    this.tracked.clear();
    for (const entry of left) this.heartbeat.untrack(entry.message.receiptHandle);
    this.metrics.sqsMessagesInFlight.set({ pipeline: this.pipeline }, 0);
    this.giveBack(left.map((entry) => entry.message));
    await this.settled();
  }

  private run(call: Promise<void>): void {
    this.pendingCalls.add(call);
    void call.finally(() => this.pendingCalls.delete(call));
  }

  private async delete(message: ReceivedMessage, reason: string): Promise<void> {
    try {
      await this.queue.delete(message.receiptHandle);
      this.metrics.sqsMessagesDeleted.inc({ pipeline: this.pipeline, reason });
    } catch (error) {
      // It comes back after its visibility timeout; its records are then duplicates, and it is deleted.
      this.logger.warn({ messageId: message.id, err: errorMessage(error) }, 'could not delete a settled message');
    }
  }

  private async makeVisible(messages: ReceivedMessage[], seconds: number): Promise<void> {
    for (let start = 0; start < messages.length; start += 10) {
      const batch = messages.slice(start, start + 10);
      try {
        await this.queue.changeVisibility(
          batch.map((message) => message.receiptHandle),
          seconds,
        );
      } catch (error) {
        // Not fatal: the message becomes visible when its visibility timeout ends.
        this.logger.warn({ err: errorMessage(error) }, 'could not make messages visible again');
      }
    }
  }
}
