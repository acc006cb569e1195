/**
 * `npm run bench:e2e`: end-to-end indexing rate against a real OpenSearch, compared with
 * what the same OpenSearch accepts from pre-built bulk bodies sent directly.
 *
 *   direct = the same documents (the worker's record loop with the pipeline's date filter, then
 *            the output's encoding and batching: bench/hot-path.ts) built up front, then only
 *            POST /_bulk through the output's own client, same batches and concurrency as sluice
 *   sluice = `sluice run --once` in-process: file source → gunzip → frame → parse → date
 *            filter → OpenSearch output (batching, ids, acknowledgement) → file checkpoint
 *
 * Fairness: both legs send the same documents in the same batches with the same concurrency into
 * a fresh index with the same settings, and the other leg's index is deleted first (its
 * background merges would otherwise land on the next leg). The legs alternate over --rounds
 * rounds (direct first in odd rounds, sluice first in even ones) so a load change on a shared
 * machine does not favour one of them; the ratio is printed per round and over all rounds.
 * One direct leg runs first, not counted (--warmup 0 skips it): a freshly started OpenSearch is slow
 * until its JIT has compiled the indexing path, and the first timed leg would pay for that.
 * OpenSearch's own CPU per leg is read from /proc when its pid is known (OPENSEARCH_PID, else
 * `<SLUICE_SERVICES_DIR>/run/opensearch.pid`).
 *
 * Both legs ask OpenSearch for the same trimmed bulk response (`BULK_RESPONSE_FIELDS`), as the
 * output does. `--concurrency 2,3` runs each concurrency in every round (both legs with it), so
 * settings are compared in one run; the indices are per run (`bench-e2e-<pid>-*`, the
 * OpenSearch may be shared) and deleted at the end, also after a failure.
 *
 * Needs OPENSEARCH_URL (default: SLUICE_TEST_OPENSEARCH_URL, as `scripts/services.sh` exports).
 * Options: --records N (default 200000), --objects N (default 20), --rounds N (default 3),
 * --warmup N (default 1), --concurrency N[,N...] (default 2).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Client } from '@opensearch-project/opensearch';
import { loadConfig } from '../src/config/load-config.js';
import { silentLogger } from '../src/core/logger.js';
import { Metrics } from '../src/core/metrics.js';
import { BULK_RESPONSE_FIELDS } from '../src/outputs/opensearch/bulk-response.js';
import { createOpenSearchClient } from '../src/outputs/opensearch/opensearch-client.js';
import { opensearchOutputConfigSchema } from '../src/outputs/opensearch/opensearch-config.js';
import { runWorker } from '../src/worker/run-worker.js';
import { benchPipelineFor, ROOT } from './bench-pipeline.js';
import { generateObject } from './generate-logs.js';
import { BulkBodies, recordPath } from './hot-path.js';
import { runtimeLine } from './report.js';

const BATCH = 5000;
const CLOCK_TICKS = 100;
// Per run: the OpenSearch may be shared with other benches and tests.
const DIRECT_INDEX = `bench-e2e-${process.pid}-direct`;
const SLUICE_INDEX = `bench-e2e-${process.pid}-sluice`;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/** fetch for index set-up, once more when a kept-alive socket turns out closed (OpenSearch restarted or dropped it). */
async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
    return fetch(url, init);
  }
}

