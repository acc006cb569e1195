/**
 * `npm run bench`: single-threaded throughput of the ingest hot path per parser, on generated
 * gzip objects held in memory (no network, no disk). Every path is the production code
 * (bench/hot-path.ts says what each runs):
 *
 *   floor          = decompress + split into records (decodeObjectStream + frameRecords)
 *   parse          = floor + the worker's record loop without filters
 *   parse+filters  = floor + the record loop with the pipeline's filters
 *   full           = what an all-OpenSearch pipeline runs (pipelines/alb.yml is one): each
 *                    framed batch through loop-and-encode.ts (record loop with the filters, the
 *                    output's BatchEncoder: _id, action line, document JSON as bytes), the
 *                    output's index cap, and bulk bodies of flush_events/flush_bytes as sendOnce
 *                    writes them
 *   full, event path = parse+filters, then the same output fed event by event (`write`), what a
 *                    pipeline with a file or stdout output beside OpenSearch runs
 *
 * ALB applies the shipped pipelines/alb.yml (date, geoip, redact; its geoip database is
 * GEOIP_DATABASE, SLUICE_TEST_GEOIP_DB or the test database scripts/services.sh generates);
 * the other parsers run without filters unless a pipeline file names them.
 *
 * Each measurement runs `--rounds` times (default 2) and the best round is reported, which
 * is the least disturbed by other processes on a shared machine. Rates are per CPU second
 * of this process (process.cpuUsage, all threads: zlib's thread-pool work included), so
 * "records/s" means records per second of one core, whatever else runs on the machine;
 * wall-clock rates are printed beside them. Options:
 *   --records N      records per parser (defaults per parser in PLAN below)
 *   --rounds N       rounds per measurement (default 2)
 *   --only a,b       only these parsers
 *   --json           print the results as JSON too
 *   --json-only      print only the JSON results (bench/side-by-side.ts runs this in children)
 *   --stream-mb a,b  sizes (uncompressed MB) of the single ALB objects streamed in fresh child
 *                    processes to show peak RSS stays flat as objects grow (default 64,512; 0 skips)
 *   --pipeline-config a.yml,b.yml
 *                    pipeline files whose parser's filters and OpenSearch output settings apply
 *                    to the parser of the same type (replaces the default pipelines/alb.yml);
 *                    `none`: no filters for any parser
 */
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { LogEvent } from '../src/core/event.js';
import { type BenchPipeline, benchPipelineFor } from './bench-pipeline.js';
import { generateObject } from './generate-logs.js';
import {
  type BenchObject,
  BulkBodies,
  type EventSink,
  encodedPath,
  floor,
  RAW_CHUNK_BYTES,
  recordPath,
} from './hot-path.js';
import { type Options, parseOptions, pipelineArgs } from './options.js';
import { printResults, type Result, type Timing } from './report.js';
import { type SerializationBreakdown, serializationBreakdown } from './serialization-breakdown.js';

interface Case {
  type: string;
  objects: BenchObject[];
  records: number;
  bytes: number;
  gzBytes: number;
}

const MB = 1024 * 1024;

const PLAN: { type: string; defaultRecords: number; perObject: number }[] = [
  { type: 'alb', defaultRecords: 200_000, perObject: 50_000 },
  { type: 'waf', defaultRecords: 60_000, perObject: 20_000 },
  { type: 'cloudfront', defaultRecords: 100_000, perObject: 50_000 },
  { type: 'vpc_flow', defaultRecords: 150_000, perObject: 50_000 },
  { type: 's3_access', defaultRecords: 100_000, perObject: 50_000 },
  { type: 'cloudtrail', defaultRecords: 40_000, perObject: 500 },
];

