/**
 * Heap and GC settings measured as the image launches sluice: `sluice run --once` of one
 * generated ALB object through the built image's ENTRYPOINT (tini as PID 1, entrypoint.sh, the
 * image's node and node_modules, uid 10001; test/helpers/image-root.ts), file source → file
 * output (or → the local OpenSearch), under /usr/bin/time for CPU seconds and peak RSS.
 *
 *   scripts/image.sh build && npm run bench:image-heap -- [options]     (as root)
 *   --sizes 100,1024        uncompressed MB of each object (generated once into --data)
 *   --settings a,b          each one: `default` (the entrypoint as shipped), `old=N`
 *                           (SLUICE_MAX_OLD_SPACE_MB=N), `semi=N` (SLUICE_MAX_SEMI_SPACE_MB=N),
 *                           `old=v8` / `semi=v8` (V8 chooses: no old-space cap / its own
 *                           semi-space size), `none` (= old=v8+semi=v8), `arena=N`
 *                           (MALLOC_ARENA_MAX=N), or several joined with `+`: `old=256+semi=16`;
 *                           what a setting does not name stays as the entrypoint sets it
 *   --rounds N              runs of each setting and size (every run is reported)
 *   --output file|stdout|opensearch   stdout goes to /dev/null; opensearch needs
 *                           SLUICE_TEST_OPENSEARCH_URL (eval "$(scripts/services.sh start)")
 *   --image NAME --data DIR
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { ImageRoot } from '../test/helpers/image-root.js';
import { albLine, random } from './generate-logs.js';

const run = promisify(execFile);
const MB = 1024 * 1024;
// Compiled into .cache/bench-build/bench/: the repository root is three folders up.
const root = resolve(import.meta.dirname, '../../..');

interface Options {
  sizes: number[];
  settings: string[];
  rounds: number;
  output: 'file' | 'stdout' | 'opensearch';
  image: string;
  data: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    sizes: [100, 1024],
    settings: ['default', 'none', 'semi=v8', 'semi=16', 'old=256', 'old=v8'],
    rounds: 1,
    output: 'file',
    image: process.env.SLUICE_IMAGE ?? 'localhost/sluice:test',
    data: resolve(root, '.cache/image-heap'),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ''];
    if (flag === '--sizes') options.sizes = value.split(',').map(Number);
    else if (flag === '--settings') options.settings = value.split(',');
    else if (flag === '--rounds') options.rounds = Number(value);
    else if (flag === '--output' && (value === 'file' || value === 'stdout' || value === 'opensearch')) {
      options.output = value;
    } else if (flag === '--image') options.image = value;
    else if (flag === '--data') options.data = resolve(value);
    else throw new Error(`unknown option ${flag} ${value}`);
  }
  return options;
}

/**
 * The environment a setting gives the container (entrypoint.sh and node read it). Each part
 * overrides one of the entrypoint's defaults; `v8` hands the choice back to V8 (its flag's 0).
 */
export function settingEnv(setting: string): Record<string, string> {
  if (setting === 'default') return {};
  const parts = setting === 'none' ? ['old=v8', 'semi=v8'] : setting.split('+');
  const flags: string[] = [];
  const env: Record<string, string> = {};
  for (const part of parts) {
    const [name, value] = part.split('=');
    // A flag in the caller's NODE_OPTIONS comes after the entrypoint's, so it wins.
    if (name === 'old' && value === 'v8') flags.push('--max-old-space-size=0');
    else if (name === 'old' && value) env.SLUICE_MAX_OLD_SPACE_MB = value;
    else if (name === 'semi' && value === 'v8') flags.push('--max-semi-space-size=0');
    else if (name === 'semi' && value) env.SLUICE_MAX_SEMI_SPACE_MB = value;
    else if (name === 'arena' && value) env.MALLOC_ARENA_MAX = value;
    else throw new Error(`unknown setting ${setting}`);
  }
  return flags.length > 0 ? { ...env, NODE_OPTIONS: flags.join(' ') } : env;
}

/** One gzip ALB object of `mb` uncompressed MB of distinct generated lines, made once. */
async function objectOf(dir: string, mb: number): Promise<{ path: string; lines: number }> {
  const folder = join(dir, 'logs', `${mb}mb`);
  const path = join(folder, `alb-${mb}mb.log.gz`);
  const countFile = `${path}.lines`;
  if (existsSync(path) && existsSync(countFile)) return { path, lines: Number(readFileSync(countFile, 'utf8')) };
  mkdirSync(folder, { recursive: true });
  const rng = random(mb);
  let bytes = 0;
  let lines = 0;
  function* chunks(): Generator<string> {
    while (bytes < mb * MB) {
      let chunk = '';
      while (chunk.length < MB && bytes + chunk.length < mb * MB) chunk += `${albLine(rng, lines++)}\n`;
      bytes += chunk.length;
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks()), createGzip(), createWriteStream(`${path}.partial`));
  renameSync(`${path}.partial`, path);
  writeFileSync(countFile, String(lines));
  return { path, lines };
}

