import type { ConfigProblem } from '../core/errors.js';
import type { PipelineConfig } from './schema.js';
import type { Position } from './yaml-position.js';

/**
 * A warning for an S3 source that does not say where its first start begins: without
 * `start_time` it reads every object under its prefixes, and next to a Logstash that already
 * indexed them that history is indexed a second time, under other ids.
 */
export function historyWarning(
  source: PipelineConfig['source'],
  index: number,
  locate: (path: readonly PropertyKey[]) => Position,
): ConfigProblem | undefined {
  if (source.type !== 's3' || source.start_time !== undefined) return undefined;
  return {
    ...locate(['source']),
    path: `pipelines[${index}].source`,
    message:
      'no start_time: a first start without a checkpoint reads the whole history under the prefixes (what Logstash ' +
      'already indexed would be indexed twice); set start_time: now, an ISO timestamp (the cutover), or beginning',
  };
}
