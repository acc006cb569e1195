import type { DeadLetter, DeadLetterEntry } from '../../core/components.js';
import type { Metrics } from '../../core/metrics.js';

/**
 * The one dead-letter every part of a pipeline hands entries to: the record loop (records that
 * do not parse, are too long, or an event a filter threw on), the outputs (documents they
 * reject) and the runner (quarantined objects). Before the sink (s3, file, or the log without
 * one) sees an entry, its raw text and its reason, which can quote record content, pass through
 * the pipeline's filters' redactText in filter order: redaction holds wherever a record leaves
 * the process. Once the sink stored them, entries are counted by code.
 *
 * An entry's `doc` is left as it is: only outputs set it, and an output only ever receives
 * events that passed every filter, redact included. An event a filter threw on never reaches
 * an output; its entry carries the record's raw text, redacted here, never the half-filtered doc.
 */
export class PipelineDeadLetter implements DeadLetter {
  constructor(
    private readonly sink: DeadLetter,
    private readonly redact: (text: string) => string,
    private readonly metrics: Metrics,
    private readonly pipeline: string,
  ) {}

  async put(entries: DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.sink.put(entries.map((entry) => this.redacted(entry)));
    const byCode = new Map<string, number>();
    for (const { code } of entries) byCode.set(code, (byCode.get(code) ?? 0) + 1);
    for (const [code, count] of byCode) {
      this.metrics.deadLetterEntries.inc({ pipeline: this.pipeline, code }, count);
    }
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  private redacted(entry: DeadLetterEntry): DeadLetterEntry {
    const copy = { ...entry, reason: this.redact(entry.reason) };
    if (entry.raw !== undefined) copy.raw = this.redact(entry.raw);
    return copy;
  }
}
