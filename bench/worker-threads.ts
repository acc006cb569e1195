/**
 * `npm run bench:threads`: the production path (gunzip, framing, the record loop with the
 * shipped `pipelines/alb.yml` filters, the OpenSearch output's bulk encoding) in-process on one
 * thread, against the same work on N worker threads (bench/batch-thread.ts) in three designs:
 *
 *   inprocess   today's path: one thread does everything, one object after another
 *   batch:N     the main thread decompresses and frames; N threads run the loop and the
 *               encoding per batch and hand back encoded bytes (transferred); order kept
 *   clone:N     as batch:N, but the threads hand back the events (structured clone) and the
 *               main thread encodes them
 *   bytes:N     the main thread only decompresses and cuts the bytes at line ends (about
 *               1 MB a piece, transferred with the number of lines before it); N threads frame,
 *               run the loop and encode; encoded bytes come back as in batch:N
 *   object:N    N threads each run whole objects (gunzip to bulk bodies); the main thread only
 *               hands out objects
 *
 * The corpus (bench/thread-corpus.ts) is `--objects` objects of `--mb` MB in all; every
 * configuration runs in a fresh child process, interleaved round by round, so its peak RSS is
 * its own. Reports records/s wall, per CPU-second (user+sys of the whole process, every
 * thread), CPU seconds of the main thread and of each worker thread, the rate the
 * configuration would reach on idle cores (bounded by its busiest thread and by its total CPU
 * over the cores: on a shared machine wall rates say little) and peak RSS; the best round of each.
 *
 *   --mb N        uncompressed MB in all (default 128)
 *   --objects N   objects the corpus is cut into (default 4)
 *   --configs a,b (default inprocess,batch:2,clone:2,object:2)
 *   --pairs N     interleaved rounds (default 2)
 *   --thread-heap OLD,YOUNG  each worker thread's resourceLimits (maxOldGenerationSizeMb,
 *                 maxYoungGenerationSizeMb); default `inherit` (V8's sizes for a worker)
 *   --node-flags  V8 flags of every child (default: the image's entrypoint defaults,
 *                 `--max-old-space-size=128 --max-semi-space-size=8`; `none` for V8's own)
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { frameRecords } from '../src/parsers/framing/frame-records.js';
import { decodeObjectStream } from '../src/sources/decompress.js';
import type { ThreadReply, ThreadTask } from './batch-thread.js';
import { benchPipelineFor } from './bench-pipeline.js';
import { BulkBodies, recordPath } from './hot-path.js';
import { BodyCopies, buildCorpus, type Corpus, countLines, objectStream, POOL_LINES } from './thread-corpus.js';

interface Measured {
  config: string;
  records: number;
  seconds: number;
  /** The whole process: every thread, zlib's thread pool included. */
  cpuSeconds: number;
  /** The main thread alone. */
  mainCpuSeconds: number;
  /** Each worker thread alone. */
  threadCpuSeconds: number[];
  maxRssMB: number;
  /** Bytes of every bulk body: the same in every configuration, or one of them encodes differently. */
  bodyBytes: number;
}

/**
 * Records/s the configuration would reach with `cores` idle cores: bounded by the busiest single
 * thread (one thread runs on one core at a time) and by the whole process's CPU spread on every core.
 */
function idleRate(m: Measured, cores: number): number {
  const critical = Math.max(m.mainCpuSeconds, ...m.threadCpuSeconds, m.cpuSeconds / cores);
  return m.records / critical;
}

type Mode = 'inprocess' | 'batch' | 'clone' | 'bytes' | 'object';

/** Bytes of decompressed lines per task (about 2,000 ALB lines, a framed batch's worth). */
const PIECE_BYTES = 1024 * 1024;

/**
 * Main thread decompresses only and cuts the bytes at a line end into pieces, each transferred
 * (not copied) to a thread with the number of lines before it; replies taken in order.
 */
async function byteRanges(corpus: Corpus, members: number[], threads: Threads): Promise<Output> {
  const bodies = new BodyCopies((await benchPipelineFor('alb', null)).bulk.flushBytes);
  let events = 0;
  for (const [n, count] of members.entries()) {
    const key = `bench/alb/${n}.log.gz`;
    const inFlight: Promise<ThreadReply>[] = [];
    let held: Buffer[] = [];
    let heldBytes = 0;
    let base = 0;
    const send = (piece: Buffer) => {
      const own = Buffer.allocUnsafeSlow(piece.length);
      piece.copy(own);
      inFlight.push(threads.run({ kind: 'bytes', id: 0, key, bytes: own, base }, undefined, [own.buffer]));
      base += countLines(own);
    };
    for await (const chunk of decodeObjectStream(objectStream(corpus.member, count), { key })) {
      held.push(chunk as Buffer);
      heldBytes += (chunk as Buffer).length;
      if (heldBytes < PIECE_BYTES) continue;
      const all = Buffer.concat(held, heldBytes);
      const cut = all.lastIndexOf(10) + 1;
      send(all.subarray(0, cut));
      held = [all.subarray(cut)];
      heldBytes = all.length - cut;
      while (inFlight.length >= 2 * threads.workers.length) {
        const r = await inFlight.shift()!;
        events += r.events;
        bodies.add(r.body!);
      }
    }
    if (heldBytes > 0) send(Buffer.concat(held, heldBytes));
    for (const reply of inFlight) {
      const r = await reply;
      events += r.events;
      bodies.add(r.body!);
    }
  }
  return { events, bodyBytes: bodies.finish() };
}

