/**
 * Loaded into a sluice process with `NODE_OPTIONS=--import <this file>` (it runs in every
 * worker thread too): in a worker thread, once the `SLUICE_TEST_THREAD_EXIT_AFTER`-th batch
 * arrives, ends that thread with `process.exit(70)` (a thread's process.exit ends only the
 * thread), before the thread answers it. It does so once per marker file
 * (`SLUICE_TEST_THREAD_EXIT_MARKER`, created on the way out), so the retry that follows runs.
 * Test code only: nothing in src/ knows of it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { isMainThread, parentPort } from 'node:worker_threads';

const marker = process.env.SLUICE_TEST_THREAD_EXIT_MARKER;
const after = Number(process.env.SLUICE_TEST_THREAD_EXIT_AFTER ?? '1');
if (!isMainThread && parentPort && marker) {
  let batches = 0;
  parentPort.on('message', (task) => {
    if (task?.kind !== 'batch' || ++batches < after || existsSync(marker)) return;
    writeFileSync(marker, `thread exited at record ${task.batch.firstRecord} of ${task.loop.object.key}\n`);
    process.exit(70);
  });
}
