/**
 * `npm run bench:levers`: each hot-path change of this bench's history timed against the code
 * it replaced, in one process, on the same ALB corpus, alternating before and after round by
 * round (order swapped every round), median of the rounds kept. Whole-process runs on a shared
 * machine vary by ±20 %, more than these changes; alternating in one process cancels that.
 *
 *   id       documentId: createHash once per object, copy() per event (before) vs one-shot crypto.hash
 *   private  geoip's unplaceable-address check: node:net BlockList.check (before) vs isPrivateAddress
 *   encode   bulk bodies: lines joined into one string that the client measured and encoded to
 *            UTF-8 (before) vs each body written into a reused buffer (BulkBodyBuffers; the
 *            bytes are equal: tested). A first try, every line written into shared 256 KB slabs
 *            at encode time, measured 1.37-1.69x slower (external memory made V8 collect
 *            the old generation often) and was dropped.
 *   shape    the document's JSON: JSON.stringify (before) vs a serializer generated per key list
 *            (bench/fixed-shape-serializer.ts; checked equal on every event first); not adopted
 *   index    the index name (alb-logs-%{+YYYY.MM.dd}): Date.parse of @timestamp, a key string
 *            and a name string per event (before, bench/replaced.ts) vs the hour's start parsed
 *            once and the hour's name kept (event-pattern.ts, index-name.ts)
 *   date     the date filter's ISO 8601 parse of ALB's time: rebuilt from its fields (before,
 *            bench/replaced.ts) vs the text cut after the milliseconds; with JSON.stringify of
 *            the result, which reads what was built
 *   shared   the geoip and user_agent results: a copy of the cached object put into each event
 *            (before) vs the one frozen object (core/field-path.ts shareFrozen); with
 *            JSON.stringify of the document, which reads them
 *   split    the bulk line: one string per event (action line + JSON + newline, measured with
 *            Buffer.byteLength, copied into the body) (before) vs the action line and the
 *            document JSON kept apart (no concatenated line to flatten) and copied in turn
 *
 * Options: --records N (default 100000), --rounds N (default 15), --only KEY[,KEY] (the keys above).
 */
import { createHash, type Hash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { gzipSync } from 'node:zlib';
import { documentId } from '../src/core/document-id.js';
import type { Doc, LogEvent, Origin } from '../src/core/event.js';
import { isPrivateAddress } from '../src/filters/is-private-address.js';
import { parseIso8601 } from '../src/filters/parse-timestamp.js';
import { BulkBodyBuffers } from '../src/outputs/opensearch/bulk-body.js';
import {
  type BulkLine,
  bulkLineBytes,
  encodeBulkAction,
  encodeBulkLine,
} from '../src/outputs/opensearch/bulk-encoder.js';
import { compileIndexName } from '../src/outputs/opensearch/index-name.js';
import { benchPipelineFor } from './bench-pipeline.js';
import { FixedShapeSerializer } from './fixed-shape-serializer.js';
import { generateObject } from './generate-logs.js';
import { type EventSink, recordPath } from './hot-path.js';
import { copiedGeoip, copiedUserAgent, indexNameBefore, parseIso8601Before } from './replaced.js';

/** The id as the previous implementation computed it (per-object Hash state, copied per event). */
function copiedHashId(prefix: Hash, origin: Origin): string {
  return prefix.copy().update(`${origin.record}\0${origin.sub}`).digest('base64url').slice(0, 32);
}

/** The previous unplaceable-address check. */
function blockList(): BlockList {
  const list = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  const v6: [string, number][] = [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ];
  for (const [network, prefix] of v4) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of v6) list.addSubnet(network, prefix, 'ipv6');
  return list;
}

const FLUSH_EVENTS = 5000;
const INDEX = 'alb-logs-2024.05.01';

