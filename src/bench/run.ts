/**
 * `npm run bench`: single-threaded throughput of the ingest hot path per parser, on
 * generated gzip objects held in memory (no network, no disk):
 *
 *   floor = decompress + split lines (decodeObjectStream + frameRecords)
 *   full  = floor + parse + deterministic _id + bulk NDJSON (documentId + encodeBulkCreate)
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
 *   --stream-mb a,b  sizes (uncompressed MB) of the single ALB objects streamed in fresh child
 *                    processes to show peak RSS stays flat as objects grow (default 64,512; 0 skips)
 */
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { ParserFactory } from '../core/components.js';
import { documentId } from '../core/document-id.js';
import type { Doc, Origin } from '../core/event.js';
import { encodeBulkCreate } from '../outputs/opensearch/bulk-encoder.js';
import { frameRecords } from '../parsers/framing/frame-records.js';
import { createParserFactory, type ParserConfig } from '../parsers/index.js';
import { decodeObjectStream } from '../sources/decompress.js';
import { generateObject } from './generate-logs.js';

interface Options {
  records: number | null;
  rounds: number;
  only: string[] | null;
  json: boolean;
  streamMb: number[];
  /** Internal: this process is the child that streams one object of this many MB. */
  child: number | null;
}

interface BenchObject {
  key: string;
  gz: Buffer;
  bytes: number;
}

interface Case {
  type: string;
  objects: BenchObject[];
  records: number;
  bytes: number;
  gzBytes: number;
}

interface Timing {
  /** CPU seconds (user + system, all threads of this process). */
  cpu: number;
  wall: number;
}

interface Result {
  type: string;
  records: number;
  uncompressedMB: number;
  gzipMB: number;
  floor: Timing;
  full: Timing;
  parseOnly: Timing;
}

const MB = 1024 * 1024;
/** S3 GetObject bodies arrive in chunks of this order. */
const RAW_CHUNK_BYTES = 64 * 1024;
const MAX_RECORD_BYTES = 1024 * 1024;
const INDEX = 'logs-2024.05.01';

const PLAN: { type: string; defaultRecords: number; perObject: number }[] = [
  { type: 'alb', defaultRecords: 200_000, perObject: 50_000 },
  { type: 'waf', defaultRecords: 60_000, perObject: 20_000 },
  { type: 'cloudfront', defaultRecords: 100_000, perObject: 50_000 },
  { type: 'vpc_flow', defaultRecords: 150_000, perObject: 50_000 },
  { type: 's3_access', defaultRecords: 100_000, perObject: 50_000 },
  { type: 'cloudtrail', defaultRecords: 40_000, perObject: 500 },
];

function parseArgs(argv: string[]): Options {
  const options: Options = { records: null, rounds: 2, only: null, json: false, streamMb: [64, 512], child: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--records') options.records = Number(argv[++i]);
    else if (arg === '--rounds') options.rounds = Number(argv[++i]);
    else if (arg === '--only') options.only = argv[++i]!.split(',');
    else if (arg === '--json') options.json = true;
    else if (arg === '--stream-mb')
      options.streamMb = argv[++i]!.split(',')
        .map(Number)
        .filter((n) => n > 0);
    else if (arg === '--child-stream-mb') options.child = Number(argv[++i]);
    else throw new Error(`unknown option ${arg}; see the comment at the top of src/bench/run.ts`);
  }
  return options;
}

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

function rawStream(gz: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < gz.length; i += RAW_CHUNK_BYTES) chunks.push(gz.subarray(i, i + RAW_CHUNK_BYTES));
  return Readable.from(chunks, { objectMode: false });
}

/** Decompress and split only: the floor under any parser. Returns records seen. */
async function floor(object: BenchObject, framing: 'lines' | 'document'): Promise<number> {
  let records = 0;
  const decoded = decodeObjectStream(rawStream(object.gz), { key: object.key });
  for await (const batch of frameRecords(decoded, framing, { maxRecordBytes: MAX_RECORD_BYTES })) {
    records += batch.records.length;
  }
  return records;
}

