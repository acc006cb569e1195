/**
 * `npm run bench:pipeline-threads`: the worker's real path, `sluice run --once` in-process
 * (`runWorker`), with SLUICE_WORKER_THREADS 1 (the in-process record loop) against N worker
 * threads, on the same ALB objects through the shipped `pipelines/alb.yml` filters (date, geoip,
 * redact, user_agent): file source, gunzip, framing, record loop, OpenSearch output (ids,
 * encoding, batching, bulk requests over HTTP, acknowledgement), file checkpoint.
 *
 * The objects are written once, before the first run, member by member (a 20,000-line gzip
 * member repeated: no object is ever held in memory, so a child's peak RSS is the path's own).
 * The OpenSearch they go to is bench/bulk-stub.ts in a process of its own on 127.0.0.1, which
 * answers every item `201 created` and reports the CPU it spent: on a 2-core machine it shares
 * the cores with the measured process, so its CPU is reported beside it, never hidden. Every
 * configuration must send the same items and bytes.
 *
 * Each configuration runs in a fresh child process with the image's heap flags, interleaved
 * round by round. Reported per round: wall records/s and the ratio to the first configuration
 * of the same round; then, for each configuration's best round: CPU-seconds of the main thread,
 * of each worker thread, of V8's platform threads (parallel GC) and of libuv's pool (zlib), read
 * per OS thread from /proc (bench/thread-cpu.ts), the stub's CPU, and peak RSS (the highest of
 * all its rounds).
 *
 *   --mb N          uncompressed MB per object (default 128)
 *   --objects N     objects (default 1)
 *   --configs LIST  `|`-separated configurations, each SLUICE_WORKER_THREADS and optional extra
 *                   node flags, e.g. `1|2|2 --single-threaded-gc` (default `1|2`); `2@DIR` runs
 *                   the child of another checkout's bench build (DIR/.cache/bench-build), to
 *                   compare a change against the code before it in the same rounds
 *   --pairs N       interleaved rounds (default 3)
 *   --node-flags    V8 flags of every child (default `--max-old-space-size=128 --max-semi-space-size=8`)
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/load-config.js';
import { silentLogger } from '../src/core/logger.js';
import { runWorker } from '../src/worker/run-worker.js';
import { benchGeoipDatabase } from './bench-pipeline.js';
import type { StubStats } from './bulk-stub.js';
import { buildCorpus, POOL_LINES } from './thread-corpus.js';
import { sampleThreadCpu, type ThreadCpu } from './thread-cpu.js';

interface Measured {
  threads: number;
  records: number;
  seconds: number;
  cpuSeconds: number;
  threadCpu: ThreadCpu;
  maxRssMB: number;
}

interface Run extends Measured {
  label: string;
  stubCpuSeconds: number;
}

function pipelineYaml(objects: string, checkpoints: string, url: string, geoip: string): string {
  return `pipelines:
  - id: bench
    source: { type: file, path: ${objects}, include: ["*.log.gz"], max_objects_in_flight: 4 }
    parser: { type: alb }
    filters:
      - { type: date, field: time, formats: [iso8601] }
      - { type: geoip, source: client_ip, target: geoip, database: "${geoip}" }
      - { type: redact, pattern_fields: [request_url, redirect_url, transformed_uri, user_agent], replacement: "[REDACTED]" }
      - { type: user_agent, source: user_agent }
    outputs:
      - { type: opensearch, hosts: ["${url}"], index: "alb-logs-%{+YYYY.MM.dd}" }
    checkpoint: { type: file, directory: ${checkpoints} }
`;
}

async function child(threads: number, objects: string, records: number, url: string): Promise<void> {
  const geoip = benchGeoipDatabase();
  if (!geoip) throw new Error('no GeoIP test database: set SLUICE_SERVICES_DIR or SLUICE_TEST_GEOIP_DB');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pipeline-threads-'));
  const config = join(dir, 'bench.yml');
  writeFileSync(config, pipelineYaml(objects, join(dir, 'checkpoints'), url, geoip));
  const loaded = await loadConfig(config, process.env);
  const sampler = sampleThreadCpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await runWorker({
    config: loaded,
    logger: silentLogger(),
    mode: { kind: 'live' },
    once: true,
    http: null,
    shutdownTimeoutMs: 10_000,
    stopSignal: new AbortController().signal,
    workerThreads: threads,
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const threadCpu = sampler.stop();
  rmSync(dir, { recursive: true, force: true });
  const events = result.summaries.bench?.events ?? 0;
  if (events !== records) throw new Error(`threads ${threads}: ${events} events indexed of ${records}`);
  const out: Measured = {
    threads,
    records,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    threadCpu,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

/** The objects, written member by member into a folder of their own. */
function writeObjects(mb: number, objects: number): { dir: string; records: number } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pipeline-threads-objects-'));
  const corpus = buildCorpus();
  const members = Math.max(1, Math.round((mb * 1024 * 1024) / corpus.memberBytes));
  for (let i = 0; i < objects; i++) {
    const fd = openSync(join(dir, `alb-${i}.log.gz`), 'w');
    for (let m = 0; m < members; m++) writeSync(fd, corpus.member);
    closeSync(fd);
  }
  return { dir, records: members * POOL_LINES * objects };
}

