import type { Logger } from 'pino';
import { acquireClaim, type ClaimHolder, type ClaimOptions } from '../../../claims/claim-holder.js';
import type { ClaimStore } from '../../../claims/claim-store.js';
import { sleep } from '../../../core/backoff.js';
import type { Metrics } from '../../../core/metrics.js';
import type { DoneOutcome, PutBackReason, RoundContext, WorkFeed, WorkItem } from '../../../core/work-feed.js';
import type { S3Clients } from '../s3-clients.js';
import { MessageLedger, type RecordSettlement, type TrackedMessage } from './message-ledger.js';
import { parseNotification } from './notification-envelope.js';
import { decideRecord, type NotifiedObject, type RecordFilter } from './notification-record.js';
import type { NotificationsConfig } from './notifications-config.js';
import { headNotifiedObject, type NotifiedHead } from './notified-object.js';
import type { ReceivedMessage, SqsQueue } from './sqs-queue.js';
import { VisibilityHeartbeat } from './visibility-heartbeat.js';

export interface NotificationFeedOptions {
  pipeline: string;
  config: NotificationsConfig;
  queue: SqsQueue;
  claims: ClaimStore;
  /** Read the head of each notified version, in the region its record names. */
  s3: S3Clients;
  filter: RecordFilter;
  skipStorageClasses: ReadonlySet<string>;
  maxObjectsInFlight: number;
  logger: Logger;
  metrics: Metrics;
  owner: string;
}

/** After a pipeline-level fault a message is made visible again this soon (the pause's own backoff decides when sluice retries). */
const PAUSED_VISIBILITY_SECONDS = 30;

/** One object version in work, and the message records waiting for it. */
interface ActiveObject {
  object: NotifiedObject;
  holder: ClaimHolder;
  waiting: TrackedMessage[];
}

function objectId(object: NotifiedObject): string {
  return JSON.stringify([object.bucket, object.key, object.etag]);
}

/**
 * Notification mode (docs/ARCHITECTURE.md, "Notification mode"): work comes from S3 event
 * notifications in SQS, shared by any number of tasks. Each notified object version is claimed
 * (claims/) before it is handed out; its messages stay hidden while it is read and are deleted
 * only once its claim says done.
 */
export class NotificationFeed implements WorkFeed {
  readonly kind = 'notifications';
  readonly roundIntervalMs = 0;
  readonly lost = false;
  private readonly never = new AbortController();
  private readonly active = new Map<string, ActiveObject>();
  private readonly retries: WorkItem[] = [];
  private visibilitySeconds = 30;
  private prepared = false;
  private heartbeat!: VisibilityHeartbeat;
  private ledger!: MessageLedger;
  private readonly claimOptions: ClaimOptions;
  /** Resolved when an object is settled: a full feed waits for it. */
  private wake: () => void = () => undefined;
  /** The current round's: an object done ends a pause. */
  private onHealthy: () => void = () => undefined;
  private readonly logger: Logger;

  constructor(private readonly options: NotificationFeedOptions) {
    this.logger = options.logger.child({ pipeline: options.pipeline, queue: options.queue.url });
    const { claims } = options.config;
    this.claimOptions = {
      store: options.claims,
      owner: options.owner,
      claimMs: claims.claim_seconds * 1000,
      retentionMs: claims.retention_days * 86_400_000,
      metrics: options.metrics,
      pipeline: options.pipeline,
      logger: this.logger,
    };
  }

  get lostSignal(): AbortSignal {
    return this.never.signal;
  }

  /** Nothing to wait for: the queue is first contacted by the first round, so a fault there pauses like any other. */
  async start(): Promise<void> {
    const { metrics } = this.options;
    const labels = { pipeline: this.options.pipeline };
    // Published at zero, so dashboards and alerts see them before the first message.
    for (const counter of [metrics.sqsMessagesReceived, metrics.sqsMessagesInvalid, metrics.sqsVisibilityExtensions]) {
      counter.inc(labels, 0);
    }
    metrics.sqsMessagesInFlight.set(labels, 0);
    this.logger.info({ owner: this.options.owner }, 'notification mode: consuming the queue');
  }

