import type { ByteBudget } from '../core/byte-budget.js';
import type { DeadLetterEntry } from '../core/components.js';
import type { Metrics } from '../core/metrics.js';
import type { AckTracker } from './ack-tracker.js';
import type { LoopedBatch } from './batch-results.js';
import { DEAD_LETTER_SINK, DeliveryLedger, outputSink } from './delivery-ledger.js';
import type { RoutedOutput } from './routed-output.js';

/** What sending and acknowledging need of the object's context (process-object.ts `ObjectContext`). */
export interface InFlightContext {
  pipeline: string;
  outputs: RoutedOutput[];
  deadLetter: (entries: DeadLetterEntry[]) => Promise<void>;
  metrics: Metrics;
  eventsInFlight: ByteBudget;
  onOffset: (record: number) => void;
  onDeadLettered?: (entries: number) => void;
  /** Told the records and events of each batch once it is acknowledged (what was written, whatever becomes of the object). */
  onAcknowledged?: (records: number, events: number) => void;
  drainSignal: AbortSignal;
  /** What the dead-letter and each output took of the object in earlier attempts (object-runner.ts keeps it). */
  ledger?: DeliveryLedger;
}

/** The batches of one object sent and not yet acknowledged, and what their acknowledgements said. */
export class BatchesInFlight {
  private readonly pending = new Set<Promise<void>>();
  private firstError: unknown;
  private hasFailed = false;
  private readonly ledger: DeliveryLedger;
  /** Events the outputs handed to the dead-letter so far (they count towards the cap). */
  rejected = 0;

  constructor(
    private readonly context: InFlightContext,
    private readonly tracker: AckTracker,
  ) {
    this.ledger = context.ledger ?? new DeliveryLedger();
  }

  /** True once a batch could be neither stored nor dead-lettered: reading stops. */
  get failed(): boolean {
    return this.hasFailed;
  }

  /**
   * Waits for room for `events` in the pipeline's bound; false when the drain came first (nothing
   * reserved). `send` gives the room back once the batch is acknowledged or failed.
   */
  async admit(events: number): Promise<boolean> {
    const { eventsInFlight, drainSignal } = this.context;
    return eventsInFlight.reserve(events, drainSignal).then(
      () => true,
      () => false,
    );
  }

  /**
   * Delivers one batch (room admitted) and acknowledges it once every part took it: first its
   * failures to the dead-letter, then, once they are stored, its events to every output. A
   * dead-letter that fails so leaves the outputs untouched; a part that took the batch in an
   * earlier attempt is skipped (the ledger), so no part receives a record twice.
   */
  send(batch: LoopedBatch): void {
    const { context, tracker } = this;
    const entry = tracker.begin(batch.lastRecord);
    const acknowledged = this.deliver(batch).then(
      () => {
        context.onAcknowledged?.(batch.records, batch.events);
        const before = tracker.offset;
        const offset = tracker.complete(entry);
        if (offset > before) {
          this.ledger.forgetThrough(offset);
          context.onOffset(offset);
        }
      },
      (error: unknown) => {
        if (!this.hasFailed) this.firstError = error;
        this.hasFailed = true;
      },
    );
    this.pending.add(acknowledged);
    void acknowledged.finally(() => {
      this.pending.delete(acknowledged);
      context.eventsInFlight.release(batch.events);
    });
  }

  private async deliver(batch: LoopedBatch): Promise<void> {
    const { context, ledger } = this;
    const { failures, firstRecord, lastRecord } = batch;
    if (failures.length > 0 && !ledger.has(DEAD_LETTER_SINK, firstRecord, lastRecord)) {
      await context.deadLetter(failures);
      ledger.add(DEAD_LETTER_SINK, firstRecord, lastRecord);
      // Counted once stored: a batch whose dead-letter write failed is read again, and counted then.
      context.metrics.recordsFailed.inc({ pipeline: context.pipeline }, failures.length);
      context.onDeadLettered?.(failures.length);
    }
    const reports = await Promise.all(
      context.outputs.map(async (output, index) => {
        const sink = outputSink(index);
        if (ledger.has(sink, firstRecord, lastRecord)) return 0;
        const report = await batch.write(output, index);
        ledger.add(sink, firstRecord, lastRecord);
        return report.deadLettered;
      }),
    );
    let rejected = 0;
    for (const deadLettered of reports) rejected += deadLettered;
    this.rejected += rejected;
    if (rejected > 0) context.onDeadLettered?.(rejected);
  }

  /** Waits while `max` batches are out. */
  async waitBelow(max: number): Promise<void> {
    while (this.pending.size >= max) await Promise.race(this.pending);
  }

  /** Waits for every batch; rejects with the first failure, if any. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
    if (this.hasFailed) throw this.firstError;
  }
}
