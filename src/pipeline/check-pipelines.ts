import type { LoadedConfig } from '../config/load-config.js';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { buildPipeline } from './build-pipeline.js';
import { checkpointNameFor, type RunMode } from './run-mode.js';

/**
 * Builds every selected pipeline as a run would (databases opened, patterns and templates
 * compiled, every named file read), then closes it, and returns every problem found, in the
 * order of the files. Contacts no service and writes nothing: `sluice validate` and the check
 * `run` and `backfill` do before any checkpoint is read.
 */
export async function checkPipelines(
  config: LoadedConfig,
  options: { mode?: RunMode; pipelineIds?: readonly string[] } = {},
): Promise<ConfigProblem[]> {
  const mode = options.mode ?? { kind: 'live' };
  const selected = config.pipelines.filter(
    (pipeline) => !options.pipelineIds?.length || options.pipelineIds.includes(pipeline.config.id),
  );
  const problems: ConfigProblem[] = [];
  for (const loaded of selected) {
    try {
      const built = await buildPipeline(loaded, {
        logger: silentLogger(),
        metrics: new Metrics(),
        checkpointName: checkpointNameFor(loaded.config.id, mode),
      });
      await built.close();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // One pipeline's problems in the order they are written in its file.
      problems.push(...[...error.problems].sort((a, b) => a.line - b.line || a.column - b.column));
    }
  }
  return problems;
}
