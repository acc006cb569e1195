import type { DeadLetterEntry, WriteReport } from '../core/components.js';
import type { ObjectOrigin } from '../core/encoded-batch.js';
import type { FramedBatch } from '../parsers/framing/framed-batch.js';
import type { RecordLoop } from './record-loop.js';
import type { RoutedOutput } from './routed-output.js';
import type { ThreadBatchResult } from './thread-messages.js';

/**
 * One batch after the record loop, wherever the loop ran: its counts, its dead-letter entries,
 * and how its events reach each output (the events themselves, or the bytes loop-and-encode.ts wrote).
 */
export interface LoopedBatch {
  firstRecord: number;
  lastRecord: number;
  read: number;
  records: number;
  dropped: number;
  failures: DeadLetterEntry[];
  /** Events that passed the filters (what `max_events_in_flight` counts). */
  events: number;
  /** Hands the batch's events to the pipeline's `index`-th output. */
  write(output: RoutedOutput, index: number): Promise<WriteReport>;
}

/** The event path (a file or stdout output): the record loop on this thread, batch by batch as framing yields them, the events handed to the outputs. */
export async function* loopInProcess(
  framed: AsyncIterable<FramedBatch>,
  loop: RecordLoop,
): AsyncGenerator<LoopedBatch> {
  for await (const batch of framed) {
    const result = loop.run(batch);
    if (result === null) continue;
    const { events } = result;
    yield {
      firstRecord: batch.firstRecord,
      lastRecord: batch.lastRecord,
      read: result.read,
      records: result.records,
      dropped: result.dropped,
      failures: result.failures,
      events: events.length,
      write: (output) => output.write(events),
    };
  }
}

/**
 * The encoded path (every output OpenSearch): each framed batch is handed to `dispatch`, the
 * executor that runs loop-and-encode.ts on it (worker threads, batch-threads.ts; or inline on
 * this thread, depth 1), as it comes, at most `depth` at a time, and the results are yielded in
 * batch order, whatever order the executor finishes in. The caller pulls the next result only
 * when it may send it (events in flight, batches in flight), so no more than `depth` batches
 * are read ahead of what is sent: the outputs' backpressure still reaches the source. A failed
 * batch fails at its place in the order; batches dispatched but not yielded (the caller
 * stopped: drain, dead-letter cap, a failure) are dropped unsent, their records
 * unacknowledged, and `settled` is called once none is left running.
 */
export async function* loopEncoded(
  framed: AsyncIterable<FramedBatch>,
  dispatch: (batch: FramedBatch) => Promise<ThreadBatchResult | null>,
  depth: number,
  object: ObjectOrigin,
  settled: () => void,
): AsyncGenerator<LoopedBatch> {
  // Only the record numbers stay here: the batch itself was copied to its thread (or looped already).
  const ahead: { firstRecord: number; lastRecord: number; result: Promise<ThreadBatchResult | null> }[] = [];
  const framedBatches = framed[Symbol.asyncIterator]();
  let more = true;
  try {
    while (more || ahead.length > 0) {
      while (more && ahead.length < depth) {
        const next = await framedBatches.next();
        if (next.done) {
          more = false;
          break;
        }
        const result = dispatch(next.value);
        // Awaited in order below; until then a failure must not count as unhandled.
        result.catch(() => undefined);
        ahead.push({ firstRecord: next.value.firstRecord, lastRecord: next.value.lastRecord, result });
      }
      const first = ahead.shift();
      if (first === undefined) break;
      const result = await first.result;
      if (result !== null) yield encodedBatch(first, result, object);
    }
  } finally {
    const running = ahead.map((entry) => entry.result);
    ahead.length = 0;
    void Promise.allSettled(running).then(settled);
    // Stopped early: the object's stream is closed as a `for await` would close it.
    if (more) await framedBatches.return?.();
  }
}

function encodedBatch(
  batch: { firstRecord: number; lastRecord: number },
  result: ThreadBatchResult,
  object: ObjectOrigin,
): LoopedBatch {
  const { read, records, dropped, failures, events, outputs } = result;
  return {
    firstRecord: batch.firstRecord,
    lastRecord: batch.lastRecord,
    read,
    records,
    dropped,
    failures,
    events,
    write: (output, index) => output.writeEncoded(outputs[index]!, object),
  };
}
