import type { Client } from '@opensearch-project/opensearch';
import { ByteBudget } from '../../core/byte-budget.js';
import type { ComponentContext, Output, WriteReport } from '../../core/components.js';
import type { EncodedBatch, ObjectOrigin } from '../../core/encoded-batch.js';
import { errorMessage, invalidSetting } from '../../core/errors.js';
import type { LogEvent } from '../../core/event.js';
import { WriteTracker } from '../write-tracker.js';
import { BulkBatcher } from './bulk-batcher.js';
import { type BulkItem, ItemSettler } from './bulk-item.js';
import { BulkSender } from './bulk-sender.js';
import { DeadLetterRouter, type RejectedItem } from './dead-letter-router.js';
import { encodedItems } from './encoded-items.js';
import { EventEncoder, isRejected } from './event-encoder.js';
import { type IndexTemplate, outputIndexTemplate } from './index-template.js';
import { createOpenSearchClient, redactUrl } from './opensearch-client.js';
import { flushIntervalMs, type OpenSearchOutputConfig } from './opensearch-config.js';
import { closedError, type ErrorScope } from './output-errors.js';
import { startCheck } from './start-check.js';

/**
 * Bulk-indexes events into OpenSearch. Events of concurrent writes share batches bounded by
 * bytes, count and age (bulk-batcher.ts); a batch is retried item by item, only what failed
 * retryably (bulk-sender.ts, bulk-response.ts); items OpenSearch rejects go to the dead-letter
 * (dead-letter-router.ts). A write settles once each of its events is stored, already stored
 * (409), or dead-lettered. This file only wires those parts together.
 */
export class OpenSearchOutput implements Output {
  readonly type = 'opensearch';
  /** Deterministic ids: a replay is refused (409) or overwrites the same document, never stored twice. */
  readonly idempotent: boolean;
  private readonly client: Client;
  private readonly encoder: EventEncoder;
  private readonly deadLetter: DeadLetterRouter;
  private readonly budget: ByteBudget;
  private readonly batcher: BulkBatcher;
  private readonly sender: BulkSender;
  private readonly scope: ErrorScope;
  /** The template body, read and built once by prepare(); undefined without a template. */
  private template: Promise<IndexTemplate | undefined> | undefined;
  private closed = false;

  constructor(
    private readonly config: OpenSearchOutputConfig,
    private readonly ctx: ComponentContext,
    client?: Client,
  ) {
    // Both settings are checked before either failure is thrown, so a config check lists both.
    const problems: unknown[] = [];
    let built: Client | undefined = client;
    try {
      built ??= createOpenSearchClient(config, ctx.baseDir);
    } catch (error) {
      problems.push(error);
    }
    let encoder: EventEncoder | undefined;
    try {
      // It compiles the index pattern: an unknown date token is a problem of the `index` setting.
      encoder = new EventEncoder(config, ctx);
    } catch (error) {
      problems.push(invalidSetting('index', `index ${JSON.stringify(config.index)}: ${errorMessage(error)}`, error));
    }
    if (problems.length > 0 || !built || !encoder) {
      throw problems.length === 1 ? problems[0] : new AggregateError(problems, 'several output settings are invalid');
    }
    this.client = built;
    this.encoder = encoder;
    this.idempotent = config.document_id === 'deterministic';
    this.scope = {
      pipeline: ctx.pipeline,
      hosts: config.hosts.map(redactUrl).join(', '),
      auth: config.auth,
      template: config.template !== undefined,
    };
    this.budget = new ByteBudget(config.max_buffered_bytes ?? config.flush_bytes * (2 * config.concurrency + 1));
    const settler = new ItemSettler(this.budget);
    this.deadLetter = new DeadLetterRouter(ctx, settler);
    this.sender = new BulkSender({
      client: this.client,
      config,
      ctx,
      scope: this.scope,
      settler,
      deadLetter: this.deadLetter,
    });
    this.batcher = new BulkBatcher(
      { flushBytes: config.flush_bytes, flushEvents: config.flush_events, flushIntervalMs: flushIntervalMs(config) },
      this.budget,
      (items) => this.sender.enqueue(items),
    );
  }

  /**
   * The output, prepared: every problem of its settings at once (the TLS files, the index
   * pattern, the template file), as an AggregateError when there are several. The template is
   * read even when the constructor failed, so a missing CA file does not hide a missing template.
   */
  static async build(config: OpenSearchOutputConfig, ctx: ComponentContext): Promise<OpenSearchOutput> {
    const problems: unknown[] = [];
    let output: OpenSearchOutput | undefined;
    try {
      output = new OpenSearchOutput(config, ctx);
    } catch (error) {
      problems.push(error);
    }
    try {
      await (output ? output.prepare() : outputIndexTemplate(config, ctx.pipeline, ctx.baseDir, ctx.schema));
    } catch (error) {
      problems.push(error);
    }
    if (problems.length > 0 || !output) {
      throw problems.length === 1 ? problems[0] : new AggregateError(problems, 'several output settings are invalid');
    }
    return output;
  }

  /** Reads and builds the index template body (template.file included) without contacting the cluster. */
  prepare(): Promise<void> {
    this.template ??= outputIndexTemplate(this.config, this.ctx.pipeline, this.ctx.baseDir, this.ctx.schema).then(
      (request) => request?.body,
    );
    return this.template.then(() => undefined);
  }

  async start(): Promise<void> {
    await this.prepare();
    await startCheck(this.client, this.config, this.ctx, this.scope, await this.template);
    this.ctx.logger.info(
      { pipeline: this.ctx.pipeline, output: this.type, hosts: this.scope.hosts, template: this.config.template?.name },
      'opensearch output ready',
    );
  }

  async write(events: LogEvent[]): Promise<WriteReport> {
    if (this.closed) throw closedError(this.ctx.pipeline);
    const tracker = new WriteTracker(events.length);
    // Encoded one by one as the batcher takes them: a write waiting for room holds no more lines.
    const encoder = this.encoder;
    const items = function* () {
      for (const event of events) yield encoder.encode(event, tracker);
    };
    return this.enqueue(items(), tracker);
  }

  /** Events a worker thread encoded (batch-encoder.ts): the same batching, cap and dead-letter as `write`. */
  async writeEncoded(batch: EncodedBatch, object: ObjectOrigin): Promise<WriteReport> {
    if (this.closed) throw closedError(this.ctx.pipeline);
    const tracker = new WriteTracker(batch.ends.length);
    return this.enqueue(encodedItems(batch, object, this.encoder, tracker), tracker);
  }

  private async enqueue(items: Iterable<BulkItem | RejectedItem>, tracker: WriteTracker): Promise<WriteReport> {
    // Events the output cannot send are record-level failures: dead-lettered, the others go on.
    const unsendable: RejectedItem[] = [];
    for (const result of items) {
      if (isRejected(result)) unsendable.push(result);
      else {
        // Synchronous while the budget has room: no await per event (see BulkBatcher.add).
        const admitted = this.batcher.add(result);
        if (admitted) await admitted;
      }
    }
    await this.deadLetter.route(unsendable);
    return tracker.promise;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.batcher.flush();
    await this.sender.onIdle();
    await this.client.close();
  }

  /** Bytes buffered or in flight (for tests and health). */
  get pendingBytes(): number {
    return this.budget.used;
  }
}
