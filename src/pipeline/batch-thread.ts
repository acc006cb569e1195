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
import { adoptSharedFiles } from '../core/shared-files.js';
import { loopAndEncode } from './loop-and-encode.js';
import { RecordLoop } from './record-loop.js';
import { crossError, type ThreadInit, type ThreadReply, type ThreadTask } from './thread-messages.js';
import { buildThreadParts, type ThreadParts } from './thread-parts.js';

const init = workerData as ThreadInit;
const port = parentPort!;
const { config, baseDir } = init;
const logger = createLogger({ level: init.logLevel }).child({ pipeline: config.id, thread: true });
// Nothing of the record loop counts into a registry (its counts travel in each reply), so no prom-client here.
const context = { pipeline: config.id, logger, baseDir, schema: config.schema };
// The GeoIP databases the main thread read: built from its shared bytes, not read again.
adoptSharedFiles(init.files);
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
    const result = loopAndEncode(loop, outputs, task.batch);
    if (result !== null) transfer = result.outputs.flatMap(encodedBatchTransfer);
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