async function opensearch(url: string, path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await send(`${url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

async function freshIndex(url: string, index: string): Promise<void> {
  await send(`${url}/${index}`, { method: 'DELETE' });
  await opensearch(url, `/${index}`, {
    method: 'PUT',
    // ALB's times are floats that often print as integers (0, -1): map them up front, as the
    // alb template does, or two concurrent bulks race to map them as long and as float.
    body: JSON.stringify({
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' },
      mappings: {
        properties: {
          request_processing_time: { type: 'float' },
          target_processing_time: { type: 'float' },
          response_processing_time: { type: 'float' },
        },
      },
    }),
  });
}

/** The OpenSearch process, to read its CPU time per leg; undefined when it is not local. */
function opensearchPid(): number | undefined {
  const services = process.env.SLUICE_SERVICES_DIR ?? join(ROOT, '.cache/services');
  const file = join(services, 'run/opensearch.pid');
  const pid = Number(process.env.OPENSEARCH_PID ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : NaN));
  return Number.isInteger(pid) && existsSync(`/proc/${pid}/stat`) ? pid : undefined;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

interface Leg {
  concurrency: number;
  seconds: number;
  /** Bulk requests sent, and the time they spent in flight summed over requests. */
  requests: number;
  bulkSeconds: number;
  /** CPU of this process during the leg (sluice's work, or the direct leg's HTTP client). */
  ownCpu: number;
  opensearchCpu: number;
}

type Bulks = Pick<Leg, 'requests' | 'bulkSeconds'>;

async function timed(pid: number | undefined, concurrency: number, work: () => Promise<Bulks>): Promise<Leg> {
  const cpuStart = process.cpuUsage();
  const opensearchStart = processCpuSeconds(pid);
  const start = process.hrtime.bigint();
  const bulks = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const opensearchCpu = processCpuSeconds(pid) - opensearchStart;
  return { concurrency, seconds, ...bulks, ownCpu: (cpu.user + cpu.system) / 1e6, opensearchCpu };
}

/** The direct leg sends through the output's own client (same HTTP stack and headers as sluice). */
async function sendDirect(client: Client, bodies: readonly Buffer[], concurrency: number): Promise<Bulks> {
  let next = 0;
  let bulkSeconds = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const start = process.hrtime.bigint();
        const response = await client.bulk({ body: body as never, filter_path: BULK_RESPONSE_FIELDS });
        const result = response.body as Record<string, unknown>;
        bulkSeconds += Number(process.hrtime.bigint() - start) / 1e9;
        const items = result.items as Array<Record<string, { error?: unknown }>>;
        const failed = items.find((item) => Object.values(item)[0]?.error);
        if (failed) throw new Error(`direct bulk had item errors: ${JSON.stringify(failed).slice(0, 500)}`);
      }
    }),
  );
  return { requests: bodies.length, bulkSeconds };
}

/** The pipeline file of one sluice leg: its own checkpoint directory, so every leg reads every object. */
function sluiceConfig(dir: string, url: string, round: number, concurrency: number): string {
  const config = join(dir, `bench-${round}-${concurrency}.yml`);
  writeFileSync(
    config,
    `pipelines:
  - id: bench
    source: { type: file, path: ${dir}, include: ["*.log.gz"], max_objects_in_flight: 4 }
    parser: { type: alb }
    filters: [ { type: date, field: time } ]
    outputs:
      - { type: opensearch, hosts: ["${url}"], index: ${SLUICE_INDEX}, flush_events: ${BATCH}, concurrency: ${concurrency} }
    checkpoint: { type: file, directory: ${join(dir, `checkpoints-${round}-${concurrency}`)} }
`,
  );
  return config;
}

async function runSluice(config: string, total: number): Promise<Bulks> {
  const metrics = new Metrics();
  const result = await runWorker({
    config: await loadConfig(config, process.env),
    logger: silentLogger(),
    mode: { kind: 'live' },
    once: true,
    http: null,
    shutdownTimeoutMs: 10_000,
    stopSignal: new AbortController().signal,
    metrics,
  });
  const events = result.summaries.bench?.events ?? 0;
  if (events !== total) throw new Error(`sluice indexed ${events} of ${total}`);
  const latency = (await metrics.bulkLatency.get()).values;
  const value = (name: string) => latency.find((sample) => sample.metricName === name)?.value ?? 0;
  const retries = (await metrics.bulkRetries.get()).values.reduce((sum, sample) => sum + sample.value, 0);
  if (retries > 0) console.log(`  (sluice retried ${retries} bulk requests or items)`);
  return {
    requests: value('sluice_bulk_latency_seconds_count'),
    bulkSeconds: value('sluice_bulk_latency_seconds_sum'),
  };
}

async function writeObjects(dir: string, objects: number, perObject: number) {
  const written: { key: string; gz: Buffer; bytes: number }[] = [];
  for (let i = 0; i < objects; i++) {
    const text = `${generateObject('alb', perObject, i + 1)}\n`;
    const key = `alb-${String(i).padStart(4, '0')}.log.gz`;
    written.push({ key, gz: gzipSync(text), bytes: text.length });
    writeFileSync(join(dir, key), written[i]!.gz);
  }
  return written;
}

const rate = (docs: number, seconds: number) => Math.round(docs / seconds).toLocaleString('en-US');
// busy = bulk time in flight / (wall × concurrency): below 1, OpenSearch waited for requests.
const legLine = (leg: Leg) =>
  `${leg.seconds.toFixed(1)} s, own CPU ${leg.ownCpu.toFixed(1)} s, OpenSearch CPU ${leg.opensearchCpu.toFixed(1)} s, ` +
  `${leg.requests} bulks of ${(leg.bulkSeconds / leg.requests).toFixed(2)} s, in flight ${((100 * leg.bulkSeconds) / (leg.seconds * leg.concurrency)).toFixed(0)} %`;

const loadLine = () =>
  loadavg()
    .map((load) => load.toFixed(1))
    .join(' ');

interface Setup {
  url: string;
  dir: string;
  total: number;
  pid: number | undefined;
  client: Client;
  bodies: Buffer[];
}

/** One round at one concurrency: the two legs, direct first in odd rounds; the ratio of their times. */
async function round(setup: Setup, number: number, concurrency: number): Promise<Record<'direct' | 'sluice', Leg>> {
  const { url, dir, total, pid, client, bodies } = setup;
  const legs: Partial<Record<'direct' | 'sluice', Leg>> = {};
  const order = number % 2 === 1 ? (['direct', 'sluice'] as const) : (['sluice', 'direct'] as const);
  for (const which of order) {
    await send(`${url}/${which === 'direct' ? SLUICE_INDEX : DIRECT_INDEX}`, { method: 'DELETE' });
    await freshIndex(url, which === 'direct' ? DIRECT_INDEX : SLUICE_INDEX);
    const config = sluiceConfig(dir, url, number, concurrency);
    legs[which] = await timed(pid, concurrency, () =>
      which === 'direct' ? sendDirect(client, bodies, concurrency) : runSluice(config, total),
    );
  }
  const { direct, sluice } = legs as Record<'direct' | 'sluice', Leg>;
  console.log(`round ${number}, concurrency ${concurrency} (${order[0]} first; load average ${loadLine()}):`);
  console.log(`  direct bulk (pre-built bodies): ${rate(total, direct.seconds)} docs/s (${legLine(direct)})`);
  console.log(`  sluice end to end:              ${rate(total, sluice.seconds)} docs/s (${legLine(sluice)})`);
  console.log(
    `  ratio sluice / direct: ${(direct.seconds / sluice.seconds).toFixed(2)} ` +
      `(CPU of both processes, direct / sluice: ${(cpu(direct) / cpu(sluice)).toFixed(2)})`,
  );
  return { direct, sluice };
}

/**
 * What a leg cost the cores: its own CPU and OpenSearch's. When both share the same saturated
 * cores (this bench's machine), the rate ratio tends to the ratio of these; other load moves
 * wall time far more than it moves CPU seconds.
 */
const cpu = (leg: Leg) => leg.ownCpu + leg.opensearchCpu;

function summary(total: number, concurrency: number, legs: readonly Record<'direct' | 'sluice', Leg>[]): string {
  const sum = (which: 'direct' | 'sluice') => legs.reduce((seconds, leg) => seconds + leg[which].seconds, 0);
  const ratios = legs.map((leg) => leg.direct.seconds / leg.sluice.seconds).sort((a, b) => a - b);
  const median = (ratios[Math.floor((ratios.length - 1) / 2)]! + ratios[Math.ceil((ratios.length - 1) / 2)]!) / 2;
  return (
    `concurrency ${concurrency}, ${legs.length} rounds: direct ${rate(total * legs.length, sum('direct'))} docs/s, ` +
    `sluice ${rate(total * legs.length, sum('sluice'))} docs/s; ratio sluice / direct ${(sum('direct') / sum('sluice')).toFixed(2)} ` +
    `(per round median ${median.toFixed(2)}, ${ratios[0]!.toFixed(2)}–${ratios.at(-1)!.toFixed(2)}); ` +
    `CPU (sluice's or the sender's + OpenSearch's) direct / sluice ${(legs.reduce((sum, leg) => sum + cpu(leg.direct), 0) / legs.reduce((sum, leg) => sum + cpu(leg.sluice), 0)).toFixed(2)}`
  );
}

async function main(): Promise<void> {
  const url = process.env.OPENSEARCH_URL ?? process.env.SLUICE_TEST_OPENSEARCH_URL;
  if (!url) throw new Error('set OPENSEARCH_URL (or run `eval "$(bash scripts/services.sh start)"`)');
  const records = option('records', 200_000);
  const objects = option('objects', 20);
  const rounds = option('rounds', 3);
  const at = process.argv.indexOf('--concurrency');
  const concurrencies = at >= 0 ? process.argv[at + 1]!.split(',').map(Number) : [2];
  const perObject = Math.ceil(records / objects);
  const total = perObject * objects;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-bench-'));
  try {
    const objectsGz = await writeObjects(dir, objects, perObject);
    // direct: build every bulk body first, as the pipeline would, then time only the HTTP work.
    const pipeline = await benchPipelineFor('alb', [sluiceConfig(dir, url, 0, concurrencies[0]!)]);
    const direct = new BulkBodies({ ...pipeline.output, index: DIRECT_INDEX }, true);
    for (const object of objectsGz) await recordPath(object, pipeline, pipeline.filters, direct);
    direct.flush();
    const client = createOpenSearchClient(
      opensearchOutputConfigSchema.parse({ type: 'opensearch', hosts: [url], index: DIRECT_INDEX }),
      dir,
    );
    const setup: Setup = { url, dir, total, pid: opensearchPid(), client, bodies: direct.kept };
    console.log(`sluice bench:e2e — ${runtimeLine()}`);
    console.log(
      `records: ${total} ALB records in ${objects} gzip objects; ${setup.bodies.length} bulk bodies (flush_events ${BATCH}, ` +
        `flush_bytes ${pipeline.bulk.flushBytes}), concurrency ${concurrencies.join(', ')}; load average ${loadLine()}`,
    );
    for (let warmup = option('warmup', 1); warmup > 0; warmup--) {
      await freshIndex(url, DIRECT_INDEX);
      const leg = await timed(setup.pid, concurrencies[0]!, () => sendDirect(client, setup.bodies, concurrencies[0]!));
      console.log(`warm-up, direct (not counted): ${rate(total, leg.seconds)} docs/s (${legLine(leg)})`);
    }
    const legs = new Map(concurrencies.map((c) => [c, [] as Record<'direct' | 'sluice', Leg>[]]));
    for (let number = 1; number <= rounds; number++) {
      // The order of the concurrencies turns each round too.
      const order = number % 2 === 1 ? concurrencies : [...concurrencies].reverse();
      for (const concurrency of order) legs.get(concurrency)!.push(await round(setup, number, concurrency));
    }
    for (const [concurrency, list] of legs) if (list.length > 0) console.log(summary(total, concurrency, list));
    console.log(`load average ${loadLine()}`);
  } finally {
    await send(`${url}/${DIRECT_INDEX}`, { method: 'DELETE' }).catch(() => undefined);
    await send(`${url}/${SLUICE_INDEX}`, { method: 'DELETE' }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