/** The whole hot path; `serialize: false` stops after parsing. Returns events produced. */
async function full(
  object: BenchObject,
  factory: ParserFactory,
  serialize: boolean,
  raw: Readable = rawStream(object.gz),
): Promise<number> {
  let events = 0;
  let bodyBytes = 0;
  const parser = factory.forObject(object.key);
  const base = {
    pipeline: 'bench',
    bucket: 'bench-bucket',
    key: object.key,
    etag: '"0123456789abcdef"',
    lastModified: 0,
  };
  const decoded = decodeObjectStream(raw, { key: object.key });
  for await (const batch of frameRecords(decoded, factory.framing, { maxRecordBytes: MAX_RECORD_BYTES })) {
    const body: string[] = [];
    for (let i = 0; i < batch.records.length; i++) {
      const record = batch.recordNumbers[i]!;
      const docs: Doc[] = parser.parse(batch.records[i]!, record);
      for (let sub = 0; sub < docs.length; sub++) {
        events++;
        if (!serialize) continue;
        // An explicit literal: on Node 20 `{ ...base, record, sub }` costs ~2.5 µs per event (see docs/BENCHMARKS.md).
        const origin: Origin = {
          pipeline: base.pipeline,
          bucket: base.bucket,
          key: base.key,
          etag: base.etag,
          lastModified: base.lastModified,
          record,
          sub,
        };
        body.push(encodeBulkCreate(INDEX, documentId(origin), docs[sub]!));
      }
    }
    // One bulk request body per batch, as an output would send it.
    if (serialize) bodyBytes += body.join('').length;
  }
  if (serialize && bodyBytes === 0 && events > 0) throw new Error('no bulk body produced');
  return events;
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

async function measure(benchCase: Case, rounds: number): Promise<Result> {
  const factory = createParserFactory({ type: benchCase.type } as ParserConfig);
  const framedRecords = benchCase.type === 'cloudtrail' ? benchCase.objects.length : null;
  const headerLines = benchCase.type === 'cloudfront' ? 2 : benchCase.type === 'vpc_flow' ? 1 : 0;
  const floorExpected = framedRecords ?? benchCase.records + headerLines * benchCase.objects.length;
  const floorTiming = await timed(
    () => sequentially(benchCase.objects, (o) => floor(o, factory.framing)),
    rounds,
    floorExpected,
    `${benchCase.type} floor`,
  );
  const parseOnly = await timed(
    () => sequentially(benchCase.objects, (o) => full(o, factory, false)),
    rounds,
    benchCase.records,
    `${benchCase.type} parse`,
  );
  const fullTiming = await timed(
    () => sequentially(benchCase.objects, (o) => full(o, factory, true)),
    rounds,
    benchCase.records,
    `${benchCase.type} full`,
  );
  return {
    type: benchCase.type,
    records: benchCase.records,
    uncompressedMB: benchCase.bytes / MB,
    gzipMB: benchCase.gzBytes / MB,
    floor: floorTiming,
    full: fullTiming,
    parseOnly,
  };
}

/** Serialization costs on their own, on parsed ALB documents: where the time beyond parsing goes. */
function serializationBreakdown(benchCase: Case): {
  idNs: number;
  encodeNs: number;
  stringifyNs: number;
  originSpreadNs: number;
} {
  const factory = createParserFactory({ type: 'alb' });
  const parser = factory.forObject('k');
  const text = generateObject('alb', 50_000, 99);
  const docs = text
    .split('\n')
    .filter(Boolean)
    .map((line, i) => parser.parse(line, i + 1)[0]!);
  const base = {
    pipeline: 'bench',
    bucket: 'bench-bucket',
    key: benchCase.objects[0]!.key,
    etag: '"e"',
    lastModified: 0,
  };
  const base0: Origin = { ...base, record: 0, sub: 0 };
  const time = (fn: (doc: Doc, i: number) => number): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5; round++) {
      let sink = 0;
      const start = process.cpuUsage();
      for (let i = 0; i < docs.length; i++) sink += fn(docs[i]!, i);
      const used = process.cpuUsage(start);
      const ns = ((used.user + used.system) * 1000) / docs.length;
      if (sink === 0) throw new Error('nothing measured');
      best = Math.min(best, ns);
    }
    return best;
  };
  return {
    idNs: time((_doc, i) => {
      base0.record = i + 1;
      return documentId(base0).length;
    }),
    originSpreadNs: time((_doc, i) => ({ ...base, record: i + 1, sub: 0 }).record),
    stringifyNs: time((doc) => JSON.stringify(doc).length),
    encodeNs: time((doc) => encodeBulkCreate(INDEX, 'abcdefghijklmnopqrstuvwxyz012345', doc).length),
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
async function streamOneObject(mb: number): Promise<StreamResult> {
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
  const records = await full(
    object,
    createParserFactory({ type: 'alb' }),
    true,
    Readable.from(raw(), { objectMode: false }),
  );
  if (records !== poolLines * members) throw new Error(`streamed ${records} records, expected ${poolLines * members}`);
  return {
    mb: object.bytes / MB,
    records,
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

function streamInChild(mb: number): StreamResult {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), '--child-stream-mb', String(mb)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out) as StreamResult;
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.child !== null) {
    console.log(JSON.stringify(await streamOneObject(options.child)));
    return;
  }
  const plan = PLAN.filter((p) => !options.only || options.only.includes(p.type));
  const started = Date.now();
  const results: Result[] = [];
  let breakdown: ReturnType<typeof serializationBreakdown> | null = null;
  for (const entry of plan) {
    const benchCase = buildCase(entry.type, options.records ?? entry.defaultRecords, entry.perObject);
    results.push(await measure(benchCase, options.rounds));
    if (entry.type === 'alb') breakdown = serializationBreakdown(benchCase);
    process.stderr.write(`measured ${entry.type}\n`);
  }
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  const streams = options.streamMb.map((mb) => streamInChild(mb));

  console.log(`sluice bench — node ${process.version}, one thread, best of ${options.rounds} rounds\n`);
  const rate = (records: number, seconds: number): string => Math.round(records / seconds).toLocaleString('en-US');
  console.log('Rates per CPU second (one core); wall-clock rate in brackets.\n');
  console.log(
    row([
      'parser',
      'records',
      'MB (uncompressed / gzip)',
      'floor records/s',
      'floor MB/s',
      'floor+parse records/s',
      'full records/s',
      'full MB/s',
      'full / floor CPU',
    ]),
  );
  console.log(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const r of results) {
    console.log(
      row([
        r.type,
        r.records,
        `${r.uncompressedMB.toFixed(1)} / ${r.gzipMB.toFixed(1)}`,
        `${rate(r.records, r.floor.cpu)} (${rate(r.records, r.floor.wall)})`,
        (r.uncompressedMB / r.floor.cpu).toFixed(0),
        `${rate(r.records, r.parseOnly.cpu)} (${rate(r.records, r.parseOnly.wall)})`,
        `${rate(r.records, r.full.cpu)} (${rate(r.records, r.full.wall)})`,
        (r.uncompressedMB / r.full.cpu).toFixed(0),
        `${(r.full.cpu / r.floor.cpu).toFixed(1)}x`,
      ]),
    );
  }
  if (breakdown) {
    console.log(
      `\nALB per event (CPU): documentId ${breakdown.idNs.toFixed(0)} ns, JSON.stringify ${breakdown.stringifyNs.toFixed(0)} ns, encodeBulkCreate ${breakdown.encodeNs.toFixed(0)} ns, origin by object spread ${breakdown.originSpreadNs.toFixed(0)} ns`,
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