async function startStub(
  nice: string[],
): Promise<{ url: string; stats(reset: boolean): Promise<StubStats>; stop(): void }> {
  const stub = spawn(process.execPath, [...nice, join(import.meta.dirname, 'bulk-stub.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: stub.stdout });
  const first = await new Promise<string>((resolve) => lines.once('line', resolve));
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    async stats(reset) {
      const response = await fetch(`${url}/_bench/stats${reset ? '?reset' : ''}`);
      return (await response.json()) as StubStats;
    },
    stop: () => stub.stdin.end(),
  };
}

interface Options {
  mb: number;
  objects: number;
  configs: { threads: number; flags: string[]; label: string; script: string }[];
  pairs: number;
  nodeFlags: string[];
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    mb: 128,
    objects: 1,
    configs: [],
    pairs: 3,
    nodeFlags: ['--max-old-space-size=128', '--max-semi-space-size=8'],
  };
  let configs = '1|2';
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1] ?? '';
    if (argv[i] === '--mb') options.mb = Number(value);
    else if (argv[i] === '--objects') options.objects = Number(value);
    else if (argv[i] === '--configs') configs = value;
    else if (argv[i] === '--pairs') options.pairs = Number(value);
    else if (argv[i] === '--node-flags') options.nodeFlags = value === 'none' ? [] : value.split(' ');
    else throw new Error(`unknown option ${argv[i]}; see the comment at the top of bench/pipeline-threads.ts`);
  }
  options.configs = configs.split('|').map((entry) => {
    const [first, ...flags] = entry.trim().split(/\s+/);
    const [threads, checkout] = (first ?? '').split('@');
    const script = checkout ? join(checkout, '.cache/bench-build/bench/pipeline-threads.js') : import.meta.filename;
    return { threads: Number(threads), flags, label: entry.trim(), script };
  });
  return options;
}

async function parent(argv: string[]): Promise<void> {
  const { mb, objects, configs, pairs, nodeFlags } = parseOptions(argv);
  const { dir, records } = writeObjects(mb, objects);
  const stub = await startStub([]);
  const load = loadavg();
  const started = new Date().toISOString();
  const runs: Run[][] = [];
  let sent: string | undefined;
  try {
    for (let round = 0; round < pairs; round++) {
      const row: Run[] = [];
      for (const config of configs) {
        await stub.stats(true);
        const args = [...nodeFlags, ...config.flags, config.script, '--child'];
        args.push(String(config.threads), dir, String(records), stub.url);
        const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        if (!line) throw new Error(`${config.label}: no result in ${stdout.slice(-2000)}`);
        const stats = await stub.stats(false);
        const got = `${stats.items} items, ${stats.bytes} bytes`;
        if (sent !== undefined && got !== sent) throw new Error(`${config.label} sent ${got}, the first ${sent}`);
        sent = got;
        row.push({ ...(JSON.parse(line.slice(7)) as Measured), label: config.label, stubCpuSeconds: stats.cpuSeconds });
      }
      runs.push(row);
    }
  } finally {
    stub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  report({ mb, objects, nodeFlags, sent, load, started, records }, configs, runs);
}

function report(
  head: {
    mb: number;
    objects: number;
    nodeFlags: string[];
    sent?: string;
    load: number[];
    started: string;
    records: number;
  },
  configs: Options['configs'],
  runs: Run[][],
): void {
  const cores = cpus().length;
  const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `node ${process.version}, ${cores} CPUs (${cpus()[0]?.model}), ${head.objects} object(s) of ${head.mb} MB ` +
      `(${head.records} records), started ${head.started}, ended ${new Date().toISOString()}`,
  );
  console.log(`node flags: ${head.nodeFlags.join(' ') || '(none)'}; every configuration sent ${head.sent}`);
  console.log(`load average before ${loads(head.load)}, after ${loads(loadavg())}`);
  console.log(
    `\n| round | ${configs.map((c) => `\`${c.label}\` records/s wall (vs first), per process CPU-s (vs first)`).join(' | ')} |`,
  );
  console.log(`| --- |${' ---: |'.repeat(configs.length)}`);
  runs.forEach((row, round) => {
    const base = row[0]!.records / row[0]!.seconds;
    const baseCpu = row[0]!.records / row[0]!.cpuSeconds;
    const cells = row.map((r) => {
      const wall = r.records / r.seconds;
      const cpu = r.records / r.cpuSeconds;
      return `${wall.toFixed(0)} (${(wall / base).toFixed(2)}), ${cpu.toFixed(0)} (${(cpu / baseCpu).toFixed(2)})`;
    });
    console.log(`| ${round + 1} | ${cells.join(' | ')} |`);
  });
  console.log(
    '\n| config (best round) | records/s wall | records per CPU-s | process CPU-s | main | worker threads | V8 helpers | libuv pool | other | stub CPU-s | peak RSS MB (all rounds) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  configs.forEach((config, index) => {
    const mine = runs.map((row) => row[index]!);
    const best = mine.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const t = best.threadCpu;
    const cells = [
      `\`${config.label}\``,
      (best.records / best.seconds).toFixed(0),
      (best.records / best.cpuSeconds).toFixed(0),
      best.cpuSeconds.toFixed(2),
      t.main.toFixed(2),
      t.workers.length > 0 ? t.workers.map((w) => w.toFixed(2)).join(' + ') : '—',
      t.v8.toFixed(2),
      t.libuv.toFixed(2),
      t.other.toFixed(2),
      best.stubCpuSeconds.toFixed(2),
      Math.max(...mine.map((r) => r.maxRssMB)).toFixed(0),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  });
}

if (process.argv[2] === '--child')
  await child(Number(process.argv[3]), process.argv[4]!, Number(process.argv[5]), process.argv[6]!);
else await parent(process.argv.slice(2));
