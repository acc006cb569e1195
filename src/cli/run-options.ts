import type { LevelWithSilent } from 'pino';
import type { ConfigSourceOptions } from '../config/load-config.js';
import type { RunMode } from '../pipeline/pipeline-runner.js';
import { configPath, configSource } from './config-path.js';
import type { Settings } from './environment.js';
import { parseUtcTime } from './parse-time.js';
import { UsageError } from './usage-error.js';

/** `sluice run` / `sluice backfill` options as given on the command line. */
export interface RunArguments {
  config?: string;
  pipeline?: string[];
  from?: string;
  to?: string;
  once?: boolean;
  'dry-run'?: boolean;
}

/** What `sluice run` / `backfill` will do, from its options and the environment. */
export interface RunOptions {
  command: 'run' | 'backfill';
  config: string;
  /** How the config is read (an s3:// config's addressing). */
  configSource: ConfigSourceOptions;
  /** A live run checks its config for changes this often and reloads it; 0: only on SIGHUP. */
  reloadIntervalMs: number;
  /** Empty: every pipeline of the config. */
  pipelineIds: string[];
  mode: RunMode;
  once: boolean;
  /** `backfill --dry-run`: list what the range covers, read and write nothing. */
  dryRun: boolean;
  /** null: no health and metrics server (SLUICE_HTTP_PORT=0). */
  http: { host: string; port: number } | null;
  shutdownTimeoutMs: number;
  progressIntervalMs: number;
  logLevel: LevelWithSilent;
  workerThreads: number;
}

function parseOption(text: string, name: string): Date {
  try {
    return parseUtcTime(text, name);
  } catch (error) {
    throw new UsageError((error as Error).message, { option: name });
  }
}

/**
 * Options win over their variables. `sluice run` becomes a backfill when a start is given
 * (--from or SLUICE_BACKFILL_FROM); an end without a start is a usage error, not a live run.
 */
export function resolveRunOptions(args: RunArguments, settings: Settings, backfillCommand: boolean): RunOptions {
  const from = args.from !== undefined ? parseOption(args.from, '--from') : settings.backfillFrom;
  const to = args.to !== undefined ? parseOption(args.to, '--to') : settings.backfillTo;
  const command = backfillCommand || from ? 'backfill' : 'run';
  if (!from && command === 'backfill') {
    throw new UsageError('--from (or SLUICE_BACKFILL_FROM) is required', { command });
  }
  if (args['dry-run'] && !from) {
    throw new UsageError('--dry-run lists what a backfill would read: give --from (or SLUICE_BACKFILL_FROM)', {
      command,
    });
  }
  if (!from && to) {
    const end = args.to !== undefined ? '--to' : 'SLUICE_BACKFILL_TO';
    throw new UsageError(
      `${end} is set without ${end === '--to' ? '--from' : 'SLUICE_BACKFILL_FROM'}; set both (or only the start) to backfill, or neither to run`,
      { command },
    );
  }
  return {
    command,
    config: configPath(args.config, settings),
    configSource: configSource(settings),
    reloadIntervalMs: settings.configReloadSeconds * 1000,
    pipelineIds: args.pipeline?.length ? args.pipeline : settings.pipelines,
    mode: from ? { kind: 'backfill', from, to: to ?? null } : { kind: 'live' },
    once: args.once ?? false,
    dryRun: args['dry-run'] ?? false,
    http: settings.httpPort === 0 ? null : { host: settings.httpHost, port: settings.httpPort },
    shutdownTimeoutMs: settings.shutdownTimeoutSeconds * 1000,
    progressIntervalMs: settings.progressIntervalSeconds * 1000,
    logLevel: settings.logLevel,
    workerThreads: settings.workerThreads,
  };
}
