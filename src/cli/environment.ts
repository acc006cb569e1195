import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import type { LevelWithSilent } from 'pino';
import { parseUtcTime } from './parse-time.js';
import { EnvironmentError, type EnvironmentProblem } from './usage-error.js';

/**
 * Every environment variable sluice reads, in one table: name, default, how it is parsed and
 * what it means. The CLI reads it once (`readSettings`) into a typed `Settings` object that is
 * passed down; nothing below src/cli/ reads `process.env`. `--help` and the variable tables in
 * README.md and deploy/ecs/README.md are generated from it (test/cli/environment-docs.test.ts).
 */

/** Who reads a variable: the CLI commands, or entrypoint.sh before node starts. */
export type Reader = 'run' | 'backfill' | 'validate' | 'parse' | 'entrypoint.sh';

export interface Variable<T> {
  readonly name: `SLUICE_${string}`;
  /** The value when unset or empty, written as it would be set; none when unset has its own meaning. */
  readonly default?: string;
  /** What unset means when there is no default (for the docs). */
  readonly unset?: string;
  /** The kind of value, for the docs: `path`, `ids`, `port`, ... */
  readonly type: string;
  readonly description: string;
  readonly readBy: readonly Reader[];
  /** Turns the text (trimmed; the default when unset or empty) into the value; throws a message. */
  readonly parse: (text: string | undefined) => T;
}

const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const COMMANDS: readonly Reader[] = ['run', 'backfill'];

function text(value: string | undefined): string {
  if (value === undefined) throw new Error('must be set');
  return value;
}

function integer(min: number, max: number, what: string) {
  return (value: string | undefined): number => {
    const digits = text(value);
    const number = Number(digits);
    if (!/^\d+$/.test(digits) || number < min || number > max) throw new Error(`must be ${what}`);
    return number;
  };
}

function seconds(value: string | undefined): number {
  const digits = text(value);
  const number = Number(digits);
  if (!/^\d+(\.\d+)?$/.test(digits) || number <= 0) throw new Error('must be a number of seconds above 0');
  return number;
}

/** Seconds, where 0 turns the feature off. */
function secondsOrOff(value: string | undefined): number {
  const digits = text(value);
  if (!/^\d+(\.\d+)?$/.test(digits)) throw new Error('must be a number of seconds (0 turns it off)');
  return Number(digits);
}

/** Most threads `auto` picks, and most that may be set. */
const AUTO_WORKER_THREADS_CAP = 4;
const MAX_WORKER_THREADS = 64;

/** A thread count, or `auto`: the CPUs this process may use (a task's CPU limit), capped. */
export function workerThreads(value: string | undefined, cpus: () => number = availableParallelism): number {
  const given = text(value).toLowerCase();
  if (given === 'auto') return Math.max(1, Math.min(cpus(), AUTO_WORKER_THREADS_CAP));
  return integer(1, MAX_WORKER_THREADS, `auto or a whole number from 1 to ${MAX_WORKER_THREADS}`)(given);
}

function flag(value: string | undefined): boolean {
  const given = text(value).toLowerCase();
  if (given === 'true' || given === '1') return true;
  if (given === 'false' || given === '0') return false;
  throw new Error('must be true or false');
}

function utcTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  try {
    return parseUtcTime(value, 'time');
  } catch {
    throw new Error('must be a UTC date or timestamp, e.g. 2024-01-31 or 2024-01-31T06:00:00Z');
  }
}

function host(value: string | undefined): string {
  const name = text(value);
  if (isIP(name) === 0 && !/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(name)) {
    throw new Error('must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name');
  }
  return name;
}

