import type { ByteBudget } from '../core/byte-budget.js';
import type { DeadLetterEntry } from '../core/components.js';
import type { Metrics } from '../core/metrics.js';
import type { AckTracker } from './ack-tracker.js';
import type { LoopedBatch } from './batch-results.js';
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
  drainSignal: AbortSignal;
}

/** The batches of one object sent and not yet acknowledged, and what their acknowledgements said. */
export class BatchesInFlight {
  private readonly pending = new Set<Promise<void>>();
  private firstError: unknown;
  private hasFailed = false;
  /** Events the outputs handed to the dead-letter so far (they count towards the cap). */
  rejected = 0;

  constructor(
    private readonly context: InFlightContext,
    private readonly tracker: AckTracker,
  ) {}

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

  /** Hands one batch's failures to the dead-letter and its events (room admitted) to every output. */
  send(batch: LoopedBatch): void {
    const { context, tracker } = this;
    const { failures } = batch;
    const entry = tracker.begin(batch.lastRecord);
    const acknowledged = Promise.all([
      failures.length > 0 ? context.deadLetter(failures) : undefined,
      ...context.outputs.map((output, index) => batch.write(output, index)),
    ]).then(
      ([, ...reports]) => {
        let rejected = 0;
        for (const report of reports) rejected += report.deadLettered;
        this.rejected += rejected;
        // Counted once stored: a batch whose dead-letter write failed is read again, and counted then.
        if (failures.length > 0) context.metrics.recordsFailed.inc({ pipeline: context.pipeline }, failures.length);
        if (failures.length + rejected > 0) context.onDeadLettered?.(failures.length + rejected);
        const before = tracker.offset;
        const offset = tracker.complete(entry);
        if (offset > before) context.onOffset(offset);
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