function encodeBefore(events: readonly LogEvent[], ids: readonly string[]): number {
  let total = 0;
  let batch: { line: string; bytes: number }[] = [];
  const send = (): void => {
    const body = batch.map((item) => item.line).join('');
    // What the client did with a string body: measure it for content-length, then encode it.
    total += Buffer.byteLength(body) + Buffer.from(body).length;
    batch = [];
  };
  events.forEach((event, i) => {
    const line = encodeBulkAction('create', INDEX, ids[i], event.doc);
    batch.push({ line, bytes: Buffer.byteLength(line) });
    if (batch.length === FLUSH_EVENTS) send();
  });
  if (batch.length > 0) send();
  return total;
}

/** As the output did before the split line: each line one string (measured for the budget), each body written into a reused buffer. */
function encodeJoinedLine(events: readonly LogEvent[], ids: readonly string[]): number {
  let total = 0;
  let reused = Buffer.alloc(0);
  let batch: string[] = [];
  let batchBytes = 0;
  const send = (): void => {
    if (reused.length < batchBytes + 4) reused = Buffer.allocUnsafeSlow(batchBytes + 4);
    let end = 0;
    for (const line of batch) end += reused.write(line, end);
    total += end;
    batch = [];
    batchBytes = 0;
  };
  events.forEach((event, i) => {
    const line = encodeBulkAction('create', INDEX, ids[i], event.doc);
    batch.push(line);
    batchBytes += Buffer.byteLength(line);
    if (batch.length === FLUSH_EVENTS) send();
  });
  if (batch.length > 0) send();
  return total;
}

/** As the output does now: the action line and the document JSON kept apart and copied into a reused buffer. */
function encodeAfter(events: readonly LogEvent[], ids: readonly string[]): number {
  let total = 0;
  const buffers = new BulkBodyBuffers();
  let batch: BulkLine[] = [];
  let batchBytes = 0;
  const send = (): void => {
    const filled = buffers.fill(batch, batchBytes);
    total += filled.body.length;
    buffers.giveBack(filled);
    batch = [];
    batchBytes = 0;
  };
  events.forEach((event, i) => {
    const line = encodeBulkLine('create', INDEX, ids[i], event.doc);
    batch.push(line);
    batchBytes += bulkLineBytes(line);
    if (batch.length === FLUSH_EVENTS) send();
  });
  if (batch.length > 0) send();
  return total;
}