function pipelineYaml(mb: number, output: Options['output'], index: string): string {
  const outputs = {
    file: '{ type: file, path: out/alb.ndjson }',
    stdout: '{ type: stdout }',
    opensearch: `{ type: opensearch, hosts: ["${process.env.SLUICE_TEST_OPENSEARCH_URL}"], index: ${index} }`,
  };
  const out = outputs[output];
  return `pipelines:
  - id: heap-${mb}mb
    source: { type: file, path: logs/${mb}mb, include: ["*.log.gz"] }
    parser: { type: alb }
    filters:
      - { type: date, field: time }
      - { type: redact, pattern_fields: [request_url] }
    outputs: [ ${out} ]
    checkpoint: { type: file, directory: run/checkpoint }
`;
}

interface Measurement {
  setting: string;
  mb: number;
  cpuSeconds: number;
  wallSeconds: number;
  peakRssMiB: number;
  events: number;
  /** V8's heap limit as sluice logged it at start: proof the setting reached node. */
  heapLimitMb: number;
  load: number;
}

async function measureOnce(
  image: ImageRoot,
  options: Options,
  setting: string,
  mb: number,
  lines: number,
): Promise<Measurement> {
  const index = `heap-${mb}-${Date.now()}`;
  rmSync(join(options.data, 'run'), { recursive: true, force: true });
  rmSync(join(options.data, 'out'), { recursive: true, force: true });
  mkdirSync(join(options.data, 'run'), { recursive: true });
  mkdirSync(join(options.data, 'out'), { recursive: true });
  writeFileSync(join(options.data, 'heap.yml'), pipelineYaml(mb, options.output, index));
  // The worker (uid 10001) writes only its checkpoint and output.
  await run('chown', ['-R', '10001:10001', join(options.data, 'run'), join(options.data, 'out')]);
  const timeFile = join(options.data, 'time.txt');
  const { file, argv } = image.command(['run', '--once'], {
    env: { SLUICE_CONFIG: '/data/heap.yml', SLUICE_HTTP_PORT: '0', ...settingEnv(setting) },
    binds: [{ host: options.data, target: '/data' }],
  });
  const load = loadavg()[0]!;
  // stdout to /dev/null: the stdout output writes gigabytes there.
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, file, ...argv], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`${setting} ${mb} MB failed (exit ${code}): ${stderr.slice(-2000)}`);
  const [wall, user, system, maxKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  const summary = stderr
    .split('\n')
    .filter((line) => line.includes('"sluice stopped"'))
    .map((line) => JSON.parse(line) as { events: number; failed: number })[0];
  const started = stderr
    .split('\n')
    .filter((line) => line.includes('"starting sluice run"'))
    .map((line) => JSON.parse(line) as { heapLimitMb: number })[0];
  if (!summary || summary.events !== lines || summary.failed !== 0) {
    throw new Error(`${setting} ${mb} MB: expected ${lines} events, got ${JSON.stringify(summary)}`);
  }
  if (options.output === 'opensearch') {
    await fetch(`${process.env.SLUICE_TEST_OPENSEARCH_URL}/${index}`, { method: 'DELETE' });
  }
  return {
    setting,
    mb,
    cpuSeconds: user! + system!,
    wallSeconds: wall!,
    peakRssMiB: maxKb! / 1024,
    events: summary.events,
    heapLimitMb: started?.heapLimitMb ?? Number.NaN,
    load,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(options.data, { recursive: true });
  const objects = new Map<number, { path: string; lines: number }>();
  for (const mb of options.sizes) {
    const started = Date.now();
    objects.set(mb, await objectOf(options.data, mb));
    const object = objects.get(mb)!;
    process.stderr.write(
      `object ${mb} MB: ${object.lines} lines, ${(statSync(object.path).size / MB).toFixed(1)} MB gzip (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
    );
  }
  const image = await ImageRoot.create(options.image, `sluice-heap=${process.pid}`);
  const measurements: Measurement[] = [];
  try {
    const probe = await run('chroot', [
      image.root,
      '/usr/local/bin/node',
      '-p',
      'process.version + " (V8 " + process.versions.v8 + ")"',
    ]);
    console.log(
      `image ${options.image}, node ${probe.stdout.trim()}; ${cpus().length} CPUs "${cpus()[0]?.model}"; ` +
        `${new Date().toISOString()}; output ${options.output}; load average at start ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    for (let round = 1; round <= options.rounds; round++) {
      for (const mb of options.sizes) {
        for (const setting of options.settings) {
          const m = await measureOnce(image, options, setting, mb, objects.get(mb)!.lines);
          measurements.push(m);
          console.log(
            `round ${round} | ${setting} | ${mb} MB | ${m.cpuSeconds.toFixed(1)} CPU-s | ${m.wallSeconds.toFixed(1)} s | ` +
              `${m.peakRssMiB.toFixed(0)} MiB | heap limit ${m.heapLimitMb} MB | load ${m.load.toFixed(1)}`,
          );
        }
      }
    }
  } finally {
    await image.remove();
    rmSync(join(options.data, 'out'), { recursive: true, force: true });
  }
  console.log(
    `load average at end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(JSON.stringify(measurements));
}

await main();
