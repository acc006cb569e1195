import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { FramedBatch } from '../parsers/framing/framed-batch.js';
import {
  type LoopSpec,
  rebuildError,
  type ThreadBatchResult,
  type ThreadInit,
  type ThreadReply,
  type ThreadTask,
} from './thread-messages.js';

/** One object's batches on the threads. */
export interface ThreadJob {
  readonly id: number;
  readonly loop: LoopSpec;
  /** Set for parsers that read headers (`resumeReadsHeaders`): every batch of the object goes to this thread, in order. */
  pinned?: number;
  /** The threads that saw a batch of it, told when it ends. */
  readonly seen: Set<number>;
}

interface Waiting {
  resolve: (result: ThreadBatchResult | null) => void;
  reject: (error: unknown) => void;
}

/** One thread and its batches not answered yet. */
interface Slot {
  worker: Worker;
  waiting: Map<number, Waiting>;
}

/**
 * A pipeline's worker threads (`SLUICE_WORKER_THREADS` above 1): each runs batch-thread.ts. A
 * batch goes to the thread with the fewest batches waiting, or to its object's thread when the
 * parser reads headers. Threads start at the first batch, are not kept referenced while idle
 * (they never hold the process open) and a thread that dies fails only the batches it held:
 * the next batch starts a new one. Ordering, acknowledgement and bounds are the caller's
 * (batch-results.ts, process-object.ts).
 */
export class BatchThreads {
  private readonly slots: (Slot | undefined)[];
  private seq = 0;
  private jobs = 0;
  private closed = false;

  constructor(
    private readonly init: ThreadInit,
    readonly size: number,
    private readonly logger: Logger,
  ) {
    this.slots = new Array(size).fill(undefined);
  }

  job(loop: LoopSpec, pinned: boolean): ThreadJob {
    const job: ThreadJob = { id: this.jobs++, loop, seen: new Set() };
    if (pinned) job.pinned = this.leastBusy();
    return job;
  }

  /** The batch after the record loop and the encoding (null: wholly at or before the resume point). */
  run(job: ThreadJob, batch: FramedBatch): Promise<ThreadBatchResult | null> {
    if (this.closed) return Promise.reject(new Error('worker threads closed'));
    const index = job.pinned ?? this.leastBusy();
    const slot = this.slot(index);
    const seq = this.seq++;
    job.seen.add(index);
    return new Promise((resolve, reject) => {
      if (slot.waiting.size === 0) slot.worker.ref();
      slot.waiting.set(seq, { resolve, reject });
      const task: ThreadTask = { kind: 'batch', seq, job: job.id, loop: job.loop, batch };
      slot.worker.postMessage(task);
    });
  }

  /** The object is over (every batch of it answered): its threads drop its record loop. */
  end(job: ThreadJob): void {
    for (const index of job.seen) this.slots[index]?.worker.postMessage({ kind: 'end', job: job.id } as ThreadTask);
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0).filter((slot) => slot !== undefined);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.size; i++) {
      if ((this.slots[i]?.waiting.size ?? 0) < (this.slots[best]?.waiting.size ?? 0)) best = i;
    }
    return best;
  }

  private slot(index: number): Slot {
    const existing = this.slots[index];
    if (existing) return existing;
    const worker = new Worker(new URL('./batch-thread.js', import.meta.url), { workerData: this.init });
    this.logger.info({ thread: index + 1, threads: this.size }, 'record loop worker thread started');
    worker.unref();
    const slot: Slot = { worker, waiting: new Map() };
    worker.on('message', (reply: ThreadReply) => {
      const waiting = slot.waiting.get(reply.seq);
      if (!waiting) return;
      slot.waiting.delete(reply.seq);
      if (slot.waiting.size === 0) worker.unref();
      if ('error' in reply) waiting.reject(rebuildError(reply.error));
      else waiting.resolve(reply.result);
    });
    const lost = (error: Error) => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      for (const waiting of slot.waiting.values()) waiting.reject(error);
      slot.waiting.clear();
    };
    worker.on('error', (error: Error) => lost(new Error(`worker thread failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => lost(new Error(`worker thread exited (code ${code})`)));
    this.slots[index] = slot;
    return slot;
  }
}
