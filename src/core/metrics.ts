import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric sluice exports, on one registry per worker (tests build their own).
 * Names are snake_case with `_total` for counters; all carry a `pipeline` label but the
 * worker's own (config reloads).
 */
export class Metrics {
  readonly registry = new Registry();

  readonly objectsListed = this.counter(
    'sluice_objects_listed_total',
    'Objects seen by listing that were not yet done',
  );
  readonly objectsProcessed = this.counter('sluice_objects_processed_total', 'Objects fully read and acknowledged');
  readonly objectsFailed = this.counter(
    'sluice_objects_failed_total',
    'Objects quarantined to the dead-letter after retries',
  );
  readonly objectsSkipped = this.counter(
    'sluice_objects_skipped_total',
    'Objects not read, by reason: empty, storage_class, deleted, rewritten, and for the file source symlink, symlink_outside, invalid_file_name, not_a_file',
    ['reason'],
  );
  readonly bytesRead = this.counter('sluice_bytes_read_total', 'Compressed bytes read from the source');
  readonly recordsParsed = this.counter('sluice_records_parsed_total', 'Records parsed into events');
  readonly recordsFailed = this.counter(
    'sluice_records_failed_total',
    'Records (or events of one) dead-lettered by the record loop: unparsable, too long, or a filter failed on them',
  );
  readonly eventsDropped = this.counter('sluice_events_dropped_total', 'Events dropped by filters');
  readonly eventsIndexed = this.counter('sluice_events_indexed_total', 'Events newly stored by an output', ['output']);
  readonly eventsDuplicate = this.counter('sluice_events_duplicate_total', 'Events an output already held (replays)', [
    'output',
  ]);
  readonly eventsDeadLettered = this.counter('sluice_events_dead_lettered_total', 'Events handed to the dead-letter', [
    'output',
  ]);
  readonly deadLetterEntries = this.counter(
    'sluice_dead_letter_entries_total',
    'Entries the dead-letter stored (or logged, when none is configured): records, rejected events, quarantined objects',
    ['code'],
  );
  readonly bulkRetries = this.counter('sluice_bulk_retries_total', 'Bulk requests or items retried', ['output']);
  readonly bulkLatency = new Histogram({
    name: 'sluice_bulk_latency_seconds',
    help: 'Latency of one bulk request',
    labelNames: ['pipeline', 'output'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly checkpointSaves = this.counter('sluice_checkpoint_saves_total', 'Checkpoint saves');
  readonly checkpointConflicts = this.counter(
    'sluice_checkpoint_conflicts_total',
    'Checkpoint saves refused because another writer won',
  );
  readonly leaseHeld = this.gauge('sluice_lease_held', '1 while this worker holds the pipeline lease');
  readonly lagSeconds = this.gauge('sluice_lag_seconds', 'Now minus the LastModified of the newest object fully done');
  readonly pipelineHealthy = this.gauge(
    'sluice_pipeline_healthy',
    '1 while the pipeline is running without repeated failures',
  );

  // Notification mode (sources/s3/notifications/, claims/).
  readonly sqsMessagesReceived = this.counter('sluice_sqs_messages_received_total', 'SQS messages received');
  readonly sqsMessagesDeleted = this.counter(
    'sluice_sqs_messages_deleted_total',
    'SQS messages deleted, by reason: done (every record settled), test_event',
    ['reason'],
  );
  readonly sqsMessagesInvalid = this.counter(
    'sluice_sqs_messages_invalid_total',
    'SQS messages whose body is no S3 notification: left for the queue redrive policy',
  );
  readonly sqsMessagesInFlight = this.gauge('sluice_sqs_messages_in_flight', 'SQS messages received and not settled');
  readonly sqsMessageLag = new Histogram({
    name: 'sluice_sqs_message_lag_seconds',
    help: 'SentTimestamp of a message to its receive',
    labelNames: ['pipeline'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 21_600, 86_400],
    registers: [this.registry],
  });
  readonly sqsReceiveCount = new Histogram({
    name: 'sluice_sqs_receive_count',
    help: 'ApproximateReceiveCount of each message received',
    labelNames: ['pipeline'],
    buckets: [1, 2, 3, 5, 10, 20],
    registers: [this.registry],
  });
  readonly sqsVisibilityExtensions = this.counter(
    'sluice_sqs_visibility_extensions_total',
    'Message visibility extensions while objects are in work',
  );
  readonly sqsVisibilityFailures = this.counter(
    'sluice_sqs_visibility_extension_failures_total',
    'Visibility extensions that failed, by reason (the SQS error code, unreachable, ceiling)',
    ['reason'],
  );
  readonly sqsRecords = this.counter(
    'sluice_sqs_records_total',
    'Records of notifications, by outcome: read, duplicate, not_created, other_bucket, filtered, folder',
    ['outcome'],
  );
  readonly claims = this.counter(
    'sluice_claims_total',
    'Object-version claims, by outcome: created, taken_over, resumed, finished, held, lost, released',
    ['outcome'],
  );

  readonly configReloads = new Counter({
    name: 'sluice_config_reloads_total',
    help: 'Config reloads of a live run (SIGHUP, a changed config), by result: applied, unchanged, invalid (the running config stays)',
    labelNames: ['result'],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'sluice_' });
  }

  /** Publishes a pipeline's counters at zero, so dashboards and alerts see them before the first event. */
  initPipeline(pipeline: string): void {
    const labels = { pipeline };
    for (const counter of [
      this.objectsListed,
      this.objectsProcessed,
      this.objectsFailed,
      this.bytesRead,
      this.recordsParsed,
      this.recordsFailed,
      this.eventsDropped,
      this.checkpointSaves,
      this.checkpointConflicts,
    ]) {
      counter.inc(labels, 0);
    }
  }

  private counter(name: string, help: string, extraLabels: string[] = []): Counter<string> {
    return new Counter({ name, help, labelNames: ['pipeline', ...extraLabels], registers: [this.registry] });
  }

  private gauge(name: string, help: string): Gauge<string> {
    return new Gauge({ name, help, labelNames: ['pipeline'], registers: [this.registry] });
  }
}
