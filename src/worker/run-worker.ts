import type { Logger } from 'pino';
import { createOwnerId } from '../checkpoint/owner-id.js';
import type { LoadedConfig } from '../config/load-config.js';
import { backoffDelayMs, sleep } from '../core/backoff.js';
import { errorCode, errorMessage, errorStage } from '../core/errors.js';
import type { SourceObject } from '../core/event.js';
import { Metrics } from '../core/metrics.js';
import { type BuiltPipeline, buildPipeline } from '../pipeline/build-pipeline.js';
import { PipelineRunner, type RunMode, type RunSummary } from '../pipeline/pipeline-runner.js';
import { HealthRegistry } from './health.js';
import { type RunningHttpServer, startHttpServer } from './http-server.js';

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
  /** Aborted to stop (the CLI wires SIGTERM and SIGINT to it). */
  stopSignal: AbortSignal;
  metrics?: Metrics;
  onObjectDone?: (pipeline: string, object: SourceObject, events: number) => void;
}

export interface WorkerResult {
  summaries: Record<string, RunSummary>;
  /** True when every selected pipeline finished its work (backfill) or drained cleanly (live). */
  ok: boolean;
  timedOut: boolean;
}

/**
 * Runs the selected pipelines side by side. A pipeline that fails to start or crashes is
 * reported unhealthy and restarted with backoff; its siblings keep running. On stop, every
 * pipeline drains (stops listing, finishes or checkpoints in-flight records, releases its lease).
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerResult> {
  const { logger, config, mode } = options;
  const metrics = options.metrics ?? new Metrics({ defaultMetrics: true });
  const health = new HealthRegistry({ metrics });
  health.setConfigLoaded();
  const selected = config.pipelines.filter(
    (pipeline) => !options.pipelineIds?.length || options.pipelineIds.includes(pipeline.config.id),
  );
  const owner = createOwnerId();
  let server: RunningHttpServer | undefined;
  if (options.http) {
    server = await startHttpServer({ port: options.http.port, host: options.http.host, health, metrics, logger });
    logger.info({ port: server.port, host: options.http.host }, 'health and metrics endpoints listening');
  }

  const summaries: Record<string, RunSummary> = {};
  let ok = true;
  const runs = selected.map(async (loaded) => {
    const id = loaded.config.id;
    health.setPipeline(id, { state: 'starting' });
    for (let attempt = 0; !options.stopSignal.aborted; attempt++) {
      let built: BuiltPipeline | undefined;
      try {
        built = await buildPipeline(loaded, {
          logger,
          metrics,
          checkpointName: mode.kind === 'backfill' ? backfillCheckpointName(id, mode) : id,
        });
        await built.start();
        health.setOutputReachable(id, true);
        const runner = new PipelineRunner(built, {
          logger,
          metrics,
          owner,
          mode,
          once: options.once,
          drainSignal: options.stopSignal,
          onState: (state, detail) => health.setPipeline(id, { state, detail }),
          onObjectDone: (object, events) => options.onObjectDone?.(id, object, events),
        });
        const summary = await runner.run();
        summaries[id] = summary;
        if (summary.reason === 'lease_lost' && !options.stopSignal.aborted) {
          // Another worker took over; wait for the lease again like a standby task.
          health.setPipeline(id, { state: 'waiting_for_lease', detail: 'lease lost to another worker' });
          continue;
        }
        return;
      } catch (error) {
        if (options.stopSignal.aborted) break;
        health.setPipeline(id, { state: 'failing', lastError: errorMessage(error) });
        // A failure on the sending side (outputs, dead-letter) is what readiness reports as the output.
        if (errorStage(error) === 'sending') health.setOutputReachable(id, false, errorMessage(error));
        const delay = backoffDelayMs(Math.min(attempt, 6), 2000, 60_000) + 1000;
        logger.error(
          { pipeline: id, code: errorCode(error), err: error, retryInMs: delay },
          `pipeline failed: ${errorMessage(error)}`,
        );
        if (mode.kind === 'backfill' && attempt >= 4) {
          ok = false;
          return;
        }
        await sleep(delay, options.stopSignal).catch(() => undefined);
      } finally {
        await built?.close();
      }
    }
    health.setPipeline(id, { state: 'stopped' });
  });

  let timedOut = false;
  const all = Promise.all(runs);
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
  await server?.close();
  return { summaries, ok: ok && !timedOut, timedOut };
}

function backfillCheckpointName(id: string, mode: Extract<RunMode, { kind: 'backfill' }>): string {
  const day = (date: Date) =>
    date
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
  return `backfill-${id}-${day(mode.from)}-${mode.to ? day(mode.to) : 'open'}`;
}
