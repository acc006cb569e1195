/**
 * `npm run bench:vrl`: `sluice parse --parser alb FILE > /dev/null` against Vector's VRL
 * (`parse_aws_alb_log` from the vrl crate, each event serialized by serde_json: bench/vrl/) on
 * the same gzip file, side by side: pair after pair, each command once, best of each kept.
 * Both read the gzip file, split lines, parse each and print one JSON document a line.
 *
 * Rates are records per CPU-second of the command's process (user + system, GNU time), and
 * wall-clock; sluice's figure includes its start (module loading), measured alone on an empty
 * file and also shown taken out. The VRL program is built once by bench/vrl/build.sh (cargo,
 * into .cache/vrl-target; nothing of it is shipped).
 *
 *   --records N      ALB lines in the file (default 500000: the bench generator's, less the layouts VRL refuses)
 *   --pairs N        interleaved runs of each command (default 3)
 *   --node a,b       runtimes for sluice (default: the shipped line, then Node 20)
 *   --against DIR[,DIR]  also run each DIR's bin/sluice.js (a built checkout: `npm run build` there)
 *                    on every runtime, labelled by the folder's name, before this checkout's:
 *                    one run pairs a change's before and after against the same VRL runs
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from './bench-pipeline.js';
import { generateObject } from './generate-logs.js';
import { DEFAULT_RUNTIMES } from './options.js';

interface Timing {
  cpu: number;
  wall: number;
  maxRssMB: number;
}

interface Command {
  label: string;
  argv: string[];
  /** Seconds of CPU the command spends before its first record (sluice's start), subtracted in the second column. */
  startCpu: number;
  best?: Timing;
}

function option(argv: string[], name: string, fallback: string): string {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? (argv[index + 1] ?? fallback) : fallback;
}

/**
 * The ALB file both read: generated lines VRL parses (it refuses the 2016 and 2018 layouts, 12 %
 * of the generator's mix), in gzip members of up to 50,000 lines (multi-member, as large objects are).
 */
function albFile(records: number, vrl: string): string {
  const dir = join(ROOT, '.cache/bench-vrl');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `alb-${records}.log.gz`);
  if (existsSync(path)) return path;
  const fd = openSync(`${path}.tmp`, 'w');
  const chunk = join(dir, 'chunk.log');
  for (let done = 0, seed = 1; done < records; seed++) {
    writeFileSync(chunk, generateObject('alb', 50_000, seed));
    const parseable = execFileSync(vrl, ['--parseable', chunk], {
      maxBuffer: 512 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const lines = parseable
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, records - done);
    writeSync(fd, gzipSync(`${lines.join('\n')}\n`));
    done += lines.length;
  }
  closeSync(fd);
  renameSync(`${path}.tmp`, path);
  return path;
}

/**
 * Runs argv with stdout to /dev/null under GNU time; returns its CPU, wall and peak RSS. Fails
 * when it reports failed records (sluice: lines on stderr; VRL: its count), so neither side
 * is timed on error paths.
 */