  private async prepare(signal: AbortSignal): Promise<void> {
    if (this.prepared) return;
    const { queue, config, metrics, pipeline } = this.options;
    const attributes = await queue.attributes(signal);
    this.visibilitySeconds = config.visibility_timeout_seconds ?? attributes.visibilityTimeout;
    if (config.claims.retention_days * 86_400 < attributes.retention) {
      this.logger.warn(
        { retention_days: config.claims.retention_days, queue_retention_seconds: attributes.retention },
        'claims.retention_days is shorter than the queue keeps messages: a very late duplicate would be read again',
      );
    }
    await this.options.claims.prepare();
    this.heartbeat = new VisibilityHeartbeat(queue, this.visibilitySeconds, metrics, pipeline, this.logger);
    this.ledger = new MessageLedger(queue, this.heartbeat, metrics, pipeline, this.logger);
    this.heartbeat.start();
    this.prepared = true;
    this.logger.info({ visibility_timeout_seconds: this.visibilitySeconds }, 'queue reached');
  }

  async *round(signal: AbortSignal, context: RoundContext): AsyncIterable<WorkItem> {
    await this.prepare(signal);
    this.onHealthy = context.onHealthy;
    const { config, queue, maxObjectsInFlight } = this.options;
    let probe = context.afterPause;
    while (!signal.aborted) {
      while (this.retries.length > 0) yield this.retries.shift()!;
      const free = maxObjectsInFlight - this.active.size;
      if (free <= 0) {
        await this.settledOrTimeout(signal, 5000);
        continue;
      }
      const want = probe ? 1 : Math.min(config.max_messages, free);
      // A run that must end looks for the queue's end with short polls.
      const wait = context.bounded ? Math.min(config.wait_time_seconds, 1) : config.wait_time_seconds;
      const messages = await queue.receive(want, wait, this.visibilitySeconds, signal);
      if (signal.aborted) {
        this.ledger.giveBack(messages);
        return;
      }
      if (messages.length === 0) {
        if (this.active.size === 0 && this.retries.length === 0) {
          context.onHealthy();
          if (context.bounded) return;
        } else if (wait === 0) {
          await this.settledOrTimeout(signal, 1000);
        }
        continue;
      }
      probe = false;
      for (const [index, message] of messages.entries()) {
        if (signal.aborted) {
          this.ledger.giveBack(messages.slice(index));
          return;
        }
        yield* this.accept(message, signal);
      }
    }
  }

  /** One message: its records decided, claimed and handed out; the ones not read settled at once. */
  private async *accept(message: ReceivedMessage, signal: AbortSignal): AsyncIterable<WorkItem> {
    const { metrics, pipeline, filter } = this.options;
    const labels = { pipeline };
    metrics.sqsMessagesReceived.inc(labels);
    metrics.sqsReceiveCount.observe(labels, message.receiveCount);
    if (message.sentAt !== undefined) {
      metrics.sqsMessageLag.observe(labels, Math.max(0, message.receivedAt - message.sentAt) / 1000);
    }
    const parsed = parseNotification(message.body);
    if (parsed.kind === 'invalid') {
      // Never deleted here: the queue's redrive policy moves it to its dead-letter queue.
      metrics.sqsMessagesInvalid.inc(labels);
      this.logger.warn(
        { messageId: message.id, receiveCount: message.receiveCount, reason: parsed.reason },
        'message is no S3 notification; left for the queue redrive policy',
      );
      return;
    }
    if (parsed.kind === 'test_event') {
      this.ledger.discard(message, 'test_event');
      return;
    }
    const tracked = this.ledger.add(message, parsed.records.length);
    let decided = 0;
    try {
      for (const record of parsed.records) {
        const decision = decideRecord(record, filter);
        if (decision.kind === 'skip') {
          decided++;
          metrics.sqsRecords.inc({ ...labels, outcome: decision.reason });
          this.ledger.settle(tracked, 'done');
          continue;
        }
        if (signal.aborted) return;
        // Once claimed, the record is settled with its object (an item the runner will not start is put back).
        const item = await this.claim(decision.object, tracked);
        decided++;
        if (item) yield item;
      }
    } finally {
      // Records left when the round ended (a drain, a fault, the claim store failing) wait for the next task or round.
      const visibleInSeconds = signal.aborted ? 0 : PAUSED_VISIBILITY_SECONDS;
      for (; decided < parsed.records.length; decided++) this.ledger.settle(tracked, { visibleInSeconds });
    }
  }

