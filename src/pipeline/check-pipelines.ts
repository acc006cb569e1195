import type { ReadConfig } from '../config/load-config.js';
import { inFileOrder } from '../config/problem-order.js';
import type { ConfigProblem } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { checkParts } from './build-pipeline.js';
import { checkpointNameFor, type RunMode } from './run-mode.js';

/**
 * The check of `sluice validate`, and of `run` and `backfill` before any checkpoint is read: the
 * config's own problems (syntax, variables, schema, duplicate ids) and those found by building
 * every selected pipeline as a run would (databases opened, patterns and templates compiled,
 * every named file read), together. A pipeline of a file with problems is built as far as its
 * config parsed: each part whose own settings have no problem (config/pipeline-parts.ts). Every
 * problem once, by file (in the order they were read) and position. Contacts no service and
 * writes nothing.
 */
export async function checkPipelines(
  config: ReadConfig,
  options: { mode?: RunMode; pipelineIds?: readonly string[] } = {},
): Promise<ConfigProblem[]> {
  const mode = options.mode ?? { kind: 'live' };
  const selected = (id: string) => !options.pipelineIds?.length || options.pipelineIds.includes(id);
  const checks = [
    ...config.pipelines.map((loaded) => ({ place: loaded, parts: loaded.config })),
    ...config.drafts.map((draft) => ({ place: draft, parts: draft.parts })),
  ].filter(({ parts }) => selected(parts.id));
  const problems = [...config.problems];
  for (const { place, parts } of checks) {
    problems.push(
      ...(await checkParts(place, parts, {
        logger: silentLogger(),
        metrics: new Metrics(),
        checkpointName: checkpointNameFor(parts.id, mode),
      })),
    );
  }
  return inFileOrder(problems, config.shownFiles);
}
