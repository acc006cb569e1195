/**
 * A worker thread of a pipeline (batch-threads.ts starts it): builds the pipeline's record loop
 * and its outputs' encoders from the config in `workerData` (thread-parts.ts), then, for each
 * framed batch the main thread sends, runs the record loop (parse, filters, rename), routes the
 * events by each output's `when` and encodes them (`_id`, action line, document JSON) into bytes
 * transferred back. Nothing here does I/O: reading, sending, acknowledging and the dead-letter
 * stay on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { encodedBatchTransfer } from '../core/encoded-batch.js';
import { createLogger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { RecordLoop } from './record-loop.js';
import {
  crossError,
  type ThreadBatchResult,
  type ThreadInit,
  type ThreadReply,
  type ThreadTask,
} from './thread-messages.js';
import { buildThreadParts, type ThreadParts } from './thread-parts.js';

const init = workerData as ThreadInit;
const port = parentPort!;
const { config, baseDir } = init;
const logger = createLogger({ level: init.logLevel }).child({ pipeline: config.id, thread: true });
// Nothing of the record loop counts into a registry (its counts travel in each reply); filters get one to hold.
const context = { pipeline: config.id, logger, metrics: new Metrics(), baseDir, schema: config.schema };
const parts: Promise<ThreadParts> = buildThreadParts(config, context);
parts.catch(() => undefined);
/** Record loops of the objects this thread has batches of (a parser keeps per-object state). */
const loops = new Map<number, RecordLoop>();

async function run(task: Extract<ThreadTask, { kind: 'batch' }>): Promise<void> {
  let reply: ThreadReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const { parser, filters, rename, outputs } = await parts;
    let loop = loops.get(task.job);
    if (loop === undefined) {
      loop = new RecordLoop({ parser, filters, rename, ...task.loop });
      loops.set(task.job, loop);
    }
    const looped = loop.run(task.batch);
    let result: ThreadBatchResult | null = null;
    if (looped !== null) {
      const { events } = looped;
      const encoded = outputs.map(({ when, encoder }) =>
        encoder.encode(when ? events.filter((event) => when(event.doc)) : events),
      );
      transfer = encoded.flatMap(encodedBatchTransfer);
      const { read, records, dropped, failures } = looped;
      result = { read, records, dropped, failures, events: events.length, outputs: encoded };
    }
    reply = { seq: task.seq, result };
  } catch (error) {
    reply = { seq: task.seq, error: crossError(error) };
  }
  port.postMessage(reply, transfer);
}

port.on('message', (task: ThreadTask) => {
  if (task.kind === 'end') loops.delete(task.job);
  else void run(task);
});
