/** The benchmark's results and how they are printed (a Markdown table, as docs/BENCHMARKS.md shows them). */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Timing {
  /** CPU seconds (user + system, all threads of this process). */
  cpu: number;
  wall: number;
}

export interface Result {
  type: string;
  pipeline: string;
  records: number;
  uncompressedMB: number;
  gzipMB: number;
  floor: Timing;
  parse: Timing;
  /** null when the pipeline has no filters (then it equals parse). */
  filtered: Timing | null;
  /** The encoded path (loop-and-encode.ts), what an all-OpenSearch pipeline runs. */
  full: Timing;
  /** The same output fed event by event (`write`), what a pipeline with a file or stdout output runs; absent in builds before it. */
  fullEvents?: Timing;
  /** Share of events the geoip filter placed (null without a geoip filter). */
  geoipPlaced: number | null;
  /** Resident set size right after this parser's full path, and the process's peak so far (MB). */
  rssMB: number;
  maxRssMB: number;
}

/**
 * Which runtime ran the bench: node and V8, and whether it is the release the image ships
 * (.nvmrc). Numbers from another line describe that line, not the product.
 */
export function runtimeLine(): string {
  // bench/ from source, .cache/bench-build/bench/ compiled: the repository root is above either.
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, '.nvmrc')) && dirname(dir) !== dir) dir = dirname(dir);
  const shipped = readFileSync(join(dir, '.nvmrc'), 'utf8').trim();
  const which =
    process.version === `v${shipped}`
      ? 'the release the image ships'
      : `NOT the release the image ships (v${shipped}; run it with scripts/with-node.sh npm run bench)`;
  return `node ${process.version} (V8 ${process.versions.v8}), ${which}`;
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function printResults(results: Result[], rounds: number): void {
  console.log(`sluice bench — ${runtimeLine()}; one thread, best of ${rounds} rounds\n`);
  const rate = (records: number, seconds: number): string => Math.round(records / seconds).toLocaleString('en-US');
  const rates = (records: number, timing: Timing): string =>
    `${rate(records, timing.cpu)} (${rate(records, timing.wall)})`;
  console.log('Rates per CPU second (one core); wall-clock rate in brackets.\n');
  console.log(
    row([
      'parser',
      'records',
      'MB (uncompressed / gzip)',
      'floor records/s',
      'floor MB/s',
      'floor+parse records/s',
      'floor+parse+filters records/s',
      'full records/s',
      'full MB/s',
      'full, event path records/s',
      'full / floor CPU',
      'peak RSS MB',
    ]),
  );
  console.log(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const r of results) {
    console.log(
      row([
        r.type,
        r.records,
        `${r.uncompressedMB.toFixed(1)} / ${r.gzipMB.toFixed(1)}`,
        rates(r.records, r.floor),
        (r.uncompressedMB / r.floor.cpu).toFixed(0),
        rates(r.records, r.parse),
        r.filtered ? rates(r.records, r.filtered) : '(no filters)',
        rates(r.records, r.full),
        (r.uncompressedMB / r.full.cpu).toFixed(0),
        r.fullEvents ? rates(r.records, r.fullEvents) : '—',
        `${(r.full.cpu / r.floor.cpu).toFixed(1)}x`,
        r.maxRssMB.toFixed(0),
      ]),
    );
  }
  console.log('\nFilters and output settings per parser:');
  for (const r of results) {
    const geoip = r.geoipPlaced === null ? '' : `; geoip placed ${(r.geoipPlaced * 100).toFixed(0)} % of events`;
    console.log(`- ${r.type}: ${r.pipeline}${geoip}`);
  }
}
