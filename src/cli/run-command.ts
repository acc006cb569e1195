import { parseArgs } from 'node:util';
import { formatConfigWarning, loadConfig } from '../config/load-config.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { RunSummary } from '../pipeline/pipeline-runner.js';
import { httpPortFromEnv } from '../worker/http-server.js';
import { runWorker } from '../worker/run-worker.js';
import { BackfillProgress } from './backfill-progress.js';
import { configPath } from './config-path.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { parseUtcTime } from './parse-time.js';

const RUN_HELP = `Usage: sluice run [--config PATH] [--pipeline ID]...

Runs pipelines until SIGTERM or SIGINT, then stops listing, finishes or checkpoints
in-flight records within SLUICE_SHUTDOWN_TIMEOUT_SECONDS (default 25) and exits 0.
With SLUICE_BACKFILL_FROM set it runs a backfill instead (see \`sluice backfill\`).

Options:
  --config PATH    YAML file or folder (default: $SLUICE_CONFIG, else ./pipelines)
  --pipeline ID    run only this pipeline (repeatable; default: all, or $SLUICE_PIPELINES)
  --once           stop after one complete poll of every pipeline (cron-style runs, the demo)
Environment: SLUICE_HTTP_PORT (9600; 0 disables), SLUICE_HTTP_HOST (127.0.0.1),
  SLUICE_LOG_LEVEL (info), SLUICE_SHUTDOWN_TIMEOUT_SECONDS (25)
`;

const BACKFILL_HELP = `Usage: sluice backfill --from DATE [--to DATE] [--config PATH] [--pipeline ID]...

Runs the selected pipelines once over objects in [from, to) — dates or timestamps, UTC —
with a checkpoint of its own (resumable; the live checkpoint is never touched), prints
progress at least every 10 s, and exits 0 with a summary. Overlap with the live worker
creates no duplicates: document ids are deterministic.
Environment equivalents: SLUICE_BACKFILL_FROM, SLUICE_BACKFILL_TO.
`;

export async function runCommand(argv: string[], forceBackfill = false): Promise<number> {
  let values: { config?: string; pipeline?: string[]; from?: string; to?: string; once?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        pipeline: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        once: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    process.stderr.write(`sluice: ${errorMessage(error)}\n`);
    return EXIT_USAGE;
  }
  const from = values.from ?? process.env.SLUICE_BACKFILL_FROM;
  const to = values.to ?? process.env.SLUICE_BACKFILL_TO;
  const backfill = forceBackfill || Boolean(from);
  if (values.help) {
    process.stdout.write(backfill ? BACKFILL_HELP : RUN_HELP);
    return EXIT_OK;
  }
  const logger = createLogger();
  let mode: Parameters<typeof runWorker>[0]['mode'] = { kind: 'live' };
  if (backfill) {
    if (!from) {
      process.stderr.write('sluice backfill: --from (or SLUICE_BACKFILL_FROM) is required\n');
      return EXIT_USAGE;
    }
    try {
      mode = { kind: 'backfill', from: parseUtcTime(from, '--from'), to: to ? parseUtcTime(to, '--to') : null };
    } catch (error) {
      process.stderr.write(`sluice backfill: ${errorMessage(error)}\n`);
      return EXIT_USAGE;
    }
  }
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig(configPath(values.config));
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ code: error.code, problems: error.problems }, 'invalid config');
      process.stderr.write(`${error.message}\n`);
      return EXIT_CONFIG;
    }
    throw error;
  }
  for (const warning of config.warnings) {
    const { file, line, column, path } = warning;
    logger.warn({ file, line, column, path }, `config warning: ${formatConfigWarning(warning)}`);
  }
  const pipelineIds = values.pipeline?.length
    ? values.pipeline
    : (process.env.SLUICE_PIPELINES ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
  const unknown = pipelineIds.filter((id) => !config.pipelines.some((p) => p.config.id === id));
  if (unknown.length > 0) {
    process.stderr.write(`sluice: no pipeline named ${unknown.join(', ')} in the config\n`);
    return EXIT_CONFIG;
  }

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1 && signal === 'SIGINT') process.exit(130);
    logger.info({ signal }, 'stop requested: draining');
    controller.abort(new Error(signal));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const shutdownTimeoutMs = Number(process.env.SLUICE_SHUTDOWN_TIMEOUT_SECONDS ?? 25) * 1000;
  const port = httpPortFromEnv();
  const progress = mode.kind === 'backfill' ? new BackfillProgress(logger, mode) : undefined;
  progress?.start();
  try {
    const result = await runWorker({
      config,
      logger,
      mode,
      once: values.once,
      pipelineIds,
      http:
        port === 0 && process.env.SLUICE_HTTP_PORT === '0'
          ? null
          : { port, host: process.env.SLUICE_HTTP_HOST ?? '127.0.0.1' },
      shutdownTimeoutMs,
      stopSignal: controller.signal,
      onObjectDone: (pipeline, object, events) => progress?.objectDone(pipeline, object, events),
    });
    progress?.stop(result.summaries);
    const totals = Object.values(result.summaries).reduce(
      (sum, s) => ({
        objects: sum.objects + s.objects,
        events: sum.events + s.events,
        failed: sum.failed + s.failedObjects,
      }),
      { objects: 0, events: 0, failed: 0 },
    );
    logger.info({ ...totals, pipelines: result.summaries, timedOut: result.timedOut }, 'sluice stopped');
    if (values.once) process.stdout.write(`${summaryLine(result.summaries)}\n`);
    return mode.kind === 'backfill' && !result.ok ? EXIT_FAILURE : EXIT_OK;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** One human line per run: what each pipeline read and wrote. */
export function summaryLine(summaries: Record<string, RunSummary>): string {
  const parts = Object.entries(summaries)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([id, s]) =>
        `${id}: ${s.objects} new object(s), ${s.records} record(s), ${s.events} event(s)${s.failedObjects ? `, ${s.failedObjects} quarantined` : ''}`,
    );
  const total = Object.values(summaries).reduce((sum, s) => sum + s.objects, 0);
  return `sluice: ${parts.join('; ')}${total === 0 ? ' — nothing new since the last run (checkpoint)' : ''}`;
}