function buildCase(type: string, records: number, perObject: number): Case {
  const objects: BenchObject[] = [];
  let remaining = records;
  let seed = 1;
  while (remaining > 0) {
    const n = Math.min(perObject, remaining);
    const text = Buffer.from(generateObject(type, n, seed));
    objects.push({ key: `bench/${type}/${seed}.log.gz`, gz: gzipSync(text), bytes: text.length });
    remaining -= n;
    seed++;
  }
  return {
    type,
    objects,
    records,
    bytes: objects.reduce((sum, o) => sum + o.bytes, 0),
    gzBytes: objects.reduce((sum, o) => sum + o.gz.length, 0),
  };
}

async function timed(run: () => Promise<number>, rounds: number, expected: number, what: string): Promise<Timing> {
  const best: Timing = { cpu: Number.POSITIVE_INFINITY, wall: Number.POSITIVE_INFINITY };
  for (let round = 0; round < rounds; round++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const count = await run();
    const cpu = process.cpuUsage(cpuStart);
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    if (count !== expected) throw new Error(`${what}: expected ${expected}, got ${count}`);
    best.cpu = Math.min(best.cpu, (cpu.user + cpu.system) / 1e6);
    best.wall = Math.min(best.wall, wall);
  }
  return best;
}

async function sequentially(objects: BenchObject[], each: (o: BenchObject) => Promise<number>): Promise<number> {
  let total = 0;
  for (const object of objects) total += await each(object);
  return total;
}

/** Counts the events a geoip filter placed (it sets the target field), to say what the database made geoip do. */
class GeoipPlacement implements EventSink {
  placed = 0;
  events = 0;
  constructor(private readonly target: string) {}
  add(event: LogEvent): void {
    this.events++;
    if (event.doc[this.target] !== undefined) this.placed++;
  }
}

/**
 * The full path over every object of a round (`encoded`: the encoded path, else the event
 * path): one output's batches span objects, so the last flush comes at the end.
 */
async function fullPath(benchCase: Case, pipeline: BenchPipeline, encoded: boolean): Promise<number> {
  const bulk = new BulkBodies(pipeline.output);
  const events = await sequentially(benchCase.objects, (o) =>
    encoded ? encodedPath(o, pipeline, bulk) : recordPath(o, pipeline, pipeline.filters, bulk),
  );
  bulk.flush();
  if (events > 0 && bulk.bodyBytes === 0) throw new Error('no bulk body produced');
  return events;
}