class Threads {
  private readonly waiting = new Map<number, (reply: ThreadReply) => void>();
  private next = 0;
  private constructor(readonly workers: Worker[]) {
    for (const w of workers) w.on('message', (reply: ThreadReply) => this.waiting.get(reply.id)?.(reply));
  }

  static async start(count: number, heap: ResourceLimits | undefined): Promise<Threads> {
    const url = new URL('./batch-thread.js', import.meta.url);
    const workers = Array.from({ length: count }, () => new Worker(url, heap ? { resourceLimits: heap } : {}));
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    return new Threads(workers);
  }

  /** Round-robin (or to one thread); the task's id is set here. */
  run(task: ThreadTask, to?: Worker, transfer: ArrayBuffer[] = []): Promise<ThreadReply> {
    const id = this.next++;
    const reply = new Promise<ThreadReply>((resolve) => this.waiting.set(id, resolve));
    (to ?? this.workers[id % this.workers.length]!).postMessage({ ...task, id }, transfer);
    return reply;
  }

  /** Each thread's own CPU seconds since it started. */
  async cpuSeconds(): Promise<number[]> {
    const replies = await Promise.all(this.workers.map((w) => this.run({ kind: 'cpu', id: 0 }, w)));
    return replies.map((r) => r.cpuSeconds ?? 0);
  }

  async stop(): Promise<void> {
    for (const w of this.workers) await w.terminate();
  }
}

/** Main thread frames; batches go round-robin, at most 2 out per thread; replies taken in batch order. */
async function batched(corpus: Corpus, members: number[], threads: Threads, reply: 'transfer' | 'clone') {
  const pipeline = await benchPipelineFor('alb', null);
  const sink = new BulkBodies(pipeline.output);
  let events = 0;
  const bodies = new BodyCopies(pipeline.bulk.flushBytes);
  const settle = (r: ThreadReply) => {
    events += r.events;
    if (r.cloned) for (const event of r.cloned) sink.add(event);
    if (r.body) bodies.add(r.body);
  };
  for (const [n, count] of members.entries()) {
    const key = `bench/alb/${n}.log.gz`;
    const inFlight: Promise<ThreadReply>[] = [];
    const decoded = decodeObjectStream(objectStream(corpus.member, count), { key });
    for await (const batch of frameRecords(decoded, 'lines', { maxRecordBytes: pipeline.maxRecordBytes })) {
      inFlight.push(threads.run({ kind: 'batch', id: 0, key, batch, reply }));
      while (inFlight.length >= 2 * threads.workers.length) settle(await inFlight.shift()!);
    }
    while (inFlight.length > 0) settle(await inFlight.shift()!);
  }
  sink.flush();
  return { events, bodyBytes: bodies.finish() + sink.bodyBytes };
}

/** What a configuration produced: every configuration must produce the same (the parent checks). */
interface Output {
  events: number;
  bodyBytes: number;
}

async function run(mode: Mode, corpus: Corpus, members: number[], threads: Threads | undefined): Promise<Output> {
  if (mode === 'batch' || mode === 'clone')
    return batched(corpus, members, threads!, mode === 'batch' ? 'transfer' : 'clone');
  if (mode === 'bytes') return byteRanges(corpus, members, threads!);
  if (mode === 'object') {
    const member = new Uint8Array(corpus.member);
    const replies = members.map((count, n) =>
      threads!.run({ kind: 'object', id: 0, key: `bench/alb/${n}.log.gz`, member, members: count }),
    );
    const done = await Promise.all(replies);
    return {
      events: done.reduce((n, r) => n + r.events, 0),
      bodyBytes: done.reduce((n, r) => n + (r.bodyBytes ?? 0), 0),
    };
  }
  const pipeline = await benchPipelineFor('alb', null);
  const sink = new BulkBodies(pipeline.output);
  let events = 0;
  for (const [n, count] of members.entries()) {
    const object = { key: `bench/alb/${n}.log.gz`, gz: corpus.member, bytes: 0 };
    events += await recordPath(object, pipeline, pipeline.filters, sink, objectStream(corpus.member, count));
  }
  sink.flush();
  return { events, bodyBytes: sink.bodyBytes };
}

