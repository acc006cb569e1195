import type { Logger } from 'pino';
import { createOwnerId } from '../checkpoint/owner-id.js';
import type { LoadedConfig, LoadedPipeline } from '../config/load-config.js';
import { backoffDelayMs, sleep } from '../core/backoff.js';
import { describeError, errorCode, errorStage, logFields } from '../core/errors.js';
import type { SourceObject } from '../core/event.js';
import { Metrics } from '../core/metrics.js';
import { type BuiltPipeline, buildPipeline } from '../pipeline/build-pipeline.js';
import { BOUNDED_RUN_PAUSES } from '../pipeline/object-failure-policy.js';
import { zeroTotals } from '../pipeline/object-runner.js';
import { PipelineRunner, type RunMode, type RunSummary } from '../pipeline/pipeline-runner.js';
import { checkpointNameFor } from '../pipeline/run-mode.js';
import { ConfigReloader, type ReloadSource } from './config-reloader.js';
import { HealthRegistry } from './health.js';
import { type RunningHttpServer, startHttpServer } from './http-server.js';
import { PipelineSet, selectedPipelines } from './pipeline-set.js';
import { recordSummary } from './run-summaries.js';

export interface WorkerOptions {
  config: LoadedConfig;
  logger: Logger;
  mode: RunMode;
  /** Live mode only: every pipeline stops after one complete poll. */
  once?: boolean;
  /** Pipeline ids to run; all when empty. */
  pipelineIds?: string[];
  /** Health and metrics server; null disables it. */
  http?: { port: number; host: string } | null;
  /** How long a drain may take after SIGTERM before the process gives up waiting. */
  shutdownTimeoutMs: number;
  /** Aborted to stop (the CLI wires SIGTERM and SIGINT to it); a reload stops single pipelines on their own signal. */
  stopSignal: AbortSignal;
  metrics?: Metrics;
  /** A live run's config reload (SIGHUP, a changed config); see config-reloader.ts. */
  reload?: ReloadSource;
  onObjectDone?: (pipeline: string, object: SourceObject, events: number) => void;
  /** `SLUICE_WORKER_THREADS`: threads per pipeline for the record loop and encoding (1: in-process). */
  workerThreads?: number;
}

export interface WorkerResult {
  summaries: Record<string, RunSummary>;
  /**
   * True when every selected pipeline finished its work (backfill, --once) or drained cleanly
   * (live), and none was paused on a fault at the end.
   */
  ok: boolean;
  timedOut: boolean;
}

/** The summary of a pipeline that never ran: it could not be built or started. */
function notRunSummary(error: unknown): RunSummary {
  return {
    ...zeroTotals(),
    reason: 'paused',
    paused: { code: errorCode(error), reason: describeError(error) },
  };
}

/**
 * Runs the selected pipelines side by side. A pipeline that fails to start or crashes is
 * reported unhealthy (readiness names it and says what to fix) and restarted with backoff; its
 * siblings keep running. A run that must end (--once, a backfill) gives up on it after
 * BOUNDED_RUN_PAUSES tries and reports it paused. On stop, every pipeline drains (stops
 * listing, finishes or checkpoints in-flight records, releases its lease).
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerResult> {
  const { logger, config } = options;
  const metrics = options.metrics ?? new Metrics({ defaultMetrics: true });
  const health = new HealthRegistry({ metrics });
  health.setConfigLoaded();
  const selected = selectedPipelines(config, options.pipelineIds);
  const owner = createOwnerId();
  let server: RunningHttpServer | undefined;
  if (options.http) {
    server = await startHttpServer({ port: options.http.port, host: options.http.host, health, metrics, logger });
    logger.info({ port: server.port, host: options.http.host }, 'health and metrics endpoints listening');
  }

  const summaries: Record<string, RunSummary> = {};
  const shared: Supervision = { options, health, metrics, owner, summaries };
  const set = new PipelineSet((loaded, stopSignal) => supervise(loaded, shared, stopSignal), options.stopSignal);
  for (const loaded of selected) set.start(loaded);
  const reloader = options.reload
    ? new ConfigReloader({ ...options, source: options.reload, set, metrics, health })
    : undefined;
  reloader?.start();

  let timedOut = false;
  const all = set.settled();
  const onStop = new Promise<void>((resolve) =>
    options.stopSignal.addEventListener('abort', () => resolve(), { once: true }),
  );
  await Promise.race([all, onStop]);
  if (options.stopSignal.aborted) {
    logger.info({ timeoutMs: options.shutdownTimeoutMs }, 'draining: listing stopped, finishing in-flight records');
    // The timer is cancelled once draining is done, so it never keeps the process alive.
    const timer = new AbortController();
    const timeout = sleep(options.shutdownTimeoutMs, timer.signal).then(
      () => 'timeout' as const,
      () => 'done' as const,
    );
    timedOut = (await Promise.race([all.then(() => 'done' as const), timeout])) === 'timeout';
    timer.abort();
    if (timedOut) {
      logger.warn('drain timed out; unfinished objects resume from their last checkpoint on the next start');
    }
  }
  // Not awaited: a reload under way holds `all` above, so it is done here unless the drain timed out.
  void reloader?.stop();
  await server?.close();
  const paused = Object.values(summaries).some((summary) => summary.paused !== undefined);
  return { summaries, ok: !paused && !timedOut, timedOut };
}

/** What every supervised pipeline of one worker shares. */
interface Supervision {
  options: WorkerOptions;
  health: HealthRegistry;
  metrics: Metrics;
  owner: string;
  summaries: Record<string, RunSummary>;
}

