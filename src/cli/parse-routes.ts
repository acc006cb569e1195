/**
 * `sluice parse --show-route`: where each event would go. The pipeline is built as a run builds
 * it (buildPipeline, nothing contacted: outputs are never started), and each output's own
 * routing decision (RoutedOutput.accepts, its compiled `when`) and index-name code are asked,
 * so what parse prints cannot drift from what the worker does.
 */
import type { LoadedPipeline } from '../config/load-config.js';
import type { LogEvent } from '../core/event.js';
import { silentLogger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { compileIndexName } from '../outputs/opensearch/index.js';
import { type BuiltPipeline, buildPipeline } from '../pipeline/build-pipeline.js';
import type { RoutedOutput } from '../pipeline/routed-output.js';

/** One output an event goes to: its position in the pipeline's `outputs:` list, its type and, for OpenSearch, its index. */
export interface Route {
  output: number;
  type: string;
  index?: string;
}

/** An output with the index name it gives an event, when it has indices. */
export interface RouteTarget {
  routed: RoutedOutput;
  index?: (event: LogEvent) => string;
}

/** Every output that receives the event, in the order of the pipeline's outputs. */
export function routesOf(targets: readonly RouteTarget[], event: LogEvent): Route[] {
  const routes: Route[] = [];
  for (const [position, { routed, index }] of targets.entries()) {
    if (!routed.accepts(event.doc)) continue;
    const route: Route = { output: position, type: routed.output.type };
    if (index) route.index = index(event);
    routes.push(route);
  }
  return routes;
}

/**
 * The built outputs beside their settings (a built pipeline has every output of its config, in
 * order). The index is the name the pattern gives the event before max_indices is applied: the
 * cap depends on what a run has already written, which parse does not know.
 */
export function routeTargets(
  outputs: readonly RoutedOutput[],
  configs: LoadedPipeline['config']['outputs'],
): RouteTarget[] {
  if (outputs.length !== configs.length) throw new Error('every output of the pipeline must be built');
  return outputs.map((routed, position) => {
    const config = configs[position]!;
    return config.type === 'opensearch' ? { routed, index: compileIndexName(config.index) } : { routed };
  });
}

/** The whole pipeline, built as `sluice run` builds it, and the routes of an event through its outputs. */
export async function buildRoutedPipeline(
  loaded: LoadedPipeline,
): Promise<{ built: BuiltPipeline; routes: (event: LogEvent) => Route[] }> {
  const built = await buildPipeline(loaded, { logger: silentLogger(), metrics: new Metrics() });
  try {
    const targets = routeTargets(built.outputs, loaded.config.outputs);
    return { built, routes: (event) => routesOf(targets, event) };
  } catch (error) {
    await built.close();
    throw error;
  }
}
