/**
 * `npm run bench:sqs`: notification-mode throughput of two `sluice run` tasks on one queue
 * against one (issue 13), on the services `scripts/services.sh start` runs (moto's S3, SQS and
 * DynamoDB, the serial moto for claims, the real OpenSearch).
 *
 * Each run gets a fresh bucket whose S3 event notifications go into a fresh queue, the same N
 * generated ALB objects (bench/generate-logs.ts, fixed seeds), a fresh claim table and index.
 * Then 1 (or 2) `sluice run --once` processes, launched through entrypoint.sh as the image does
 * (its heap flags included), drain the queue; a run's wall time is from the spawn to the last
 * exit (node start included), its rate the records over it. Each process's peak RSS (VmHWM) and
 * CPU (utime + stime) are read from /proc every 250 ms; the index is made before the clock starts.
 *
 * Needs `npm run build` (the processes run dist/) and the services' environment:
 *   eval "$(SLUICE_SERVICES_DIR=... bash scripts/services.sh start)"
 * Options: --objects N (default 40), --records N per object (default 5000), --rounds N (pairs,
 * alternating which goes first; default 1), --in-flight N (max_objects_in_flight, default 4),
 * --filters date|shipped (shipped: the filters of pipelines/alb.yml, geoip on the test database),
 * --output opensearch|stdout (stdout, to /dev/null: what the tasks do without OpenSearch's share
 * of the two cores).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'yaml';
import { linesWith } from '../test/helpers/e2e-logs.js';
import { documentCount } from '../test/helpers/index-assertions.js';
import {
  awsEndpoint,
  openSearchUrl,
  serviceEnv,
  testDynamoClient,
  testOpenSearchClient,
  testS3Client,
  testSqsClient,
  uniqueName,
} from '../test/helpers/services.js';
import { notifiedBucket, visibleMessages } from '../test/helpers/sqs-notifications.js';
import { generateObject } from './generate-logs.js';
import { runtimeLine } from './report.js';

/** The checkout: bench/ from source, .cache/bench-build/bench/ compiled. */
function checkoutRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'bin/sluice.js')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const ROOT = checkoutRoot();
const ENTRYPOINT = join(ROOT, 'entrypoint.sh');
const CLOCK_TICKS = 100;

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
}

interface ProcessStats {
  peakRssMb: number;
  cpuSeconds: number;
  code: number | null;
}

interface RunResult {
  processes: number;
  seconds: number;
  rate: number;
  stats: ProcessStats[];
  loadBefore: number;
  loadAfter: number;
}

/** Spawns one `sluice run --once` and samples /proc/<pid> until it exits. */
function runProcess(config: string, env: NodeJS.ProcessEnv): Promise<ProcessStats & { stderr: string }> {
  // As the image launches it: entrypoint.sh sets the heap flags and execs node (same pid).
  const child = spawn('sh', [ENTRYPOINT, 'run', '--once', '--config', config], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      SLUICE_HTTP_PORT: '0',
      SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const stats = { peakRssMb: 0, cpuSeconds: 0 };
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
      stats.peakRssMb = Math.max(stats.peakRssMb, hwm);
      // Fields 14 and 15 of stat (after the command in parentheses): user and system ticks.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // exited between samples
    }
  };
  const timer = setInterval(sample, 250);
  return new Promise((resolveRun) =>
    child.on('exit', (code) => {
      clearInterval(timer);
      resolveRun({ ...stats, code, stderr });
    }),
  );
}

/** The days (YYYY.MM.dd) of the first and last ALB line of an object (the second field, the request time). */
function lineDays(text: string): string[] {
  const lines = text.trimEnd().split('\n');
  return [lines[0]!, lines.at(-1)!].map((line) => line.split(' ')[1]!.slice(0, 10).replace(/-/g, '.'));
}

function filtersYaml(kind: string): string {
  if (kind === 'date') return '[{ type: date, field: time }]';
  const shipped = parse(readFileSync(join(ROOT, 'pipelines/alb.yml'), 'utf8')) as {
    pipelines: Array<{ filters: unknown[] }>;
  };
  return JSON.stringify(shipped.pipelines[0]!.filters);
}

