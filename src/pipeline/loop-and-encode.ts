import { type FramedBatch, sliceBatch } from '../parsers/framing/framed-batch.js';
import type { RecordLoop } from './record-loop.js';
import type { ThreadBatchResult } from './thread-messages.js';
import type { ThreadOutput } from './thread-parts.js';

/**
 * Records the loop runs at a time: a slice's documents and JSON die in the young generation
 * instead of a whole batch's surviving its scavenges (bench:pipeline-threads). The batch is
 * still what is acknowledged and sent.
 */
const SLICE_RECORDS = 250;

/**
 * One batch's work before I/O, wherever it runs (a worker thread, batch-thread.ts, or the main
 * thread inline, process-object.ts): the record loop over the batch slice by slice, each slice's
 * events routed by each output's `when` and encoded for it at once, so only bytes outlive the slice.
 */
export function loopAndEncode(
  loop: RecordLoop,
  outputs: readonly ThreadOutput[],
  batch: FramedBatch,
): ThreadBatchResult | null {
  const builders = outputs.map(({ encoder }) => encoder.start(batch.recordNumbers.length));
  const result: ThreadBatchResult = { read: 0, records: 0, dropped: 0, events: 0, failures: [], outputs: [] };
  let any = false;
  for (const slice of sliceBatch(batch, SLICE_RECORDS)) {
    const looped = loop.run(slice);
    if (looped === null) continue;
    any = true;
    const { events } = looped;
    outputs.forEach(({ when }, i) => {
      builders[i]!.add(when ? events.filter((event) => when(event.doc)) : events);
    });
    result.read += looped.read;
    result.records += looped.records;
    result.dropped += looped.dropped;
    result.events += events.length;
    for (const failure of looped.failures) result.failures.push(failure);
  }
  if (!any) return null;
  result.outputs = builders.map((builder) => builder.finish());
  return result;
}
