import type { Client } from '@opensearch-project/opensearch';
import PQueue from 'p-queue';
import { backoffDelayMs, sleep } from '../../core/backoff.js';
import type { ComponentContext, DeadLetterEntry, Output, WriteReport } from '../../core/components.js';
import { documentId } from '../../core/document-id.js';
import { BulkRejectedError, OutputError, SluiceError } from '../../core/errors.js';
import type { LogEvent } from '../../core/event.js';
import { WriteTracker } from '../write-tracker.js';
import { encodeBulkAction } from './bulk-encoder.js';
import { compileIndexName, indexPatternWildcard } from './index-name.js';
import { buildIndexTemplate } from './index-template.js';
import { createOpenSearchClient, redactUrl } from './opensearch-client.js';
import type { OpenSearchOutputConfig } from './opensearch-config.js';
import { classifyRequestError, isRetryableStatus, type RequestFailure } from './request-failure.js';

interface BulkItem {
  line: string;
  bytes: number;
  event: LogEvent;
  tracker: WriteTracker;
  /** Set once the item's bytes are released, so no path can release them twice. */
  settled?: boolean;
}

interface ItemResult {
  status?: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

type Outcome = keyof WriteReport;

function itemReason(error: ItemResult['error'], status: number): string {
  if (!error) return `HTTP ${status}`;
  const cause = error.caused_by ? ` (caused by ${error.caused_by.type}: ${error.caused_by.reason})` : '';
  return `${error.type ?? 'error'}: ${error.reason ?? 'no reason given'}${cause}`;
}

/**
 * Bulk-indexes events into OpenSearch. Events of concurrent writes share batches bounded by
 * bytes, count and age; a batch is retried item by item (only what failed retryably); items
 * OpenSearch rejects go to the dead-letter. A write settles once each of its events is stored,
 * already stored (409), or dead-lettered.
 */
export class OpenSearchOutput implements Output {
  readonly type = 'opensearch';
  private readonly client: Client;
  private readonly indexName: (event: LogEvent) => string;
  private readonly queue: PQueue;
  private readonly maxBufferedBytes: number;
  private readonly labels: { pipeline: string; output: string };
  private readonly hosts: string;
  private batch: BulkItem[] = [];
  private batchBytes = 0;
  private batchTimer: NodeJS.Timeout | undefined;
  private bufferedBytes = 0;
  private capacityWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly config: OpenSearchOutputConfig,
    private readonly ctx: ComponentContext,
    client?: Client,
  ) {
    this.client = client ?? createOpenSearchClient(config, ctx.baseDir);
    this.indexName = compileIndexName(config.index);
    this.queue = new PQueue({ concurrency: config.concurrency });
    this.maxBufferedBytes = config.max_buffered_bytes ?? config.flush_bytes * (2 * config.concurrency + 1);
    this.labels = { pipeline: ctx.pipeline, output: this.type };
    this.hosts = config.hosts.map(redactUrl).join(', ');
  }

  async start(): Promise<void> {
    const aoss = this.config.auth?.type === 'aws_sigv4' && this.config.auth.service === 'aoss';
    try {
      // Serverless collections have no `GET /`; their first real call is the template or the first bulk.
      if (!aoss) await this.client.info();
      if (this.config.template) await this.installTemplate();
      else if (aoss) await this.client.indices.exists({ index: indexPatternWildcard(this.config.index) });
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      throw this.startError(classifyRequestError(error));
    }
    this.ctx.logger.info(
      { pipeline: this.ctx.pipeline, output: this.type, hosts: this.hosts, template: this.config.template?.name },
      'opensearch output ready',
    );
  }

