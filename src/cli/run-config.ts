import type { Logger } from 'pino';
import { configVersion } from '../config/config-version.js';
import { formatConfigWarning, type ReadConfig, readConfig } from '../config/load-config.js';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { checkPipelines } from '../pipeline/check-pipelines.js';
import type { CheckedConfig, ReloadSource } from '../worker/config-reloader.js';
import { watchConfig } from '../worker/config-watch.js';
import type { RunOptions } from './run-options.js';
import type { StopRequests } from './stop-requests.js';

/**
 * The whole config, read and checked as `sluice validate` checks it (schema problems and those of
 * building every selected pipeline, together: files read, patterns compiled, nothing contacted),
 * with its warnings logged: the config, or every problem. `run` does it before anything reads a checkpoint, and again for
 * each reload.
 */
export async function checkRunConfig(logger: Logger, options: RunOptions): Promise<CheckedConfig> {
  let config: ReadConfig;
  try {
    config = await readConfig(options.config, process.env, options.configSource);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: error.problems };
  }
  for (const warning of config.warnings) {
    const { file, line, column, path } = warning;
    logger.warn({ file, line, column, path }, `config warning: ${formatConfigWarning(warning)}`);
  }
  const unknown = options.pipelineIds.filter((id) => !config.pipelines.some((p) => p.config.id === id));
  if (config.problems.length === 0 && unknown.length > 0) {
    const file = config.files.length === 1 ? config.files[0]! : options.config;
    const message = `no pipeline named ${unknown.join(', ')} in the config (--pipeline or SLUICE_PIPELINES)`;
    return { problems: [{ file, line: 0, column: 0, path: '', message }] };
  }
  const problems = await checkPipelines(config, { mode: options.mode, pipelineIds: options.pipelineIds });
  return problems.length > 0 ? { problems } : { config };
}

/** The config for the start of a run; an invalid one is reported (every problem) and undefined returned, for exit 78. */
export async function loadRunConfig(logger: Logger, options: RunOptions) {
  const checked = await checkRunConfig(logger, options);
  if ('config' in checked) return checked.config;
  reportInvalid(logger, options.config, checked.problems);
  return undefined;
}

function reportInvalid(logger: Logger, config: string, problems: ConfigProblem[]): void {
  const error = new ConfigError(problems);
  logger.fatal({ code: error.code, config, problems, hint: error.hint }, 'invalid config');
  process.stderr.write(`${error.message}\n`);
}

/** Whether a run reloads its config: a live run that runs until stopped (not --once, not a backfill). */
export function reloads(options: RunOptions): boolean {
  return options.mode.kind === 'live' && !options.once;
}

/**
 * The config's version before it is loaded, when the run watches it (SLUICE_CONFIG_RELOAD_SECONDS):
 * an edit made while the run starts is then seen at the first poll. Undefined when not watched or
 * unreadable (the first poll then sets it).
 */
export async function versionBeforeLoad(options: RunOptions): Promise<string | undefined> {
  if (!reloads(options) || options.reloadIntervalMs === 0) return undefined;
  return configVersion(options.config, options.configSource.s3).catch(() => undefined);
}

/** What a live run reloads: the config checked as at start, on SIGHUP and, when watched, on a change. */
export function reloadSource(
  logger: Logger,
  options: RunOptions,
  stop: StopRequests,
  initialVersion: string | undefined,
): ReloadSource {
  return {
    load: () => checkRunConfig(logger, options),
    subscribe(request) {
      const offHangUp = stop.onReload(() => request('SIGHUP'));
      const stopWatch =
        options.reloadIntervalMs > 0
          ? watchConfig({
              path: options.config,
              s3: options.configSource.s3,
              intervalMs: options.reloadIntervalMs,
              initial: initialVersion,
              logger,
              onChange: () => request('config changed'),
            })
          : undefined;
      return () => {
        offHangUp();
        stopWatch?.();
      };
    },
  };
}
