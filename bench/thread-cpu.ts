/**
 * CPU-seconds of this process per OS thread, grouped by what the thread is (Linux: the thread
 * names in /proc/self/task/<tid>/stat): the main thread, each worker thread (`WorkerThread`),
 * V8's platform threads (`node-V8Worker`: parallel scavenge and marking, concurrent compile),
 * libuv's pool (`libuv-worker`: zlib, fs) and the rest. A thread that ends is counted from its
 * last sample, so the sampler reads every `everyMs` while the measured work runs.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpu {
  main: number;
  /** One entry per worker thread seen, in the order they started. */
  workers: number[];
  v8: number;
  libuv: number;
  other: number;
}

const TICKS_PER_SECOND = 100;

function readTasks(): Map<number, { name: string; seconds: number }> {
  const tasks = new Map<number, { name: string; seconds: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // ended between the listing and the read
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted after the name.
    tasks.set(Number(tid), { name, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND });
  }
  return tasks;
}

/** Starts sampling; `stop()` gives each group's CPU since the start. */
export function sampleThreadCpu(everyMs = 50): { stop(): ThreadCpu } {
  const start = readTasks();
  const last = new Map(start);
  const timer = setInterval(() => {
    for (const [tid, task] of readTasks()) last.set(tid, task);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      for (const [tid, task] of readTasks()) last.set(tid, task);
      const cpu: ThreadCpu = { main: 0, workers: [], v8: 0, libuv: 0, other: 0 };
      for (const [tid, task] of [...last].sort((a, b) => a[0] - b[0])) {
        const seconds = task.seconds - (start.get(tid)?.seconds ?? 0);
        if (tid === process.pid) cpu.main += seconds;
        else if (task.name === 'WorkerThread') cpu.workers.push(seconds);
        else if (task.name.startsWith('node-V8Worker')) cpu.v8 += seconds;
        else if (task.name.startsWith('libuv-worker')) cpu.libuv += seconds;
        else cpu.other += seconds;
      }
      return cpu;
    },
  };
}
