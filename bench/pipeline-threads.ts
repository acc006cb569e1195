/**
 * `npm run bench:pipeline-threads`: the worker's real path, `sluice run --once` in-process
 * (`runWorker`), with SLUICE_WORKER_THREADS 1 (today's in-process record loop) against N worker
 * threads, on the same ALB objects through the shipped `pipelines/alb.yml` filters (date, geoip,
 * redact, user_agent): file source, gunzip, framing, record loop, OpenSearch output (ids,
 * encoding, batching, bulk requests over HTTP, acknowledgement), file checkpoint.
 *
 * The OpenSearch it sends to is a stub in the parent process on 127.0.0.1 that answers every
 * bulk item `201 created` at once, so the measure is sluice's own work, not a cluster's (the
 * real node shares these cores; `npm run bench:e2e` measures against it). The stub counts items
 * and bytes received: every configuration must send the same.
 *
 * Each configuration runs in a fresh child process (its peak RSS is its own) with the image's
 * heap flags, interleaved round by round, best wall time kept. Reported: records/s wall, per
 * CPU-second of the whole process, CPU of the main thread and of the rest (worker threads, GC
 * helpers, zlib's pool), the rate on idle cores (records / max(main CPU, process CPU / cores))
 * and peak RSS.
 *
 *   --mb N          uncompressed MB per object (default 128)
 *   --objects N     objects (default 1)
 *   --threads 1,2   the SLUICE_WORKER_THREADS values compared (default 1,2)
 *   --pairs N       interleaved rounds (default 2)
 *   --node-flags    V8 flags of every child (default `--max-old-space-size=128 --max-semi-space-size=8`)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/load-config.js';
import { silentLogger } from '../src/core/logger.js';
import { runWorker } from '../src/worker/run-worker.js';
import { benchGeoipDatabase } from './bench-pipeline.js';
import { buildCorpus, POOL_LINES } from './thread-corpus.js';

interface Measured {
  threads: number;
  records: number;
  seconds: number;
  cpuSeconds: number;
  mainCpuSeconds: number;
  maxRssMB: number;
}

function pipelineYaml(dir: string, url: string, geoip: string): string {
  return `pipelines:
  - id: bench
    source: { type: file, path: ${dir}, include: ["*.log.gz"], max_objects_in_flight: 4 }
    parser: { type: alb }
    filters:
      - { type: date, field: time, formats: [iso8601] }
      - { type: geoip, source: client_ip, target: geoip, database: "${geoip}" }
      - { type: redact, pattern_fields: [request_url, redirect_url, transformed_uri, user_agent], replacement: "[REDACTED]" }
      - { type: user_agent, source: user_agent }
    outputs:
      - { type: opensearch, hosts: ["${url}"], index: "alb-logs-%{+YYYY.MM.dd}" }
    checkpoint: { type: file, directory: ${join(dir, 'checkpoints')} }
`;
}

async function child(threads: number, mb: number, objects: number, url: string): Promise<void> {
  const geoip = benchGeoipDatabase();
  if (!geoip) throw new Error('no GeoIP test database: set SLUICE_SERVICES_DIR or SLUICE_TEST_GEOIP_DB');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pipeline-threads-'));
  const corpus = buildCorpus();
  const members = Math.max(1, Math.round((mb * 1024 * 1024) / corpus.memberBytes));
  const gz = Buffer.concat(Array.from({ length: members }, () => corpus.member));
  for (let i = 0; i < objects; i++) writeFileSync(join(dir, `alb-${i}.log.gz`), gz);
  const config = join(dir, 'bench.yml');
  writeFileSync(config, pipelineYaml(dir, url, geoip));
  const loaded = await loadConfig(config, process.env);
  const cpu0 = process.cpuUsage();
  const main0 = process.threadCpuUsage();
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
  const main = process.threadCpuUsage(main0);
  rmSync(dir, { recursive: true, force: true });
  const records = members * POOL_LINES * objects;
  const events = result.summaries.bench?.events ?? 0;
  if (events !== records) throw new Error(`threads ${threads}: ${events} events indexed of ${records}`);
  const out: Measured = {
    threads,
    records,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    mainCpuSeconds: (main.user + main.system) / 1e6,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** A bulk endpoint that stores nothing: every item created. Counts what it received. */