  async write(events: LogEvent[]): Promise<WriteReport> {
    if (this.closed) {
      throw new OutputError('ERR_OUTPUT_CLOSED', 'write() after close()', { pipeline: this.ctx.pipeline });
    }
    const tracker = new WriteTracker(events.length);
    const { action, document_id: idMode } = this.config;
    const op = this.config.data_stream ? 'create' : action;
    for (const event of events) {
      // Backpressure: above the bound, wait until sent batches settle before buffering more.
      while (this.bufferedBytes >= this.maxBufferedBytes) {
        if (this.batch.length > 0) this.flush();
        await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
      }
      const id = idMode === 'auto' ? undefined : documentId(event.origin);
      let line: string;
      try {
        line = encodeBulkAction(op, this.indexName(event), id, event.doc);
      } catch (cause) {
        // A document JSON cannot express (BigInt, cycles) is a bug upstream; fail loudly, never drop it.
        const { bucket, key, record } = event.origin;
        tracker.fail(
          new OutputError(
            'ERR_OUTPUT_ENCODE',
            `cannot encode the event as JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
            { pipeline: this.ctx.pipeline, bucket, key, record },
            'A filter produced a value JSON cannot hold (BigInt, a cycle); fix or remove that filter.',
          ),
        );
        return tracker.promise;
      }
      const bytes = Buffer.byteLength(line);
      this.batch.push({ line, bytes, event, tracker });
      this.batchBytes += bytes;
      this.bufferedBytes += bytes;
      if (this.batch.length === 1) {
        this.batchTimer = setTimeout(() => this.flush(), this.config.flush_interval_ms);
      }
      if (this.batchBytes >= this.config.flush_bytes || this.batch.length >= this.config.flush_events) this.flush();
    }
    return tracker.promise;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.batch.length > 0) this.flush();
    await this.queue.onIdle();
    await this.client.close();
  }

  /** Bytes buffered or in flight (for tests and health). */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  private flush(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const items = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    if (items.length === 0) return;
    // send() settles every item itself; this only catches a bug so no write hangs forever.
    this.queue.add(() => this.send(items)).catch((error: unknown) => this.fail(items, error));
  }

  private async send(items: BulkItem[]): Promise<void> {
    let pending = items;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const retry = await this.sendOnce(pending, attempt);
      if (retry === undefined) return;
      if (attempt >= this.config.max_retries) {
        this.fail(
          retry.items,
          new OutputError(
            'ERR_OUTPUT_UNAVAILABLE',
            `OpenSearch at ${this.hosts} still failing after ${attempt + 1} attempts: ${retry.failure}`,
            { pipeline: this.ctx.pipeline, output: this.type },
            'Check the cluster health and capacity; the events were not stored and will be read again.',
          ),
        );
        return;
      }
      this.ctx.metrics.bulkRetries.inc(this.labels, retry.items.length);
      this.ctx.logger.warn(
        {
          pipeline: this.ctx.pipeline,
          output: this.type,
          attempt: attempt + 1,
          items: retry.items.length,
          reason: retry.failure,
        },
        'bulk items failed retryably; retrying',
      );
      const { initial_ms, max_ms } = this.config.retry_backoff;
      await sleep(backoffDelayMs(attempt, initial_ms, max_ms));
      pending = retry.items;
    }
  }

  /** One bulk request. Returns the items to retry (with why), or undefined when all are settled. */
  private async sendOnce(
    items: BulkItem[],
    attempt: number,
  ): Promise<{ items: BulkItem[]; failure: string } | undefined> {
    const stopTimer = this.ctx.metrics.bulkLatency.startTimer(this.labels);
    let response: { items: Record<string, ItemResult>[] };
    try {
      // A prebuilt NDJSON string: the client sends it as is instead of re-serializing objects.
      const body = items.map((item) => item.line).join('') as never;
      const result = await this.client.bulk({ body });
      response = result.body as unknown as { items: Record<string, ItemResult>[] };
    } catch (error) {
      const failure = classifyRequestError(error);
      if (failure.retryable) return { items, failure: failure.message };
      if (failure.status === 413) {
        await this.splitTooLarge(items, attempt, failure);
        return undefined;
      }
      this.fail(items, this.requestError(failure, attempt));
      return undefined;
    } finally {
      stopTimer();
    }
    if (!Array.isArray(response.items) || response.items.length !== items.length) {
      this.fail(
        items,
        new OutputError(
          'ERR_OUTPUT_PROTOCOL',
          `OpenSearch answered ${response.items?.length ?? 0} bulk items for ${items.length} sent`,
          { pipeline: this.ctx.pipeline },
          'Check that the hosts point at OpenSearch itself, not at a proxy that alters bulk responses.',
        ),
      );
      return undefined;
    }

    const retry: BulkItem[] = [];
    const rejected: { item: BulkItem; reason: string; status: number }[] = [];
    const counts: Record<Outcome, number> = { stored: 0, duplicates: 0, deadLettered: 0 };
    let retryReason = '';
    const settled: [BulkItem, Outcome][] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const result = Object.values(response.items[i]!)[0] ?? {};
      const status = result.status ?? 0;
      if (status >= 200 && status < 300) settled.push([item, 'stored']);
      // 409 on create: this id is already stored (a replay), which is success.
      else if (status === 409) settled.push([item, 'duplicates']);
      else if (isRetryableStatus(status)) {
        retry.push(item);
        retryReason ||= `item HTTP ${status} ${itemReason(result.error, status)}`;
      } else rejected.push({ item, reason: itemReason(result.error, status), status });
    }
    if (rejected.length > 0) await this.deadLetter(rejected);
    for (const [item, outcome] of settled) {
      counts[outcome] += 1;
      this.release(item);
      item.tracker.done(outcome);
    }
    if (counts.stored) this.ctx.metrics.eventsIndexed.inc(this.labels, counts.stored);
    if (counts.duplicates) this.ctx.metrics.eventsDuplicate.inc(this.labels, counts.duplicates);
    return retry.length > 0 ? { items: retry, failure: retryReason } : undefined;
  }

  /**
   * A request above the cluster's http.max_content_length: send each half on its own (the
   * halves keep their retry budget), and dead-letter a single document that is too large alone.
   */
  private async splitTooLarge(items: BulkItem[], attempt: number, failure: RequestFailure): Promise<void> {
    if (items.length === 1) {
      await this.deadLetter([
        {
          item: items[0]!,
          status: 413,
          reason: `${failure.message}: the document alone exceeds the request size limit`,
        },
      ]);
      return;
    }
    this.ctx.logger.warn(
      { pipeline: this.ctx.pipeline, output: this.type, items: items.length, attempt: attempt + 1 },
      'bulk request too large (HTTP 413); splitting it in two',
    );
    const middle = Math.ceil(items.length / 2);
    await this.send(items.slice(0, middle));
    await this.send(items.slice(middle));
  }

  private async deadLetter(rejected: { item: BulkItem; reason: string; status: number }[]): Promise<void> {
    const dlq = this.ctx.deadLetter;
    const items = rejected.map((r) => r.item);
    if (!dlq) {
      for (const { item, reason } of rejected) {
        const { bucket, key, record } = item.event.origin;
        this.fail(
          [item],
          new BulkRejectedError(`OpenSearch rejected the event: ${reason}`, {
            pipeline: this.ctx.pipeline,
            bucket,
            key,
            record,
          }),
        );
      }
      return;
    }
    const at = new Date().toISOString();
    const entries: DeadLetterEntry[] = rejected.map(({ item, reason }) => ({
      pipeline: this.ctx.pipeline,
      bucket: item.event.origin.bucket,
      key: item.event.origin.key,
      etag: item.event.origin.etag,
      record: item.event.origin.record,
      code: 'ERR_BULK_REJECTED',
      reason,
      doc: item.event.doc,
      at,
    }));
    try {
      await dlq.put(entries);
    } catch (cause) {
      this.fail(
        items,
        new OutputError(
          'ERR_DEAD_LETTER_WRITE',
          `OpenSearch rejected ${items.length} events and the dead-letter could not store them`,
          { pipeline: this.ctx.pipeline },
          'Check the dead-letter destination (bucket or path) and its permissions.',
          cause,
        ),
      );
      return;
    }
    this.ctx.metrics.eventsDeadLettered.inc(this.labels, items.length);
    const first = rejected[0]!;
    this.ctx.logger.warn(
      {
        pipeline: this.ctx.pipeline,
        output: this.type,
        events: items.length,
        bucket: first.item.event.origin.bucket,
        key: first.item.event.origin.key,
        record: first.item.event.origin.record,
        reason: first.reason,
      },
      'events rejected by OpenSearch went to the dead-letter',
    );
    for (const item of items) {
      this.release(item);
      item.tracker.done('deadLettered');
    }
  }

  private fail(items: BulkItem[], error: unknown): void {
    for (const item of items) {
      this.release(item);
      item.tracker.fail(error);
    }
  }

  private release(item: BulkItem): void {
    if (item.settled) return;
    item.settled = true;
    this.bufferedBytes -= item.bytes;
    if (this.bufferedBytes < this.maxBufferedBytes && this.capacityWaiters.length > 0) {
      const waiters = this.capacityWaiters;
      this.capacityWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private async installTemplate(): Promise<void> {
    const template = this.config.template!;
    const name = template.name ?? `sluice-${this.ctx.pipeline}`;
    const body = await buildIndexTemplate(template, {
      indexPattern: indexPatternWildcard(this.config.index),
      dataStream: this.config.data_stream,
      baseDir: this.ctx.baseDir,
    });
    await this.client.indices.putIndexTemplate({ name, body: body as never });
  }

  private requestError(failure: RequestFailure, attempt: number): OutputError {
    if (failure.status === 401 || failure.status === 403) return this.startError(failure);
    return new OutputError(
      'ERR_OUTPUT_REQUEST',
      `OpenSearch at ${this.hosts} refused a bulk request (attempt ${attempt + 1}): ${failure.message}`,
      { pipeline: this.ctx.pipeline, output: this.type, status: failure.status },
      failure.status === 413
        ? 'Lower flush_bytes below the cluster http.max_content_length.'
        : 'Check the output settings (hosts, index) against the cluster.',
    );
  }

  /** Errors that say which setting to fix. Never includes credentials: only hosts without user info. */
  private startError(failure: RequestFailure): OutputError {
    const context = { pipeline: this.ctx.pipeline, output: this.type, hosts: this.hosts, status: failure.status };
    const auth = this.config.auth;
    if (failure.status === 401) {
      return new OutputError(
        'ERR_OUTPUT_UNAUTHENTICATED',
        `OpenSearch at ${this.hosts} did not accept the credentials (HTTP 401)`,
        context,
        auth?.type === 'basic'
          ? 'Check auth.username and auth.password (and the environment variables they come from).'
          : auth?.type === 'aws_sigv4'
            ? 'Check the AWS credentials the worker runs with (ECS task role or AWS_* variables) and auth.region/auth.service.'
            : 'The cluster requires authentication: add an auth section (basic or aws_sigv4).',
      );
    }
    if (failure.status === 403) {
      return new OutputError(
        'ERR_OUTPUT_FORBIDDEN',
        `OpenSearch at ${this.hosts} denied access (HTTP 403): ${failure.message}`,
        context,
        auth?.type === 'aws_sigv4'
          ? 'Allow the task role in the domain access policy (es:ESHttpGet, es:ESHttpPost, es:ESHttpPut; aoss:APIAccessAll for ' +
              'serverless) and map its role ARN to an OpenSearch role with cluster:monitor/main, indices:data/write/bulk* and ' +
              'indices:admin/create on the target indices (plus indices:admin/index_template/put with template).'
          : 'Map the configured user to a role with cluster:monitor/main, indices:data/write/bulk* and indices:admin/create ' +
              'on the target indices (plus indices:admin/index_template/put when template is set).',
      );
    }
    if (failure.kind === 'tls') {
      return new OutputError(
        'ERR_OUTPUT_TLS',
        `TLS with OpenSearch at ${this.hosts} failed: ${failure.message}`,
        context,
        'Set tls.ca_file to the CA that signed the server certificate, and use the host name the certificate names.',
      );
    }
    if (failure.kind === 'network' || failure.kind === 'timeout') {
      return new OutputError(
        'ERR_OUTPUT_UNREACHABLE',
        `cannot reach OpenSearch at ${this.hosts}: ${failure.message}`,
        context,
        'Check hosts (scheme, host, port), DNS, security groups and that the cluster is running.',
      );
    }
    return new OutputError(
      'ERR_OUTPUT_START',
      `OpenSearch at ${this.hosts} refused the start-up check: ${failure.message}`,
      context,
      this.config.template ? 'Check the template settings and that the user may install index templates.' : undefined,
    );
  }
}