async function measure(benchCase: Case, pipeline: BenchPipeline, rounds: number): Promise<Result> {
  const { type, objects } = benchCase;
  const framedRecords = type === 'cloudtrail' ? objects.length : null;
  const headerLines = type === 'cloudfront' ? 2 : type === 'vpc_flow' ? 1 : 0;
  const floorExpected = framedRecords ?? benchCase.records + headerLines * objects.length;
  const floorTiming = await timed(
    () => sequentially(objects, (o) => floor(o, pipeline)),
    rounds,
    floorExpected,
    `${type} floor`,
  );
  const parse = await timed(
    () => sequentially(objects, (o) => recordPath(o, pipeline, [], null)),
    rounds,
    benchCase.records,
    `${type} parse`,
  );
  const filters = pipeline.filters;
  const filtered =
    filters.length === 0
      ? null
      : await timed(
          () => sequentially(objects, (o) => recordPath(o, pipeline, filters, null)),
          rounds,
          benchCase.records,
          `${type} parse+filters`,
        );
  const full = await timed(() => fullPath(benchCase, pipeline, true), rounds, benchCase.records, `${type} full`);
  const fullEvents = await timed(
    () => fullPath(benchCase, pipeline, false),
    rounds,
    benchCase.records,
    `${type} full, event path`,
  );
  let geoipPlaced: number | null = null;
  if (pipeline.geoipTarget !== undefined) {
    const placement = new GeoipPlacement(pipeline.geoipTarget);
    await recordPath(objects[0]!, pipeline, filters, placement);
    geoipPlaced = placement.placed / placement.events;
  }
  return {
    type,
    pipeline: pipeline.description,
    records: benchCase.records,
    uncompressedMB: benchCase.bytes / MB,
    gzipMB: benchCase.gzBytes / MB,
    floor: floorTiming,
    parse,
    filtered,
    full,
    fullEvents,
    geoipPlaced,
    rssMB: process.memoryUsage().rss / MB,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

interface StreamResult {
  mb: number;
  records: number;
  seconds: number;
  maxRssMB: number;
}

/**
 * The child's job: one ALB object of `mb` uncompressed MB, streamed through the whole path.
 * The object is a 20,000-line gzip member repeated (multi-member gzip), so nothing of its
 * size is ever held: peak RSS shows what streaming costs, and should not grow with `mb`.
 */
async function streamOneObject(mb: number, options: Options): Promise<StreamResult> {
  const pipeline = await benchPipelineFor('alb', options.pipelineConfigs);
  const poolLines = 20_000;
  const text = Buffer.from(generateObject('alb', poolLines, 7));
  const member = gzipSync(text);
  const members = Math.max(1, Math.round((mb * MB) / text.length));
  async function* raw(): AsyncGenerator<Buffer> {
    for (let m = 0; m < members; m++) {
      for (let i = 0; i < member.length; i += RAW_CHUNK_BYTES) yield member.subarray(i, i + RAW_CHUNK_BYTES);
    }
  }
  const object: BenchObject = { key: `bench/alb/stream-${mb}.log.gz`, gz: member, bytes: text.length * members };
  const start = process.hrtime.bigint();
  const bulk = new BulkBodies(pipeline.output);
  const records = await encodedPath(object, pipeline, bulk, Readable.from(raw(), { objectMode: false }));
  bulk.flush();
  if (records !== poolLines * members) throw new Error(`streamed ${records} records, expected ${poolLines * members}`);
  return {
    mb: object.bytes / MB,
    records,
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

function streamInChild(mb: number, options: Options): StreamResult {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), '--child-stream-mb', String(mb), ...pipelineArgs(options)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out) as StreamResult;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.child !== null) {
    console.log(JSON.stringify(await streamOneObject(options.child, options)));
    return;
  }
  const plan = PLAN.filter((p) => !options.only || options.only.includes(p.type));
  const started = Date.now();
  const results: Result[] = [];
  let breakdown: SerializationBreakdown | null = null;
  for (const entry of plan) {
    const benchCase = buildCase(entry.type, options.records ?? entry.defaultRecords, entry.perObject);
    const pipeline = await benchPipelineFor(entry.type, options.pipelineConfigs);
    results.push(await measure(benchCase, pipeline, options.rounds));
    if (entry.type === 'alb') breakdown = serializationBreakdown(benchCase.objects[0]!.key);
    if (!options.jsonOnly) process.stderr.write(`measured ${entry.type}\n`);
  }
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  const streams = options.streamMb.map((mb) => streamInChild(mb, options));
  if (options.jsonOnly) {
    console.log(JSON.stringify({ node: process.version, results, breakdown, maxRssMB, streams }));
    return;
  }

  printResults(results, options.rounds);
  if (breakdown) {
    console.log(
      `\nALB per event (CPU): documentId ${breakdown.idNs.toFixed(0)} ns, JSON.stringify ${breakdown.stringifyNs.toFixed(0)} ns, encodeBulkAction ${breakdown.encodeNs.toFixed(0)} ns, origin by object spread ${breakdown.originSpreadNs.toFixed(0)} ns`,
    );
  }
  console.log(`peak RSS ${maxRssMB.toFixed(0)} MB (includes the generated objects held in memory)`);
  for (const stream of streams) {
    console.log(
      `one ${stream.mb.toFixed(0)} MB ALB object streamed end to end (child process): ${stream.records} records in ${stream.seconds.toFixed(1)} s wall, peak RSS ${stream.maxRssMB.toFixed(0)} MB`,
    );
  }
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (options.json) console.log(JSON.stringify({ results, breakdown, maxRssMB, streams }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