async function stubOpenSearch() {
  const received = { items: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    let bytes = 0;
    let lines = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (!req.url?.includes('_bulk')) {
        res.end(JSON.stringify({ version: { number: '2.19.1', distribution: 'opensearch' } }));
        return;
      }
      const items = lines / 2;
      received.items += items;
      received.bytes += bytes;
      res.end(`{"took":0,"errors":false,"items":[${Array(items).fill('{"create":{"status":201}}').join(',')}]}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

async function parent(argv: string[]): Promise<void> {
  let mb = 128;
  let objects = 1;
  let threads = [1, 2];
  let pairs = 2;
  let nodeFlags = ['--max-old-space-size=128', '--max-semi-space-size=8'];
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1] ?? '';
    if (argv[i] === '--mb') mb = Number(value);
    else if (argv[i] === '--objects') objects = Number(value);
    else if (argv[i] === '--threads') threads = value.split(',').map(Number);
    else if (argv[i] === '--pairs') pairs = Number(value);
    else if (argv[i] === '--node-flags') nodeFlags = value === 'none' ? [] : value.split(' ');
    else throw new Error(`unknown option ${argv[i]}; see the comment at the top of bench/pipeline-threads.ts`);
  }
  const stub = await stubOpenSearch();
  const load = loadavg();
  const started = new Date().toISOString();
  const best = new Map<number, Measured>();
  let sent: string | undefined;
  for (let round = 0; round < pairs; round++) {
    for (const n of threads) {
      stub.received.items = 0;
      stub.received.bytes = 0;
      const args = [...nodeFlags, import.meta.filename, '--child', String(n), String(mb), String(objects), stub.url];
      const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
      const m = JSON.parse(stdout) as Measured;
      const got = `${stub.received.items} items, ${stub.received.bytes} bytes`;
      if (sent !== undefined && got !== sent) throw new Error(`threads ${n} sent ${got}, the first ${sent}`);
      sent = got;
      const prev = best.get(n);
      const maxRssMB = Math.max(m.maxRssMB, prev?.maxRssMB ?? 0);
      if (!prev || m.seconds < prev.seconds) best.set(n, { ...m, maxRssMB });
      else prev.maxRssMB = maxRssMB;
    }
  }
  stub.server.close();
  const cores = cpus().length;
  const idle = (m: Measured) => m.records / Math.max(m.mainCpuSeconds, m.cpuSeconds / cores);
  const base = best.get(threads[0]!)!;
  console.log(
    `node ${process.version}, ${cores} CPUs (${cpus()[0]?.model}), ${objects} object(s) of ${mb} MB, started ${started}`,
  );
  console.log(`node flags: ${nodeFlags.join(' ') || '(none)'}; every configuration sent ${sent}`);
  console.log(
    `load average before ${load.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `| SLUICE_WORKER_THREADS | records/s wall | vs first | records per CPU-s | main thread CPU-s | rest CPU-s | idle ${cores}-core records/s | vs first | peak RSS MB |`,
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const m of best.values()) {
    const wall = m.records / m.seconds;
    const cells = [
      String(m.threads),
      wall.toFixed(0),
      (wall / (base.records / base.seconds)).toFixed(2),
      (m.records / m.cpuSeconds).toFixed(0),
      m.mainCpuSeconds.toFixed(1),
      (m.cpuSeconds - m.mainCpuSeconds).toFixed(1),
      idle(m).toFixed(0),
      (idle(m) / idle(base)).toFixed(2),
      m.maxRssMB.toFixed(0),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

if (process.argv[2] === '--child')
  await child(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), process.argv[6]!);
else await parent(process.argv.slice(2));