function timeOnce(argv: string[]): Timing {
  const report = join(ROOT, '.cache/bench-vrl/time.txt');
  const run = spawnSync('/usr/bin/time', ['-o', report, '-f', '%e %U %S %M', ...argv], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const stderr = run.stderr.trim();
  const vrlCount = /^\{"records":\d+,"failed":(\d+)\}$/.exec(stderr);
  if (run.status !== 0 || (stderr !== '' && (vrlCount === null || vrlCount[1] !== '0'))) {
    throw new Error(`${argv.join(' ')}: exit ${run.status}, stderr ${stderr.slice(0, 500)}`);
  }
  const [wall, user, sys, rssKb] = readFileSync(report, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  return { wall: wall ?? Number.NaN, cpu: (user ?? Number.NaN) + (sys ?? Number.NaN), maxRssMB: (rssKb ?? 0) / 1024 };
}

/** Fails unless every sluice command prints the same bytes on stdout: a checkout compared must print what the other does. */
function sameOutput(commands: Command[]): void {
  const digests = commands.map((c) => {
    const quoted = c.argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    const digest = execFileSync('bash', ['-o', 'pipefail', '-c', `${quoted} | sha256sum`], { encoding: 'utf8' }).trim();
    process.stderr.write(`${c.label}: stdout ${digest.slice(0, 16)}\n`);
    return digest;
  });
  if (new Set(digests).size > 1) throw new Error('the checkouts print different output for the same file');
}

function nodeBinary(version: string): string {
  return execFileSync('bash', [join(ROOT, 'scripts/node-release.sh'), '--path', version], { encoding: 'utf8' }).trim();
}

function main(): void {
  const argv = process.argv.slice(2);
  const records = Number(option(argv, 'records', '500000'));
  const pairs = Number(option(argv, 'pairs', '3'));
  const runtimes = option(argv, 'node', DEFAULT_RUNTIMES.join(',')).split(',');
  const against = option(argv, 'against', '')
    .split(',')
    .filter(Boolean)
    .map((dir) => resolve(dir));
  for (const dir of against) {
    if (!existsSync(join(dir, 'dist/cli/main.js'))) throw new Error(`${dir}/dist missing: run npm run build there`);
  }
  process.stderr.write('building bench/vrl (cargo, first time several minutes)...\n');
  const vrl = execFileSync('bash', [join(ROOT, 'bench/vrl/build.sh')], { encoding: 'utf8' }).trim();
  const file = albFile(records, vrl);
  const empty = join(ROOT, '.cache/bench-vrl/empty.log');
  if (!existsSync(empty)) closeSync(openSync(empty, 'w'));
  const checkouts = [
    ...against.map((dir) => ({ name: `${basename(dir)} `, sluice: join(dir, 'bin/sluice.js') })),
    { name: against.length > 0 ? 'this ' : '', sluice: join(ROOT, 'bin/sluice.js') },
  ];
  const commands: Command[] = [];
  for (const version of runtimes) {
    const node = nodeBinary(version);
    const runtime = execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
    for (const { name, sluice } of checkouts) {
      // Its start alone: the same command on an empty file (best of three).
      const start = Math.min(...[0, 1, 2].map(() => timeOnce([node, sluice, 'parse', '--parser', 'alb', empty]).cpu));
      commands.push({
        label: `${name}sluice parse --parser alb (${runtime})`,
        argv: [node, sluice, 'parse', '--parser', 'alb', file],
        startCpu: start,
      });
    }
  }
  commands.push({ label: 'VRL parse_aws_alb_log + serde_json', argv: [vrl, file], startCpu: 0 });
  commands.push({ label: 'VRL parse_aws_alb_log only', argv: [vrl, '--parse-only', file], startCpu: 0 });
  if (against.length > 0) sameOutput(commands.filter((c) => c.startCpu > 0));
  for (let pair = 0; pair < pairs; pair++) {
    for (const command of commands) {
      process.stderr.write(`pair ${pair + 1}/${pairs}: ${command.label}\n`);
      const t = timeOnce(command.argv);
      const best = command.best;
      command.best = best
        ? {
            cpu: Math.min(best.cpu, t.cpu),
            wall: Math.min(best.wall, t.wall),
            maxRssMB: Math.max(best.maxRssMB, t.maxRssMB),
          }
        : t;
    }
  }
  const vrlJson = commands.find((c) => c.label.startsWith('VRL parse_aws_alb_log +'));
  const rate = (cpu: number): number => records / cpu;
  console.log(`ALB file: ${records} lines, ${file}; ${pairs} interleaved runs per command, best kept\n`);
  console.log(
    '| command | records per CPU-second | without start | wall records/s | peak RSS MB | vs VRL + serde_json (CPU) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const c of commands) {
    const b = c.best;
    if (!b || !vrlJson?.best) continue;
    const ratio = rate(b.cpu) / rate(vrlJson.best.cpu);
    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
    const bare = c.startCpu > 0 ? fmt(rate(b.cpu - c.startCpu)) : '—';
    console.log(
      `| ${c.label} | ${fmt(rate(b.cpu))} | ${bare} | ${fmt(records / b.wall)} | ${b.maxRssMB.toFixed(0)} | ${ratio.toFixed(2)}x |`,
    );
  }
  for (const c of commands) {
    if (c.startCpu > 0) console.log(`\n${c.label}: start alone (empty file) ${c.startCpu.toFixed(2)} CPU-s`);
  }
}

main();
