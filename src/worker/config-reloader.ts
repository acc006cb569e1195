import type { Logger } from 'pino';
import type { LoadedConfig, LoadedPipeline } from '../config/load-config.js';
import { ConfigError, type ConfigProblem, logFields } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import type { HealthRegistry } from './health.js';
import { type PipelineSet, selectedPipelines } from './pipeline-set.js';
import { changesNothing, type PipelineDefinition, planReload, type ReloadPlan } from './reload-plan.js';

/** A config loaded and checked as `sluice run` checks it at start: the config, or every problem. */
export type CheckedConfig = { config: LoadedConfig } | { problems: ConfigProblem[] };

/** What a live run reloads from, and what asks it to. */
export interface ReloadSource {
  /** Loads the config again and checks it as the run did at start (schema, then every selected pipeline built). */
  load(): Promise<CheckedConfig>;
  /** Calls `request` on each reload request (SIGHUP, a changed config); returns what stops listening. */
  subscribe(request: (reason: string) => void): () => void;
}

export type ReloadResult = 'applied' | 'unchanged' | 'invalid';

export interface ConfigReloaderOptions {
  source: ReloadSource;
  set: PipelineSet;
  /** The run's selection (`--pipeline`, SLUICE_PIPELINES), applied to the new config as to the first. */
  pipelineIds?: readonly string[];
  logger: Logger;
  metrics: Metrics;
  health: HealthRegistry;
  /** The worker's stop: once aborted, a reload starts nothing. */
  stopSignal: AbortSignal;
}

/**
 * Reloads a live run's config on request: checks the new config first and keeps running the old
 * one when it is invalid (every problem logged; readiness untouched); else drains and restarts
 * only the pipelines whose definition changed, starts the added ones, drains and stops the
 * removed ones, and leaves the others running with their leases. One reload at a time: requests
 * that come during one are folded into one more reload after it.
 */
export class ConfigReloader {
  private unsubscribe?: () => void;
  private active?: Promise<void>;
  private again = false;

  constructor(private readonly options: ConfigReloaderOptions) {
    for (const result of ['applied', 'unchanged', 'invalid'] as const) options.metrics.configReloads.inc({ result }, 0);
  }

  start(): void {
    this.unsubscribe = this.options.source.subscribe((reason) => this.request(reason));
  }

  /** Stops listening; resolves once a reload under way is done. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.active;
  }

  request(reason: string): void {
    if (this.options.stopSignal.aborted) return;
    this.options.logger.info({ reason }, 'config reload requested');
    if (this.active) {
      this.again = true;
      return;
    }
    this.active = this.loop().finally(() => {
      this.active = undefined;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.reloadOnce().catch((error: unknown) => {
        // Not a config problem (a bug, a pipeline that would not stop): the running config stays.
        this.options.logger.error({ ...logFields(error) }, 'config reload failed; the running config stays');
      });
    } while (this.again && !this.options.stopSignal.aborted);
  }

  /** One reload, start to end; returns what it did (also counted in sluice_config_reloads_total). */
  async reloadOnce(): Promise<ReloadResult> {
    const { logger, metrics, set } = this.options;
    const checked = await this.options.source.load();
    if ('problems' in checked) {
      const error = new ConfigError(checked.problems);
      logger.error(
        { code: error.code, problems: checked.problems, hint: error.hint },
        `config reload rejected, the running config stays: ${checked.problems.length} problem(s)\n${error.message}`,
      );
      metrics.configReloads.inc({ result: 'invalid' });
      return 'invalid';
    }
    const wanted = selectedPipelines(checked.config, this.options.pipelineIds);
    const plan = planReload(set.loaded().map(definitionOf), wanted.map(definitionOf));
    if (changesNothing(plan)) {
      logger.info({ keep: plan.keep }, 'config reloaded: no pipeline changed');
      metrics.configReloads.inc({ result: 'unchanged' });
      return 'unchanged';
    }
    logger.info({ ...plan }, 'config reload: draining the changed and removed pipelines');
    await set.hold(() => this.apply(plan, wanted));
    logger.info({ ...plan }, 'config reloaded');
    metrics.configReloads.inc({ result: 'applied' });
    return 'applied';
  }

  private async apply(plan: ReloadPlan, wanted: LoadedPipeline[]): Promise<void> {
    const { set, health, stopSignal } = this.options;
    // Drained side by side; a restarted pipeline starts only once its old run let go of the lease.
    await Promise.all([...plan.stop, ...plan.restart].map((id) => set.stop(id)));
    for (const id of plan.stop) health.removePipeline(id);
    if (stopSignal.aborted) return;
    const byId = new Map(wanted.map((loaded) => [loaded.config.id, loaded]));
    for (const id of [...plan.restart, ...plan.start]) set.start(byId.get(id)!);
  }
}

function definitionOf(loaded: LoadedPipeline): PipelineDefinition {
  return { id: loaded.config.id, config: loaded.config, baseDir: loaded.baseDir };
}
