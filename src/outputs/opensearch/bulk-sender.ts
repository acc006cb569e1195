import type { Client } from '@opensearch-project/opensearch';
import PQueue from 'p-queue';
import { backoffDelayMs, sleep } from '../../core/backoff.js';
import type { ComponentContext, WriteReport } from '../../core/components.js';
import { BulkBodyBuffers } from './bulk-body.js';
import type { BulkItem, ItemSettler } from './bulk-item.js';
import { BULK_RESPONSE_FIELDS, classifyBulkResponse } from './bulk-response.js';
import type { DeadLetterRouter, RejectedItem } from './dead-letter-router.js';
import type { OpenSearchOutputConfig } from './opensearch-config.js';
import {
  bulkRequestError,
  type ErrorScope,
  itemDeniedError,
  protocolError,
  unavailableError,
} from './output-errors.js';
import { classifyRequestError, type RequestFailure } from './request-failure.js';

export interface BulkSenderOptions {
  client: Client;
  config: Pick<OpenSearchOutputConfig, 'concurrency' | 'max_retries' | 'retry_backoff'>;
  ctx: ComponentContext;
  scope: ErrorScope;
  settler: ItemSettler;
  deadLetter: DeadLetterRouter;
}

/** The outcomes that count as stored in a write's report. */
type Stored = Extract<keyof WriteReport, 'stored' | 'duplicates'>;

/** Items still to send after one attempt, and why they failed. */
interface Retry {
  items: BulkItem[];
  failure: string;
}

/**
 * Sends batches as bulk requests, `concurrency` at a time. A batch is retried item by item
 * (only what failed retryably, with jittered backoff, up to max_retries); a request too large
 * for the cluster is split in halves. Every item ends settled: stored, duplicate,
 * dead-lettered, or its write failed.
 */
export class BulkSender {
  private readonly queue: PQueue;
  private readonly labels: { pipeline: string; output: string };
  private readonly bodies = new BulkBodyBuffers();

  constructor(private readonly options: BulkSenderOptions) {
    this.queue = new PQueue({ concurrency: options.config.concurrency });
    this.labels = { pipeline: options.ctx.pipeline, output: 'opensearch' };
  }

  /** Queues one batch. */
  enqueue(items: BulkItem[]): void {
    // send() settles every item itself; this only catches a bug so no write hangs forever.
    this.queue.add(() => this.send(items)).catch((error: unknown) => this.options.settler.fail(items, error));
  }

  /** Resolves once every queued batch is settled. */
  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }

  private async send(items: BulkItem[]): Promise<void> {
    const { config, ctx, scope, settler } = this.options;
    let pending = items;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const retry = await this.sendOnce(pending, attempt);
      if (retry === undefined) return;
      if (attempt >= config.max_retries) {
        settler.fail(retry.items, unavailableError(scope, attempt + 1, retry.failure));
        return;
      }
      ctx.metrics.bulkRetries.inc(this.labels, retry.items.length);
      ctx.logger.warn(
        { ...this.labels, attempt: attempt + 1, items: retry.items.length, reason: retry.failure },
        'bulk items failed retryably; retrying',
      );
      await sleep(backoffDelayMs(attempt, config.retry_backoff.initial_ms, config.retry_backoff.max_ms));
      pending = retry.items;
    }
  }

  /** One bulk request. Returns the items to retry (with why), or undefined when all are settled. */
  private async sendOnce(items: BulkItem[], attempt: number): Promise<Retry | undefined> {
    const { client, ctx, scope, settler } = this.options;
    const stopTimer = ctx.metrics.bulkLatency.startTimer(this.labels);
    let body: unknown;
    try {
      // Prebuilt NDJSON bytes: the client sends them as they are (no serializing, no UTF-8 encoding).
      const lines = items.map((item) => item.line);
      const bytes = items.reduce((sum, item) => sum + item.bytes, 0);
      const result = await this.bodies.send(lines, bytes, (body) =>
        client.bulk({ body: body as never, filter_path: BULK_RESPONSE_FIELDS }),
      );
      body = result.body;
    } catch (error) {
      const failure = classifyRequestError(error);
      if (failure.retryable) return { items, failure: failure.message };
      if (failure.status === 413) await this.splitTooLarge(items, attempt, failure);
      else settler.fail(items, bulkRequestError(scope, failure, attempt));
      return undefined;
    } finally {
      stopTimer();
    }
    const verdict = classifyBulkResponse(body, items.length);
    if (verdict.kind === 'mismatch') {
      settler.fail(items, protocolError(ctx.pipeline, verdict.answered, items.length));
      return undefined;
    }
    const retry: BulkItem[] = [];
    const rejected: RejectedItem[] = [];
    const settled: [BulkItem, Stored][] = [];
    let retryReason = '';
    verdict.items.forEach((result, i) => {
      const item = items[i]!;
      // A permission fault: the write fails (the pipeline pauses); the item is neither retried nor dead-lettered.
      if (result.outcome === 'denied')
        settler.fail([item], itemDeniedError(scope, result.status, result.reason, result.index));
      else if (result.outcome === 'stored') settled.push([item, 'stored']);
      else if (result.outcome === 'duplicate') settled.push([item, 'duplicates']);
      else if (result.outcome === 'retry') {
        retry.push(item);
        retryReason ||= `item HTTP ${result.status} ${result.reason}`;
      } else rejected.push({ item, reason: result.reason, status: result.status });
    });
    await this.options.deadLetter.route(rejected);
    this.settle(settled);
    return retry.length > 0 ? { items: retry, failure: retryReason } : undefined;
  }

  private settle(settled: readonly [BulkItem, Stored][]): void {
    const counts: Record<Stored, number> = { stored: 0, duplicates: 0 };
    for (const [item, outcome] of settled) {
      counts[outcome] += 1;
      this.options.settler.done(item, outcome);
    }
    const { metrics } = this.options.ctx;
    if (counts.stored) metrics.eventsIndexed.inc(this.labels, counts.stored);
    if (counts.duplicates) metrics.eventsDuplicate.inc(this.labels, counts.duplicates);
  }

  /**
   * A request above the cluster's http.max_content_length: send each half on its own (the
   * halves keep their retry budget), and dead-letter a single document that is too large alone.
   */
  private async splitTooLarge(items: BulkItem[], attempt: number, failure: RequestFailure): Promise<void> {
    if (items.length === 1) {
      await this.options.deadLetter.route([
        {
          item: items[0]!,
          status: 413,
          reason: `${failure.message}: the document alone exceeds the request size limit`,
        },
      ]);
      return;
    }
    this.options.ctx.logger.warn(
      { ...this.labels, items: items.length, attempt: attempt + 1 },
      'bulk request too large (HTTP 413); splitting it in two',
    );
    const middle = Math.ceil(items.length / 2);
    await this.send(items.slice(0, middle));
    await this.send(items.slice(middle));
  }
}