function logLevel(value: string | undefined): LevelWithSilent {
  const level = LOG_LEVELS.find((l) => l === text(value));
  if (!level) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** The table. Keys are the fields of `Settings`. */
export const ENVIRONMENT = {
  config: {
    name: 'SLUICE_CONFIG',
    default: 'pipelines',
    type: 'path or S3 URI',
    description:
      'YAML file or folder of pipelines, or s3://BUCKET/PREFIX/ (its .yml/.yaml objects) or s3://BUCKET/KEY.yml, ' +
      'as --config. The image sets /etc/sluice/pipelines.',
    readBy: ['run', 'backfill', 'validate', 'parse'],
    parse: text,
  },
  configS3ForcePathStyle: {
    name: 'SLUICE_CONFIG_S3_FORCE_PATH_STYLE',
    default: 'false',
    type: 'true/false',
    description:
      'Path-style addressing for an s3:// SLUICE_CONFIG, as force_path_style of the S3 source: set it for an ' +
      'S3-compatible server at a custom endpoint (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL) with a host name.',
    readBy: ['run', 'backfill', 'validate', 'parse'],
    parse: flag,
  },
  configReloadSeconds: {
    name: 'SLUICE_CONFIG_RELOAD_SECONDS',
    default: '0',
    type: 'seconds',
    description:
      'A live `sluice run` checks the config (file contents, or S3 ETags) this often and reloads it when it ' +
      "changed, as on SIGHUP (Logstash's config.reload.automatic); 0 turns the check off.",
    readBy: ['run'],
    parse: secondsOrOff,
  },
  pipelines: {
    name: 'SLUICE_PIPELINES',
    unset: 'every pipeline',
    type: 'ids',
    description: 'Comma-separated pipeline ids to run, as one --pipeline each; spaces and empty items are ignored.',
    readBy: COMMANDS,
    parse: (value: string | undefined): string[] =>
      (value ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
  },
  backfillFrom: {
    name: 'SLUICE_BACKFILL_FROM',
    unset: 'a live run',
    type: 'UTC date',
    description: '`sluice run` runs a backfill from this date or timestamp instead (see `sluice backfill`), as --from.',
    readBy: COMMANDS,
    parse: utcTime,
  },
  backfillTo: {
    name: 'SLUICE_BACKFILL_TO',
    unset: 'now',
    type: 'UTC date',
    description: 'End of the backfill (exclusive), as --to; needs SLUICE_BACKFILL_FROM.',
    readBy: COMMANDS,
    parse: utcTime,
  },
  httpHost: {
    name: 'SLUICE_HTTP_HOST',
    default: '127.0.0.1',
    type: 'address',
    description:
      'Address of /healthz, /readyz and /metrics. Loopback serves the container health check and sidecars; ' +
      '0.0.0.0 opens them to the network.',
    readBy: COMMANDS,
    parse: host,
  },
  httpPort: {
    name: 'SLUICE_HTTP_PORT',
    default: '9600',
    type: 'port',
    description: 'Port of /healthz, /readyz and /metrics; 0 disables the server.',
    readBy: COMMANDS,
    parse: integer(0, 65_535, 'a port number (0-65535)'),
  },
  logLevel: {
    name: 'SLUICE_LOG_LEVEL',
    default: 'info',
    type: 'level',
    description: `Level of the JSON log lines on stderr: ${LOG_LEVELS.join(', ')}.`,
    readBy: COMMANDS,
    parse: logLevel,
  },
  shutdownTimeoutSeconds: {
    name: 'SLUICE_SHUTDOWN_TIMEOUT_SECONDS',
    default: '25',
    type: 'seconds',
    description: 'Drain budget after SIGTERM; keep it below the ECS stopTimeout.',
    readBy: COMMANDS,
    parse: seconds,
  },
  progressIntervalSeconds: {
    name: 'SLUICE_PROGRESS_INTERVAL_SECONDS',
    default: '10',
    type: 'seconds',
    description: 'How often a backfill logs its progress.',
    readBy: ['backfill'],
    parse: seconds,
  },
  workerThreads: {
    name: 'SLUICE_WORKER_THREADS',
    default: '1',
    type: 'count',
    description:
      'Worker threads per pipeline that parse, filter and encode (the main thread reads S3, sends bulk ' +
      `requests and acknowledges): a number from 1 to ${MAX_WORKER_THREADS}, or auto (the CPUs node may use, at most ` +
      `${AUTO_WORKER_THREADS_CAP}). 1 runs everything on the main thread. Only pipelines whose outputs are all ` +
      'opensearch use threads. Measured in docs/BENCHMARKS.md (Worker threads).',
    readBy: COMMANDS,
    parse: workerThreads,
  },
  maxOldSpaceMb: {
    name: 'SLUICE_MAX_OLD_SPACE_MB',
    default: '128',
    type: 'MB',
    description:
      "V8's old-space limit, set by the container entrypoint in NODE_OPTIONS before node starts " +
      '(a --max-old-space-size in your NODE_OPTIONS wins). Measured in docs/BENCHMARKS.md (Heap and GC settings in the image).',
    readBy: ['entrypoint.sh'],
    parse: integer(1, 1_048_576, 'a whole number of megabytes above 0'),
  },
  maxSemiSpaceMb: {
    name: 'SLUICE_MAX_SEMI_SPACE_MB',
    default: '8',
    type: 'MB',
    description:
      "V8's young-generation semi-space limit, set by the container entrypoint like the old-space one " +
      '(a --max-semi-space-size in your NODE_OPTIONS wins); larger costs less CPU and more memory.',
    readBy: ['entrypoint.sh'],
    parse: integer(1, 1024, 'a whole number of megabytes from 1 to 1024'),
  },
} as const satisfies Record<string, Variable<unknown>>;

export type Settings = { -readonly [K in keyof typeof ENVIRONMENT]: ReturnType<(typeof ENVIRONMENT)[K]['parse']> };

/** The table as a list, in its order. */
export const VARIABLES: readonly Variable<unknown>[] = Object.values(ENVIRONMENT);

/**
 * Reads every variable of the table from `env` (empty counts as unset). `defaults` replaces a
 * variable's default for one command (the demo turns the HTTP server off). Throws an
 * EnvironmentError that lists every unusable value.
 */
export function readSettings(env: NodeJS.ProcessEnv, defaults: Partial<Record<string, string>> = {}): Settings {
  const settings: Record<string, unknown> = {};
  const problems: EnvironmentProblem[] = [];
  for (const [key, variable] of Object.entries(ENVIRONMENT) as Array<[string, Variable<unknown>]>) {
    const raw = env[variable.name];
    const given = raw?.trim() ? raw.trim() : undefined;
    try {
      settings[key] = variable.parse(given ?? defaults[variable.name] ?? variable.default);
    } catch (error) {
      problems.push({ variable: variable.name, value: raw ?? '', message: (error as Error).message });
    }
  }
  if (problems.length > 0) throw new EnvironmentError(problems);
  return settings as Settings;
}