  /** Claims one notified version; undefined when it needs no work here (done, held elsewhere, in work here). */
  private async claim(object: NotifiedObject, tracked: TrackedMessage): Promise<WorkItem | undefined> {
    const { metrics, pipeline } = this.options;
    const labels = { pipeline };
    const id = objectId(object);
    const inWork = this.active.get(id);
    if (inWork) {
      metrics.sqsRecords.inc({ ...labels, outcome: 'duplicate' });
      inWork.waiting.push(tracked);
      return undefined;
    }
    const attempt = await acquireClaim({ pipeline, ...object }, this.claimOptions);
    if (attempt.kind === 'finished') {
      metrics.sqsRecords.inc({ ...labels, outcome: 'duplicate' });
      this.ledger.settle(tracked, 'done');
      return undefined;
    }
    if (attempt.kind === 'held') {
      metrics.sqsRecords.inc({ ...labels, outcome: 'held' });
      this.ledger.settle(tracked, 'lapse');
      return undefined;
    }
    metrics.sqsRecords.inc({ ...labels, outcome: 'read' });
    if (attempt.previousOwner !== undefined) {
      this.logger.info(
        { bucket: object.bucket, key: object.key, record: attempt.record, previousOwner: attempt.previousOwner },
        'claim taken over; resuming after its last acknowledged record',
      );
    }
    const entry: ActiveObject = { object, holder: attempt.holder, waiting: [tracked] };
    this.active.set(id, entry);
    return this.item(entry, attempt.record);
  }

  private item(entry: ActiveObject, resumeAfter: number): WorkItem {
    const { object, holder } = entry;
    const item: WorkItem = {
      object: { ...object, lastModified: new Date(0) },
      resumeAfter,
      lost: holder.lost,
      resolve: (signal) => headNotifiedObject(this.head(object), signal),
      markOffset: (record) => holder.offset(record),
      markDone: async (outcome?: DoneOutcome) => {
        await holder.finish(outcome?.kind === 'quarantined' ? 'quarantined' : 'done', outcome?.reason);
        this.end(entry, 'done');
        this.onHealthy();
      },
      putBack: (reason) => this.putBack(item, entry, reason),
    };
    return item;
  }

  private head(object: NotifiedObject): NotifiedHead {
    const { s3: clients, pipeline, skipStorageClasses } = this.options;
    return { clients, object, pipeline, skipStorageClasses, logger: this.logger };
  }

  private async putBack(item: WorkItem, entry: ActiveObject, reason: PutBackReason): Promise<void> {
    if (reason === 'retry') {
      // The object runner waited the backoff: the next turn of the round hands it out again.
      this.retries.push(item);
      this.wake();
      return;
    }
    if (entry.holder.lost.aborted) {
      this.end(entry, 'lapse');
      return;
    }
    try {
      await entry.holder.release();
      this.options.metrics.claims.inc({ pipeline: this.options.pipeline, outcome: 'released' });
    } finally {
      this.end(entry, { visibleInSeconds: reason === 'paused' ? PAUSED_VISIBILITY_SECONDS : 0 });
    }
  }

  private end(entry: ActiveObject, how: RecordSettlement): void {
    this.active.delete(objectId(entry.object));
    for (const tracked of entry.waiting) this.ledger.settle(tracked, how);
    this.wake();
  }

  private async settledOrTimeout(signal: AbortSignal, ms: number): Promise<void> {
    const woken = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    await Promise.race([woken, sleep(ms, signal).catch(() => undefined)]);
    this.wake = () => undefined;
  }

  async flush(): Promise<void> {
    if (this.prepared) await this.ledger.settled();
  }

  /** Objects waiting for a retry are released; every message still held becomes visible again. */
  async close(): Promise<void> {
    if (!this.prepared) return;
    for (const item of this.retries.splice(0)) await item.putBack('drained').catch(() => undefined);
    this.heartbeat.stop();
    await this.ledger.releaseAll();
  }
}
