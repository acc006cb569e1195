/** The ledger's name for the pipeline's dead-letter (outputs go by their index). */
export const DEAD_LETTER_SINK = 'dead-letter';

/** The ledger's name for the pipeline's `index`-th output. */
export function outputSink(index: number): string {
  return `output ${index}`;
}

/**
 * Which batches of one object each part of its delivery (the dead-letter, each output) has
 * already taken, kept across the attempts at the object in this process. A batch is acknowledged
 * only once every part took it, so a batch that one part failed is read again; the parts that took
 * it are then skipped, and a retry or a pause sends no record twice to any of them, a file output
 * or a dead-letter included. Batches are framed the same way on every attempt (the record loop
 * skips the acknowledged records inside them), so one batch is known by its first and last record.
 * What lies at or before the acknowledged offset is never sent again and is forgotten.
 */
export class DeliveryLedger {
  private readonly taken = new Map<string, Set<string>>();
  private readonly lastRecords = new Map<string, number>();

  has(sink: string, firstRecord: number, lastRecord: number): boolean {
    return this.taken.get(sink)?.has(`${firstRecord}-${lastRecord}`) === true;
  }

  add(sink: string, firstRecord: number, lastRecord: number): void {
    let batches = this.taken.get(sink);
    if (!batches) {
      batches = new Set();
      this.taken.set(sink, batches);
    }
    const id = `${firstRecord}-${lastRecord}`;
    batches.add(id);
    this.lastRecords.set(id, lastRecord);
  }

  /** Forgets the batches that end at or before `offset`: they are acknowledged and never read again. */
  forgetThrough(offset: number): void {
    for (const [id, lastRecord] of this.lastRecords) {
      if (lastRecord > offset) continue;
      this.lastRecords.delete(id);
      for (const batches of this.taken.values()) batches.delete(id);
    }
  }

  get empty(): boolean {
    return this.lastRecords.size === 0;
  }
}
