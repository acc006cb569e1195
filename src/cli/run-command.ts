import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';
import { createLogger } from '../core/logger.js';
import { BOUNDED_RUN_PAUSES } from '../pipeline/object-failure-policy.js';
import type { RunSummary } from '../pipeline/pipeline-runner.js';
import { runWorker, type WorkerResult } from '../worker/run-worker.js';
import { backfillDryRun } from './backfill-dry-run.js';
import { BackfillProgress } from './backfill-progress.js';
import { configArgument } from './config-argument.js';
import type { Settings } from './environment.js';
import { environmentHelp } from './environment-help.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_PAUSED, EXIT_USAGE } from './exit-codes.js';
import { loadRunConfig, reloadSource, reloads, versionBeforeLoad } from './run-config.js';
import { type RunArguments, type RunOptions, resolveRunOptions } from './run-options.js';
import type { StopRequests } from './stop-requests.js';
import { reportBadArguments, UsageError } from './usage-error.js';

const RUN_HELP = `Usage: sluice run [--config PATH | PATH] [--pipeline ID]...

Runs pipelines until SIGTERM or SIGINT, then stops listing, finishes or checkpoints
in-flight records within SLUICE_SHUTDOWN_TIMEOUT_SECONDS and exits 0. When the reader of
stdout goes away (a stdout output piped to \`head\`) it drains the same way and exits 1.
It checks the whole config first, as \`sluice validate\` does (schema, GeoIP databases, patterns,
CA and template files): an invalid one exits 78 with every problem, before any checkpoint is read.
SIGHUP reloads the config (and so does a change, every SLUICE_CONFIG_RELOAD_SECONDS when set):
it is checked the same way first; an invalid one is logged with every problem and the running
config stays; else only the pipelines whose settings changed are drained and restarted, added
ones start, removed ones are drained and stopped, and the others run on untouched.
A pipeline-level fault (access denied, refused credentials, an output down) pauses that
pipeline: nothing is marked done, /readyz names the fault and the fix, and it is retried with
backoff until it works, while the other pipelines keep running.
With SLUICE_BACKFILL_FROM set it runs a backfill instead (see \`sluice backfill\`).

Options:
  --config PATH    YAML file, folder or s3://BUCKET/PREFIX/ (default: $SLUICE_CONFIG); or give PATH alone
  --pipeline ID    run only this pipeline (repeatable; default: $SLUICE_PIPELINES, else all)
  --once           stop after one complete poll of every pipeline (cron-style runs, the demo) and
                   print one summary line; a pipeline still paused after ${BOUNDED_RUN_PAUSES} tries ends the
                   run with exit 75 (EX_TEMPFAIL: try again later) and its reason in the summary

Exit codes: 0 done (or drained after SIGTERM), 64 usage, 78 invalid config, 75 a --once run
(or a backfill) ended with a pipeline paused, 1 a --once run or backfill whose drain timed out.

${environmentHelp('run')}`;

const BACKFILL_HELP = `Usage: sluice backfill --from DATE [--to DATE] [--config PATH | PATH] [--pipeline ID]...

Runs the selected pipelines once over objects in [from, to) — dates or timestamps, UTC —
with a checkpoint of its own (resumable; the live checkpoint is never touched), prints
progress every SLUICE_PROGRESS_INTERVAL_SECONDS, and exits 0 with a summary. Overlap with
the live worker creates no duplicates: document ids are deterministic. The config is checked
first as \`sluice validate\` does (exit 78 before any checkpoint is read); a pipeline still
paused on a fault after ${BOUNDED_RUN_PAUSES} tries ends the backfill with exit 75 (run it again to resume).

Options:
  --from DATE      start, e.g. 2024-01-31 or 2024-01-31T06:00:00Z (default: $SLUICE_BACKFILL_FROM)
  --to DATE        end, exclusive (default: $SLUICE_BACKFILL_TO, else now)
  --config PATH    YAML file, folder or s3://BUCKET/PREFIX/ (default: $SLUICE_CONFIG); or give PATH alone
  --pipeline ID    run only this pipeline (repeatable; default: $SLUICE_PIPELINES, else all)
  --dry-run        list the objects the range covers (pipeline, bucket/key, bytes, LastModified;
                   tab-separated), then their count and bytes; reads no object, writes nothing

${environmentHelp('backfill')}`;

/** The options, and the config given as `--config PATH` or as PATH alone; throws for a usage report. */
function parseRunArguments(argv: string[]): RunArguments & { help?: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      pipeline: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      once: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  return { ...values, config: configArgument(values.config, positionals) };
}

/** The one line that says what starts, before the config is read. Never the environment: it holds secrets. */
function logStart(logger: Logger, options: RunOptions, argv: string[]): void {
  const { mode, http } = options;
  logger.info(
    {
      command: options.command,
      argv,
      config: options.config,
      pipelines: options.pipelineIds,
      ...(mode.kind === 'backfill' ? { from: mode.from.toISOString(), to: mode.to?.toISOString() ?? null } : {}),
      http: http ? { host: http.host, port: http.port } : null,
      // The heap limit in effect: old space + young generation, from the entrypoint's
      // SLUICE_MAX_OLD_SPACE_MB and SLUICE_MAX_SEMI_SPACE_MB, or NODE_OPTIONS.
      heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
      pid: process.pid,
    },
    `starting sluice ${options.command}`,
  );
}

