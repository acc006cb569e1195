import type { RoutedOutput } from './routed-output.js';

/**
 * Records between two offset marks of one object. Outputs that store a replayed event once
 * (OpenSearch with deterministic ids) keep `checkpoint_every_records`: a crash costs re-sent
 * 409s. Any other output (a file, stdout) would repeat lines, so every acknowledgement is
 * marked and the next checkpoint save (at most flush_interval_seconds later) holds it.
 */
export function offsetMarkInterval(outputs: readonly RoutedOutput[], checkpointEveryRecords: number): number {
  return outputs.every((routed) => routed.output.idempotent === true) ? checkpointEveryRecords : 1;
}

/**
 * One attempt at one object: the contiguous acknowledged record offset as it moves, and when it
 * goes into the checkpoint: every `interval` records while the attempt runs, and always when it
 * ends without finishing the object (a failure, a drain), so that the next attempt, in this
 * process or the next, sends nothing this one had acknowledged, to any output or the dead-letter.
 */
export class ObjectOffsets {
  private acknowledged: number;
  private marked: number;

  constructor(
    startAfter: number,
    private readonly interval: number,
    private readonly mark: (record: number) => void,
  ) {
    this.acknowledged = startAfter;
    this.marked = startAfter;
  }

  /** Every record up to and including `record` is acknowledged. */
  acknowledge(record: number): void {
    if (record <= this.acknowledged) return;
    this.acknowledged = record;
    if (record - this.marked >= this.interval) this.markNow();
  }

  /** The attempt ended without finishing the object: marks what it acknowledged and had not marked yet. */
  settle(): void {
    if (this.acknowledged > this.marked) this.markNow();
  }

  private markNow(): void {
    this.marked = this.acknowledged;
    this.mark(this.acknowledged);
  }
}