async function oneRun(processes: number, bodies: Buffer[], perObject: number, settings: Settings): Promise<RunResult> {
  const s3 = testS3Client();
  const sqs = testSqsClient();
  const { bucket, queueUrl } = await notifiedBucket(60);
  for (let i = 0; i < bodies.length; i += 8) {
    await Promise.all(
      bodies
        .slice(i, i + 8)
        .map((Body, n) =>
          s3.send(new PutObjectCommand({ Bucket: bucket, Key: `AWSLogs/bench/${i + n}.log.gz`, Body })),
        ),
    );
  }
  // Every object notified (and S3's test event) before the clock starts.
  for (let tries = 0; (await visibleMessages(sqs, queueUrl)) < bodies.length; tries++) {
    if (tries > 100) throw new Error('the notifications did not arrive');
    await new Promise((r) => setTimeout(r, 100));
  }
  const table = uniqueName('bench-claims');
  const dynamo = testDynamoClient(true);
  await dynamo.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'claim', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'claim', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client: dynamo, maxWaitTime: 60 }, { TableName: table });
  const index = uniqueName('bench-sqs');
  if (settings.output === 'opensearch') await createIndex(`${index}-${settings.day}`);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-sqs-'));
  const config = join(dir, 'pipeline.yml');
  writeFileSync(
    config,
    `pipelines:
  - id: bench-sqs
    source:
      type: s3
      bucket: ${bucket}
      region: us-east-1
      endpoint: "${awsEndpoint()}"
      force_path_style: true
      max_objects_in_flight: ${settings.inFlight}
      notifications:
        queue_url: "${queueUrl}"
        endpoint: "${awsEndpoint()}"
        visibility_timeout_seconds: 60
        claims: { type: dynamodb, table: ${table}, endpoint: "${awsEndpoint(true)}", claim_seconds: 30 }
    parser: { type: alb }
    filters: ${settings.filters}
    outputs:
${
  settings.output === 'stdout'
    ? '      - { type: stdout }'
    : `      - { type: opensearch, hosts: ["${openSearchUrl()}"], index: "${index}-%{+YYYY.MM.dd}" }`
}
    checkpoint: { type: file, directory: ${join(dir, 'checkpoints')} }
`,
  );
  const env = { GEOIP_DATABASE: process.env.SLUICE_TEST_GEOIP_DB ?? '' };
  const loadBefore = loadavg()[0]!;
  const started = process.hrtime.bigint();
  const runs = await Promise.all(Array.from({ length: processes }, () => runProcess(config, env)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const loadAfter = loadavg()[0]!;
  if (process.env.SLUICE_BENCH_LOGS) for (const run of runs) console.log(run.stderr);
  for (const run of runs) {
    if (run.code !== 0) throw new Error(`a process exited ${run.code}:\n${run.stderr.slice(-3000)}`);
  }
  const total = bodies.length * perObject;
  // Each process's summary counts what it wrote; OpenSearch must hold every record once.
  const written = runs.reduce((sum, run) => sum + Number(linesWith(run.stderr, 'sluice stopped')[0]?.events ?? 0), 0);
  if (written !== total) throw new Error(`the processes wrote ${written} events of ${total}`);
  const stored = settings.output === 'stdout' ? total : await documentCount(`${index}-*`);
  if (stored !== total) throw new Error(`${stored} documents stored of ${total}`);
  await testOpenSearchClient()
    .indices.delete({ index: `${index}-*` })
    .catch(() => undefined);
  return { processes, seconds, rate: total / seconds, stats: runs, loadBefore, loadAfter };
}

interface Settings {
  inFlight: number;
  filters: string;
  output: 'opensearch' | 'stdout';
  /** The one day (YYYY.MM.dd) the generated records fall on: their index is created before the clock starts. */
  day: string;
}

/**
 * The run's index, made before the clock starts (an index creation on a loaded node takes
 * seconds). As in bench/e2e.ts: one shard, no replica, and ALB's times mapped as floats up front
 * (they often print as integers, and two concurrent bulks would race to map them as long and float).
 */
async function createIndex(name: string): Promise<void> {
  const float = { type: 'float' as const };
  await testOpenSearchClient().indices.create({
    index: name,
    body: {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        properties: {
          request_processing_time: float,
          target_processing_time: float,
          response_processing_time: float,
        },
      },
    },
  });
}

function describeRun(run: RunResult): string {
  const each = run.stats
    .map((s) => `${Math.round(s.peakRssMb)} MB peak RSS, ${s.cpuSeconds.toFixed(1)} CPU-s`)
    .join('; ');
  return (
    `${run.processes} process${run.processes > 1 ? 'es' : ''}: ${run.seconds.toFixed(1)} s, ` +
    `${Math.round(run.rate).toLocaleString('en-US')} records/s (${each}); load ${run.loadBefore.toFixed(1)} → ${run.loadAfter.toFixed(1)}`
  );
}

async function main(): Promise<void> {
  serviceEnv('SLUICE_TEST_AWS_ENDPOINT');
  const objects = Number(option('objects', '40'));
  const perObject = Number(option('records', '5000'));
  const rounds = Number(option('rounds', '1'));
  const filterKind = option('filters', 'date');
  const texts = Array.from({ length: objects }, (_, i) => `${generateObject('alb', perObject, i + 1)}\n`);
  const days = new Set(texts.flatMap(lineDays));
  if (days.size !== 1) throw new Error(`the generated records span ${[...days].join(', ')}: one day expected`);
  const settings: Settings = {
    inFlight: Number(option('in-flight', '4')),
    filters: filtersYaml(filterKind),
    output: option('output', 'opensearch') === 'stdout' ? 'stdout' : 'opensearch',
    day: [...days][0]!,
  };
  if (filterKind === 'shipped' && !process.env.SLUICE_TEST_GEOIP_DB)
    throw new Error('--filters shipped needs SLUICE_TEST_GEOIP_DB');
  const bodies = texts.map((text) => gzipSync(text));
  console.log(`sluice bench:sqs — ${runtimeLine()}`);
  console.log(
    `${objects} ALB objects × ${perObject} records (${(objects * perObject).toLocaleString('en-US')} records, ` +
      `${(bodies.reduce((a, b) => a + b.length, 0) / 1024 / 1024).toFixed(1)} MB gzip), filters: ${filterKind}, ` +
      `output: ${settings.output}, max_objects_in_flight ${settings.inFlight}, ${rounds} round(s)`,
  );
  const one: RunResult[] = [];
  const two: RunResult[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so a machine that gets busier or quieter favours neither.
    for (const processes of round % 2 === 0 ? [1, 2] : [2, 1]) {
      const run = await oneRun(processes, bodies, perObject, settings);
      (processes === 1 ? one : two).push(run);
      console.log(`round ${round + 1}, ${describeRun(run)}`);
    }
  }
  // The best of each: on a shared machine the slower runs measure the neighbours.
  const best = (runs: RunResult[]) => Math.max(...runs.map((r) => r.rate));
  console.log(
    `two processes / one: ${(best(two) / best(one)).toFixed(2)}x (best records/s ${Math.round(best(two))} / ${Math.round(best(one))})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
