import type { Output, WriteReport } from '../core/components.js';
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
}
