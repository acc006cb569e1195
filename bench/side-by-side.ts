/**
 * `npm run bench`: bench/run.ts on several runtimes (and optionally another checkout's build)
 * side by side, interleaved: pair after pair, each variant runs once in a fresh child process on
 * the same generated corpus (fixed seeds), and the best of its runs is kept. Only ratios inside
 * one such run mean anything on a shared machine.
 *
 *   --node 26.10.0,20   runtimes (scripts/node-release.sh fetches each once into .cache/node);
 *                       default: the shipped line first, then Node 20 for reference
 *   --against DIR[,DIR] also run each DIR's bench build (DIR/.cache/bench-build/bench/run.js: build
 *                       it there with `npm run bench:build`) on every runtime, labelled by the
 *                       folder's name, before this checkout's: one run pairs every step of a change
 *   --pairs N           interleaved runs of every variant (default 2)
 *   --stream-mb a,b     streamed single objects for peak RSS, run once per variant (default 64; 0 skips)
 *   --only, --records, --rounds, --pipeline-config: handed to each run (bench/run.ts)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ROOT } from './bench-pipeline.js';
import { DEFAULT_RUNTIMES } from './options.js';
import type { Result, Timing } from './report.js';

interface Variant {
  label: string;
  node: string;
  script: string;
}

interface RunOutput {
  node: string;
  results: Result[];
  maxRssMB: number;
  streams: { mb: number; records: number; seconds: number; maxRssMB: number }[];
}

interface Plan {
  runtimes: string[];
  against: string[];
  pairs: number;
  streamMb: string;
  passThrough: string[];
}

function parsePlan(argv: string[]): Plan {
  const plan: Plan = { runtimes: DEFAULT_RUNTIMES, against: [], pairs: 2, streamMb: '64', passThrough: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--node' && value !== undefined) plan.runtimes = value.split(',');
    else if (arg === '--against' && value !== undefined) plan.against = value.split(',').map((dir) => resolve(dir));
    else if (arg === '--pairs' && value !== undefined) plan.pairs = Number(value);
    else if (arg === '--stream-mb' && value !== undefined) plan.streamMb = value;
    else if (arg !== undefined && ['--only', '--records', '--rounds', '--pipeline-config'].includes(arg)) {
      if (value === undefined) throw new Error(`${arg} needs a value`);
      plan.passThrough.push(arg, value);
    } else throw new Error(`unknown option ${arg}; see the comment at the top of bench/side-by-side.ts`);
    i++;
  }
  return plan;
}

function nodeBinary(version: string): string {
  return execFileSync('bash', [join(ROOT, 'scripts/node-release.sh'), '--path', version], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

function variants(plan: Plan): Variant[] {
  const here = join(ROOT, '.cache/bench-build/bench/run.js');
  const others = plan.against.map((dir) => ({
    name: basename(dir),
    script: join(dir, '.cache/bench-build/bench/run.js'),
  }));
  for (const { script } of others) {
    if (!existsSync(script)) throw new Error(`${script} missing: run npm run bench:build in its checkout`);
  }
  const list: Variant[] = [];
  for (const version of plan.runtimes) {
    const node = nodeBinary(version);
    const runtime = execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
    for (const { name, script } of others) list.push({ label: `${name} ${runtime}`, node, script });
    list.push({ label: others.length === 0 ? runtime : `this ${runtime}`, node, script: here });
  }
  return list;
}

function runOnce(variant: Variant, args: string[]): RunOutput {
  const out = execFileSync(variant.node, ['--expose-gc', variant.script, '--json-only', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as RunOutput;
}

type Path = 'floor' | 'parse' | 'filtered' | 'full' | 'fullEvents';
const PATHS: [Path, string][] = [
  ['floor', 'floor (gunzip + split)'],
  ['parse', 'parse (record loop, no filters)'],
  ['filtered', 'parse + filters'],
  ['full', 'full path (filters + _id + bulk bodies as sent; the encoded path of an all-OpenSearch pipeline)'],
  ['fullEvents', 'full path, event path (the same output fed event by event, as beside a file or stdout output)'],
];

function better(a: Timing | null | undefined, b: Timing | null): Timing | null {
  if (!a) return b;
  if (!b) return a;
  return { cpu: Math.min(a.cpu, b.cpu), wall: Math.min(a.wall, b.wall) };
}

/** Per variant, per parser: the best timing of each path over all runs, and the peak RSS. */
function merge(runs: RunOutput[]): Map<string, Result> {
  const merged = new Map<string, Result>();
  for (const run of runs) {
    for (const r of run.results) {
      const seen = merged.get(r.type);
      if (!seen) {
        merged.set(r.type, { ...r });
        continue;
      }
      seen.floor = better(seen.floor, r.floor) ?? r.floor;
      seen.parse = better(seen.parse, r.parse) ?? r.parse;
      seen.filtered = better(seen.filtered, r.filtered);
      seen.full = better(seen.full, r.full) ?? r.full;
      seen.fullEvents = better(seen.fullEvents, r.fullEvents ?? null) ?? undefined;
      seen.maxRssMB = Math.max(seen.maxRssMB, r.maxRssMB);
    }
  }
  return merged;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function printTables(list: Variant[], merged: Map<string, Result>[]): void {
  const first = merged[0];
  if (!first) return;
  const types = [...first.keys()];
  for (const [path, title] of PATHS) {
    console.log(`\n### ${title}: records per CPU-second (wall-clock rate in brackets)\n`);
    const ratios = list.slice(1).map((v) => `${v.label} / ${list[0]?.label}`);
    console.log(`| parser | ${list.map((v) => v.label).join(' | ')} | ${ratios.join(' | ')} |`);
    console.log(`| --- |${' ---: |'.repeat(list.length + ratios.length)}`);
    for (const type of types) {
      const cells: string[] = [];
      const cpuRates: number[] = [];
      for (const m of merged) {
        const r = m.get(type);
        const timing = r?.[path];
        if (!r || !timing) {
          cells.push(path === 'filtered' ? '(no filters)' : '—');
          cpuRates.push(Number.NaN);
          continue;
        }
        cpuRates.push(r.records / timing.cpu);
        cells.push(`${fmt(r.records / timing.cpu)} (${fmt(r.records / timing.wall)})`);
      }
      const base = cpuRates[0] ?? Number.NaN;
      const rel = cpuRates.slice(1).map((rate) => (Number.isNaN(rate / base) ? '—' : `${(rate / base).toFixed(2)}x`));
      console.log(`| ${type} | ${cells.join(' | ')} | ${rel.join(' | ')} |`);
    }
  }
  console.log('\n### peak RSS of the bench process (MB, generated objects held in memory included)\n');
  console.log(`| parser | ${list.map((v) => v.label).join(' | ')} |`);
  console.log(`| --- |${' ---: |'.repeat(list.length)}`);
  for (const type of types) {
    console.log(`| ${type} | ${merged.map((m) => (m.get(type)?.maxRssMB ?? Number.NaN).toFixed(0)).join(' | ')} |`);
  }
}

function main(): void {
  const plan = parsePlan(process.argv.slice(2));
  const list = variants(plan);
  const runs: RunOutput[][] = list.map(() => []);
  const started = Date.now();
  for (let pair = 0; pair < plan.pairs; pair++) {
    const last = pair === plan.pairs - 1;
    list.forEach((variant, i) => {
      const stream = last ? plan.streamMb : '0';
      process.stderr.write(`pair ${pair + 1}/${plan.pairs}: ${variant.label}\n`);
      runs[i]?.push(runOnce(variant, ['--rounds', '1', ...plan.passThrough, '--stream-mb', stream]));
    });
  }
  const merged = runs.map(merge);
  const sample = runs[0]?.[0]?.results ?? [];
  console.log(`sluice bench, side by side: ${list.map((v) => v.label).join(', ')}`);
  console.log(
    `${plan.pairs} interleaved runs per variant, best kept; ${process.argv.slice(2).join(' ') || 'defaults'}`,
  );
  console.log('Per parser: records, MB uncompressed / gzip, filters');
  for (const r of sample) {
    const geoip = r.geoipPlaced === null ? '' : `; geoip placed ${(r.geoipPlaced * 100).toFixed(0)} %`;
    console.log(
      `- ${r.type}: ${r.records}, ${r.uncompressedMB.toFixed(1)} / ${r.gzipMB.toFixed(1)} MB, ${r.pipeline}${geoip}`,
    );
  }
  printTables(list, merged);
  for (const [i, variant] of list.entries()) {
    for (const s of runs[i]?.at(-1)?.streams ?? []) {
      console.log(
        `\n${variant.label}: one ${s.mb.toFixed(0)} MB ALB object streamed through the full path (fresh process): ${s.records} records in ${s.seconds.toFixed(1)} s wall, peak RSS ${s.maxRssMB.toFixed(0)} MB`,
      );
    }
  }
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main();
