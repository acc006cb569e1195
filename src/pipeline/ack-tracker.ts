/**
 * Tracks which records of one object are acknowledged when batches complete out of
 * order (outputs run several bulk requests at once). The offset only moves over a
 * contiguous prefix of completed batches: a restart resumes after it and nothing
 * unacknowledged is ever skipped.
 */
export class AckTracker {
  private readonly pending: Array<{ lastRecord: number; done: boolean }> = [];
  private acknowledged: number;

  constructor(startAfterRecord = 0) {
    this.acknowledged = startAfterRecord;
  }

  /** Registers a batch ending at `lastRecord`; call `complete` with the returned handle when it is acknowledged. */
  begin(lastRecord: number): { lastRecord: number; done: boolean } {
    const entry = { lastRecord, done: false };
    this.pending.push(entry);
    return entry;
  }

  /** Marks a batch acknowledged; returns the new contiguous offset. */
  complete(entry: { lastRecord: number; done: boolean }): number {
    entry.done = true;
    while (this.pending.length > 0 && this.pending[0]!.done) {
      this.acknowledged = Math.max(this.acknowledged, this.pending.shift()!.lastRecord);
    }
    return this.acknowledged;
  }

  /** Every record up to and including this number is acknowledged. */
  get offset(): number {
    return this.acknowledged;
  }
}
