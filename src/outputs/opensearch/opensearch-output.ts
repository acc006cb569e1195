import type { Client } from '@opensearch-project/opensearch';
import { ByteBudget } from '../../core/byte-budget.js';
import type { ComponentContext, Output, WriteReport } from '../../core/components.js';
import { documentId } from '../../core/document-id.js';
import { errorMessage, invalidSetting } from '../../core/errors.js';
import type { LogEvent } from '../../core/event.js';
import { WriteTracker } from '../write-tracker.js';
import { BulkBatcher } from './bulk-batcher.js';
import { encodeBulkAction } from './bulk-encoder.js';
import { ItemSettler } from './bulk-item.js';
import { BulkSender } from './bulk-sender.js';
import { DeadLetterRouter } from './dead-letter-router.js';
import { compileIndexName, indexPatternWildcard } from './index-name.js';
import { buildIndexTemplate, type IndexTemplate } from './index-template.js';
import { createOpenSearchClient, redactUrl } from './opensearch-client.js';
import { flushIntervalMs, type OpenSearchOutputConfig } from './opensearch-config.js';
import { closedError, type ErrorScope, encodeError } from './output-errors.js';
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
  private readonly client: Client;
  private readonly indexName: (event: LogEvent) => string;
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
    let indexName: ((event: LogEvent) => string) | undefined;
    try {
      indexName = compileIndexName(config.index);
    } catch (error) {
      problems.push(invalidSetting('index', `index ${JSON.stringify(config.index)}: ${errorMessage(error)}`, error));
    }
    if (problems.length > 0 || !built || !indexName) {
      throw problems.length === 1 ? problems[0] : new AggregateError(problems, 'several output settings are invalid');
    }
    this.client = built;
    this.indexName = indexName;
    this.scope = {
      pipeline: ctx.pipeline,
      hosts: config.hosts.map(redactUrl).join(', '),
      auth: config.auth,
      template: config.template !== undefined,
    };
    this.budget = new ByteBudget(config.max_buffered_bytes ?? config.flush_bytes * (2 * config.concurrency + 1));
    const settler = new ItemSettler(this.budget);
    this.sender = new BulkSender({
      client: this.client,
      config,
      ctx,
      scope: this.scope,
      settler,
      deadLetter: new DeadLetterRouter(ctx, settler),
    });
    this.batcher = new BulkBatcher(
      { flushBytes: config.flush_bytes, flushEvents: config.flush_events, flushIntervalMs: flushIntervalMs(config) },
      this.budget,
      (items) => this.sender.enqueue(items),
    );
  }

  /** Reads and builds the index template body (template.file included) without contacting the cluster. */
  prepare(): Promise<void> {
    const { template, index, data_stream: dataStream } = this.config;
    this.template ??= template
      ? buildIndexTemplate(template, {
          indexPattern: indexPatternWildcard(index),
          dataStream,
          baseDir: this.ctx.baseDir,
        })
      : Promise.resolve(undefined);
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
    const { action, document_id: idMode } = this.config;
    const op = this.config.data_stream ? 'create' : action;
    for (const event of events) {
      const id = idMode === 'auto' ? undefined : documentId(event.origin);
      let line: string;
      try {
        line = encodeBulkAction(op, this.indexName(event), id, event.doc);
      } catch (cause) {
        tracker.fail(encodeError(this.ctx.pipeline, event.origin, cause));
        return tracker.promise;
      }
      const admitted = this.batcher.add({ line, bytes: Buffer.byteLength(line), event, tracker });
      if (admitted) await admitted;
    }
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