/**
 * Builds, starts and runs one pipeline until it is done or the worker stops; a failure to build,
 * start or run is reported (readiness and one log line: code, message, hint) and tried again with
 * backoff, up to BOUNDED_RUN_PAUSES times in a run that must end.
 */
async function supervise(loaded: LoadedPipeline, shared: Supervision, stopSignal: AbortSignal): Promise<void> {
  const { options, health, metrics, owner, summaries } = shared;
  const { logger, mode } = options;
  const id = loaded.config.id;
  const bounded = mode.kind === 'backfill' || options.once === true;
  health.setPipeline(id, { state: 'starting' });
  let lastFailure: unknown;
  for (let attempt = 0; !stopSignal.aborted; attempt++) {
    let built: BuiltPipeline | undefined;
    try {
      built = await buildPipeline(loaded, {
        logger,
        metrics,
        checkpointName: checkpointNameFor(id, mode),
        workerThreads: options.workerThreads,
      });
      await built.start();
      health.setOutputReachable(id, true);
      const runner = new PipelineRunner(built, {
        logger,
        metrics,
        owner,
        mode,
        once: options.once,
        drainSignal: stopSignal,
        onState: (state, detail) => health.setPipeline(id, { state, detail }),
        onObjectDone: (object, events) => options.onObjectDone?.(id, object, events),
      });
      const summary = await runner.run();
      recordSummary(summaries, id, summary);
      if (summary.reason === 'lease_lost' && !stopSignal.aborted) {
        // Another worker took over; wait for the lease again like a standby task.
        health.setPipeline(id, { state: 'waiting_for_lease', detail: 'lease lost to another worker' });
        continue;
      }
      return;
    } catch (error) {
      lastFailure = error;
      if (stopSignal.aborted) break;
      const giveUp = bounded && attempt + 1 >= BOUNDED_RUN_PAUSES;
      const delay = backoffDelayMs(Math.min(attempt, 6), 2000, 60_000) + 1000;
      reportCannotRun(shared, id, error, attempt, giveUp ? undefined : delay);
      if (giveUp) {
        summaries[id] = notRunSummary(error);
        return;
      }
      await sleep(delay, stopSignal).catch(() => undefined);
    } finally {
      await built?.close();
    }
  }
  // Stopped while it could not run: the summary says so instead of "nothing new".
  if (summaries[id] === undefined && lastFailure !== undefined) summaries[id] = notRunSummary(lastFailure);
  health.setPipeline(id, { state: 'stopped' });
}

/** Readiness and the log say which pipeline cannot run, what is wrong and what to fix. */
function reportCannotRun(
  shared: Supervision,
  id: string,
  error: unknown,
  attempt: number,
  retryInMs: number | undefined,
): void {
  const reason = describeError(error);
  const next =
    retryInMs === undefined
      ? `gave up after ${attempt + 1} tries`
      : `try ${attempt + 1}, next in ${Math.ceil(retryInMs / 1000)} s`;
  shared.health.setPipeline(id, { state: 'failing', detail: `cannot run (${next})`, lastError: reason });
  // A failure on the sending side (outputs, dead-letter) is what readiness reports as the output.
  if (errorStage(error) === 'sending') shared.health.setOutputReachable(id, false, reason);
  shared.options.logger.error(
    { pipeline: id, ...logFields(error), ...(retryInMs === undefined ? {} : { retryInMs }) },
    `pipeline cannot run: ${reason}`,
  );
}