function cpuNs(records: number, run: () => number): number {
  const start = process.cpuUsage();
  if (run() === 0) throw new Error('nothing measured');
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / records;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const records = arg('records', 100_000);
  const rounds = arg('rounds', 15);
  const pipeline = await benchPipelineFor('alb', null);
  const text = generateObject('alb', records, 1);
  const object = { key: 'bench/alb/levers.log.gz', gz: gzipSync(text), bytes: text.length };
  // The events as the encoder sees them: parsed and through the shipped filters.
  const events: LogEvent[] = [];
  const keep: EventSink = { add: (event) => events.push(event) };
  await recordPath(object, pipeline, pipeline.filters, keep);
  const ids = events.map((event) => documentId(event.origin));
  const addresses = events
    .map((event) => (event.doc as Doc).client_ip)
    .filter((ip): ip is string => typeof ip === 'string' && isIP(ip) !== 0);
  const versions = addresses.map((ip) => isIP(ip) as 4 | 6);
  const list = blockList();
  const first = events[0]?.origin;
  if (!first) throw new Error('no events');
  const prefix = createHash('sha256').update(`${first.bucket}\0${first.key}\0${first.etag}\0`);

  const shapes = new FixedShapeSerializer();
  for (const event of events) {
    if (shapes.stringify(event.doc) !== JSON.stringify(event.doc))
      throw new Error('fixed-shape serializer differs from JSON.stringify');
  }
  const indexBefore = indexNameBefore('alb-logs-');
  const indexAfter = compileIndexName(pipeline.bulk.index);
  for (const event of events) {
    if (indexBefore(event) !== indexAfter(event)) throw new Error('index names differ');
  }
  const times = events.map((event) => String((event.doc as Doc).time));
  for (const time of times) {
    if (parseIso8601(time) !== parseIso8601Before(time)) throw new Error(`ISO parses differ on ${time}`);
  }
  type Results = {
    geoip?: { location?: { lat: number; lon: number } };
    user_agent_info?: { os: object; device: object };
  };
  const results = events.map((event) => {
    const doc = event.doc as Doc & Results;
    return { doc, geoip: doc.geoip, agent: doc.user_agent_info };
  });
  const putResults = (copy: boolean): number => {
    let n = 0;
    for (const { doc, geoip, agent } of results) {
      if (geoip !== undefined) doc.geoip = copy ? copiedGeoip(geoip) : geoip;
      if (agent !== undefined)
        doc.user_agent_info = (copy ? copiedUserAgent(agent) : agent) as Results['user_agent_info'];
      n += JSON.stringify(doc).length;
    }
    return n;
  };
  const levers: { key: string; name: string; count: number; before: () => number; after: () => number }[] = [
    {
      key: 'id',
      name: 'id (ns per event)',
      count: events.length,
      before: () => events.reduce((n, e) => n + copiedHashId(prefix, e.origin).length, 0),
      after: () => events.reduce((n, e) => n + documentId(e.origin).length, 0),
    },
    {
      key: 'private',
      name: 'private-address check (ns per address)',
      count: addresses.length,
      before: () =>
        addresses.reduce((n, ip, i) => n + (list.check(ip, versions[i] === 4 ? 'ipv4' : 'ipv6') ? 2 : 1), 0),
      after: () => addresses.reduce((n, ip, i) => n + (isPrivateAddress(ip, versions[i] ?? 4) ? 2 : 1), 0),
    },
    {
      key: 'encode',
      name: 'bulk lines and bodies (ns per event)',
      count: events.length,
      before: () => encodeBefore(events, ids),
      after: () => encodeAfter(events, ids),
    },
    {
      key: 'shape',
      name: 'fixed-shape serializer instead of JSON.stringify (ns per event)',
      count: events.length,
      before: () => events.reduce((n, e) => n + JSON.stringify(e.doc).length, 0),
      after: () => events.reduce((n, e) => n + shapes.stringify(e.doc).length, 0),
    },
    {
      key: 'split',
      name: 'bulk line as action line + document JSON (ns per event)',
      count: events.length,
      before: () => encodeJoinedLine(events, ids),
      after: () => encodeAfter(events, ids),
    },
    {
      key: 'index',
      name: 'index name: hour parsed once, name kept per hour (ns per event)',
      count: events.length,
      before: () => events.reduce((n, e) => n + indexBefore(e).length, 0),
      after: () => events.reduce((n, e) => n + indexAfter(e).length, 0),
    },
    {
      key: 'date',
      name: "date filter's ISO 8601 parse, result stringified (ns per event)",
      count: times.length,
      before: () => times.reduce((n, t) => n + JSON.stringify(parseIso8601Before(t)).length, 0),
      after: () => times.reduce((n, t) => n + JSON.stringify(parseIso8601(t)).length, 0),
    },
    {
      key: 'shared',
      name: 'geoip and user_agent results shared frozen instead of copied, document stringified (ns per event)',
      count: events.length,
      before: () => putResults(true),
      after: () => putResults(false),
    },
  ];
  console.log(`levers — node ${process.version}, ${events.length} ALB events, ${rounds} alternating rounds, medians\n`);
  console.log('| lever | before | after | after / before |');
  console.log('| --- | ---: | ---: | ---: |');
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set((argv[onlyIndex + 1] ?? '').split(',')) : undefined;
  for (const lever of levers) {
    if (only !== undefined && !only.has(lever.key)) continue;
    const before: number[] = [];
    const after: number[] = [];
    for (let round = 0; round < rounds; round++) {
      (globalThis as { gc?: () => void }).gc?.();
      if (round % 2 === 0) {
        before.push(cpuNs(lever.count, lever.before));
        after.push(cpuNs(lever.count, lever.after));
      } else {
        after.push(cpuNs(lever.count, lever.after));
        before.push(cpuNs(lever.count, lever.before));
      }
    }
    const b = median(before);
    const a = median(after);
    console.log(`| ${lever.name} | ${b.toFixed(0)} | ${a.toFixed(0)} | ${(a / b).toFixed(2)} |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
