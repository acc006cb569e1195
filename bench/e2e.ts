/**
 * `npm run bench:e2e`: end-to-end indexing rate against a real OpenSearch, compared with
 * what the same OpenSearch accepts from pre-built bulk bodies sent directly.
 *
 *   direct = the same documents (the worker's record loop with the pipeline's date filter, then
 *            the output's encoding and batching: bench/hot-path.ts) built up front, then only
 *            POST /_bulk with the same batches and concurrency sluice uses
 *   sluice = `sluice run --once` in-process: file source → gunzip → frame → parse → date
 *            filter → OpenSearch output (batching, ids, acknowledgement) → file checkpoint
 *
 * Needs OPENSEARCH_URL (default: SLUICE_TEST_OPENSEARCH_URL, as `scripts/services.sh` exports).
 * Options: --records N (default 200000), --objects N (default 20).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../src/config/load-config.js';
import { silentLogger } from '../src/core/logger.js';
import { Metrics } from '../src/core/metrics.js';
import { runWorker } from '../src/worker/run-worker.js';
import { benchPipelineFor } from './bench-pipeline.js';
import { generateObject } from './generate-logs.js';
import { BulkBodies, recordPath } from './hot-path.js';
import { runtimeLine } from './report.js';

const BATCH = 5000;
const CONCURRENCY = 2;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function opensearch(url: string, path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

async function freshIndex(url: string, index: string): Promise<void> {
  await fetch(`${url}/${index}`, { method: 'DELETE' });
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

async function main(): Promise<void> {
  const url = process.env.OPENSEARCH_URL ?? process.env.SLUICE_TEST_OPENSEARCH_URL;
  if (!url) throw new Error('set OPENSEARCH_URL (or run `eval "$(bash scripts/services.sh start)"`)');
  const records = option('records', 200_000);
  const objects = option('objects', 20);
  const perObject = Math.ceil(records / objects);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-bench-'));
  const objectsGz: { key: string; gz: Buffer; bytes: number }[] = [];
  for (let i = 0; i < objects; i++) {
    const text = `${generateObject('alb', perObject, i + 1)}\n`;
    const key = `alb-${String(i).padStart(4, '0')}.log.gz`;
    objectsGz.push({ key, gz: gzipSync(text), bytes: text.length });
    writeFileSync(join(dir, key), objectsGz[i]!.gz);
  }
  const total = perObject * objects;
  const sluiceIndex = 'bench-sluice';
  const config = join(dir, 'bench.yml');
  writeFileSync(
    config,
    `pipelines:
  - id: bench
    source: { type: file, path: ${dir}, include: ["*.log.gz"], max_objects_in_flight: 4 }
    parser: { type: alb }
    filters: [ { type: date, field: time } ]
    outputs:
      - { type: opensearch, hosts: ["${url}"], index: ${sluiceIndex}, flush_events: ${BATCH}, concurrency: ${CONCURRENCY} }
    checkpoint: { type: file, directory: ${join(dir, 'checkpoints')} }
`,
  );

  // direct: build every bulk body first, as the pipeline would, then time only the HTTP work.
  const pipeline = await benchPipelineFor('alb', [config]);
  const directIndex = 'bench-direct';
  const direct = new BulkBodies({ ...pipeline.bulk, index: directIndex }, true);
  for (const object of objectsGz) await recordPath(object, pipeline, pipeline.filters, direct);
  direct.flush();
  const bodies = direct.kept;
  await freshIndex(url, directIndex);
  let next = 0;
  const directStart = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const result = await opensearch(url, '/_bulk', {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/x-ndjson' },
        });
        if (result.errors) {
          const items = result.items as Array<Record<string, { error?: unknown }>>;
          const failed = items.find((item) => Object.values(item)[0]?.error);
          throw new Error(`direct bulk had item errors: ${JSON.stringify(failed).slice(0, 500)}`);
        }
      }
    }),
  );
  const directSeconds = Number(process.hrtime.bigint() - directStart) / 1e9;

  // sluice: the whole pipeline, in this process.
  await freshIndex(url, sluiceIndex);
  const loaded = await loadConfig(config);
  const cpuStart = process.cpuUsage();
  const sluiceStart = process.hrtime.bigint();
  const result = await runWorker({
    config: loaded,
    logger: silentLogger(),
    mode: { kind: 'live' },
    once: true,
    http: null,
    shutdownTimeoutMs: 10_000,
    stopSignal: new AbortController().signal,
    metrics: new Metrics(),
  });
  const sluiceSeconds = Number(process.hrtime.bigint() - sluiceStart) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const events = result.summaries.bench?.events ?? 0;
  if (events !== total) throw new Error(`sluice indexed ${events} of ${total}`);
  rmSync(dir, { recursive: true, force: true });

  const directRate = total / directSeconds;
  const sluice = total / sluiceSeconds;
  console.log(`sluice bench:e2e — ${runtimeLine()}`);
  console.log(
    `records: ${total} ALB records in ${objects} gzip objects; ${bodies.length} bulk bodies (flush_events ${BATCH}), concurrency ${CONCURRENCY}`,
  );
  console.log(
    `direct bulk (pre-built bodies): ${Math.round(directRate).toLocaleString('en-US')} docs/s (${directSeconds.toFixed(1)} s)`,
  );
  console.log(
    `sluice end to end:              ${Math.round(sluice).toLocaleString('en-US')} docs/s (${sluiceSeconds.toFixed(1)} s, sluice CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`,
  );
  console.log(`ratio sluice / direct: ${(sluice / directRate).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