function usageFailure(logger: Logger, command: string, error: UsageError): number {
  logger.error({ code: error.code, ...error.context, hint: error.hint }, error.message);
  process.stderr.write(`sluice ${command}: ${error.message}\n`);
  return EXIT_USAGE;
}

export async function runCommand(
  argv: string[],
  settings: Settings,
  stop: StopRequests,
  backfillCommand = false,
): Promise<number> {
  let values: ReturnType<typeof parseRunArguments>;
  try {
    values = parseRunArguments(argv);
  } catch (error) {
    return reportBadArguments(backfillCommand ? 'backfill' : 'run', error, backfillCommand ? BACKFILL_HELP : RUN_HELP);
  }
  if (values.help) {
    const backfill = backfillCommand || values.from !== undefined || settings.backfillFrom !== undefined;
    process.stdout.write(backfill ? BACKFILL_HELP : RUN_HELP);
    return EXIT_OK;
  }
  const logger = createLogger({ level: settings.logLevel });
  stop.attach(logger);
  let options: RunOptions;
  try {
    options = resolveRunOptions(values, settings, backfillCommand);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageFailure(logger, backfillCommand ? 'backfill' : 'run', error);
  }
  logStart(logger, options, [backfillCommand ? 'backfill' : 'run', ...argv]);
  const version = await versionBeforeLoad(options);
  const config = await loadRunConfig(logger, options);
  if (!config) return EXIT_CONFIG;
  const { mode, pipelineIds } = options;
  if (options.dryRun && mode.kind === 'backfill') return (await backfillDryRun(config, pipelineIds, mode, logger)).code;
  if (stop.signal.aborted) {
    // Stopped while starting (a SIGTERM as the task came up): nothing read, nothing written.
    logger.info('sluice stopped before any pipeline started');
    return stop.stdoutClosed ? EXIT_FAILURE : EXIT_OK;
  }

  const progress =
    mode.kind === 'backfill' ? new BackfillProgress(logger, mode, options.progressIntervalMs) : undefined;
  progress?.start();
  const result = await runWorker({
    config,
    logger,
    mode,
    once: options.once,
    pipelineIds,
    http: options.http,
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    workerThreads: options.workerThreads,
    stopSignal: stop.signal,
    reload: reloads(options) ? reloadSource(logger, options, stop, version) : undefined,
    onObjectDone: (pipeline, object, events) => progress?.objectDone(pipeline, object, events),
  });
  progress?.stop(result.summaries);
  const totals = totalsOf(result.summaries);
  logger.info({ ...totals, pipelines: result.summaries, timedOut: result.timedOut }, 'sluice stopped');
  if (stop.stdoutClosed) return EXIT_FAILURE;
  if (options.once) process.stdout.write(`${summaryLine(result.summaries)}\n`);
  return exitCode(result, mode.kind === 'backfill' || options.once === true);
}

/** What every pipeline of the run did, summed for the last log line. */
function totalsOf(summaries: Record<string, RunSummary>) {
  return Object.values(summaries).reduce(
    (sum, s) => ({
      objects: sum.objects + s.objects,
      events: sum.events + s.events,
      deadLettered: sum.deadLettered + s.deadLettered,
      failed: sum.failed + s.failedObjects,
    }),
    { objects: 0, events: 0, deadLettered: 0, failed: 0 },
  );
}

/**
 * A run that must end (--once, a backfill) fails with EX_TEMPFAIL when a pipeline was still paused
 * on a fault at its end (the next run resumes it), and with 1 when the drain timed out.
 */
function exitCode(result: WorkerResult, bounded: boolean): number {
  if (result.timedOut) return bounded ? EXIT_FAILURE : EXIT_OK;
  const paused = Object.values(result.summaries).some((summary) => summary.paused !== undefined);
  return bounded && paused ? EXIT_PAUSED : EXIT_OK;
}

/**
 * One human line per run: what each pipeline read and wrote, what it quarantined and
 * dead-lettered, and, for a pipeline that could not run to its end, why. "Nothing new" only
 * when every pipeline ran and found nothing.
 */
export function summaryLine(summaries: Record<string, RunSummary>): string {
  const parts = Object.entries(summaries)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, s]) => {
      let part = `${id}: ${s.objects} new object(s), ${s.records} record(s), ${s.events} event(s)`;
      if (s.deadLettered) part += `, ${s.deadLettered} dead-lettered`;
      if (s.failedObjects) part += `, ${s.failedObjects} quarantined`;
      if (s.paused) part += `, PAUSED (${s.paused.code}): ${s.paused.reason}`;
      return part;
    });
  const all = Object.values(summaries);
  const nothingNew = all.length > 0 && all.every((s) => s.objects === 0 && !s.paused && !s.failedObjects);
  return `sluice: ${parts.join('; ')}${nothingNew ? ' — nothing new since the last run (checkpoint)' : ''}`;
}
