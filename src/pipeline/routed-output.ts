import type { Output, WriteReport } from '../core/components.js';
import type { EncodedBatch, ObjectOrigin } from '../core/encoded-batch.js';
import type { Doc, LogEvent } from '../core/event.js';

/** An output with its routing condition: it receives only the events whose `when` holds. */
export class RoutedOutput {
  constructor(
    readonly output: Output,
    private readonly when: ((doc: Doc) => boolean) | undefined,
  ) {}

  /** Whether this output receives the document: the one routing decision, for writes and for `sluice parse --show-route`. */
  accepts(doc: Doc): boolean {
    return this.when === undefined || this.when(doc);
  }

  write(events: LogEvent[]): Promise<WriteReport> {
    const routed = this.when ? events.filter((event) => this.accepts(event.doc)) : events;
    if (routed.length === 0) return Promise.resolve({ stored: 0, duplicates: 0, deadLettered: 0 });
    return this.output.write(routed);
  }

  /** A batch a worker thread routed (this output's `when`, in the thread) and encoded for this output. */
  async writeEncoded(batch: EncodedBatch, object: ObjectOrigin): Promise<WriteReport> {
    if (batch.ends.length === 0) return { stored: 0, duplicates: 0, deadLettered: 0 };
    if (!this.output.writeEncoded) throw new Error(`output ${this.output.type} takes no encoded batches`);
    return this.output.writeEncoded(batch, object);
  }
}