async function child(config: string, mb: number, objects: number, threadHeap: string): Promise<void> {
  const corpus = buildCorpus();
  const total = Math.max(objects, Math.round((mb * 1024 * 1024) / corpus.memberBytes));
  const members = Array.from(
    { length: objects },
    (_, i) => Math.floor(total / objects) + (i < total % objects ? 1 : 0),
  );
  const [mode, n] = config.split(':') as [Mode, string | undefined];
  const [old, young] = threadHeap.split(',').map(Number);
  const heap = threadHeap === 'inherit' ? undefined : { maxOldGenerationSizeMb: old, maxYoungGenerationSizeMb: young };
  const threads = mode === 'inprocess' ? undefined : await Threads.start(Number(n), heap);
  const before = (await threads?.cpuSeconds()) ?? [];
  const cpu0 = process.cpuUsage();
  const main0 = process.threadCpuUsage();
  const t0 = performance.now();
  const { events, bodyBytes } = await run(mode, corpus, members, threads);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const main = process.threadCpuUsage(main0);
  const threadCpuSeconds = ((await threads?.cpuSeconds()) ?? []).map((s, i) => s - before[i]!);
  await threads?.stop();
  const records = total * POOL_LINES;
  if (events !== records) throw new Error(`${config}: ${events} events for ${records} records`);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const mainCpuSeconds = (main.user + main.system) / 1e6;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  const out: Measured = { config, records, seconds, cpuSeconds, mainCpuSeconds, threadCpuSeconds, maxRssMB, bodyBytes };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function parent(argv: string[]): void {
  let mb = 128;
  let objects = 4;
  let configs = ['inprocess', 'batch:2', 'clone:2', 'object:2'];
  let pairs = 2;
  let nodeFlags = ['--max-old-space-size=128', '--max-semi-space-size=8'];
  let threadHeap = 'inherit';
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (argv[i] === '--mb') mb = Number(value);
    else if (argv[i] === '--objects') objects = Number(value);
    else if (argv[i] === '--configs' && value) configs = value.split(',');
    else if (argv[i] === '--pairs') pairs = Number(value);
    else if (argv[i] === '--thread-heap' && value) threadHeap = value;
    else if (argv[i] === '--node-flags' && value) nodeFlags = value === 'none' ? [] : value.split(' ');
    else throw new Error(`unknown option ${argv[i]}; see the comment at the top of bench/worker-threads.ts`);
  }
  const load = loadavg();
  const best = new Map<string, Measured>();
  for (let round = 0; round < pairs; round++) {
    for (const config of configs) {
      const args = [...nodeFlags, import.meta.filename, '--child', config, String(mb), String(objects), threadHeap];
      const m = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as Measured;
      const first = best.values().next().value;
      if (first && m.bodyBytes !== first.bodyBytes) {
        throw new Error(
          `${config} encoded ${m.bodyBytes} bytes, ${first.config} ${first.bodyBytes}: not the same bodies`,
        );
      }
      const prev = best.get(config);
      const maxRssMB = Math.max(m.maxRssMB, prev?.maxRssMB ?? 0);
      if (!prev || m.seconds < prev.seconds) best.set(config, { ...m, maxRssMB });
      else prev.maxRssMB = maxRssMB;
    }
  }
  const base = best.get(configs[0]!)!;
  const after = loadavg();
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model}), ${mb} MB in ${objects} objects`);
  console.log(`node flags: ${nodeFlags.join(' ') || '(none)'}; worker threads' heap (old,young MB): ${threadHeap}`);
  console.log(
    `load average before ${load.map((l) => l.toFixed(2)).join(' ')}, after ${after.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const cores = cpus().length;
  console.log(
    `config      records/s wall  vs first  records/CPU-s  vs first  main CPU-s  thread CPU-s  idle ${cores}-core rec/s  vs first  peak RSS MB`,
  );
  for (const m of best.values()) {
    const cells = [
      (m.records / m.seconds).toFixed(0).padStart(14),
      (m.records / m.seconds / (base.records / base.seconds)).toFixed(2).padStart(9),
      (m.records / m.cpuSeconds).toFixed(0).padStart(14),
      (m.records / m.cpuSeconds / (base.records / base.cpuSeconds)).toFixed(2).padStart(9),
      m.mainCpuSeconds.toFixed(1).padStart(11),
      (m.threadCpuSeconds.map((s) => s.toFixed(1)).join('+') || '-').padStart(13),
      idleRate(m, cores).toFixed(0).padStart(20),
      (idleRate(m, cores) / idleRate(base, cores)).toFixed(2).padStart(9),
      m.maxRssMB.toFixed(0).padStart(12),
    ];
    console.log(`${m.config.padEnd(11)} ${cells.join(' ')}`);
  }
  console.log(JSON.stringify([...best.values()]));
}

if (process.argv[2] === '--child')
  await child(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]), process.argv[6]!);
else parent(process.argv.slice(2));
