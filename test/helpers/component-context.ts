import type { ComponentContext } from '../../src/core/components.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';

/**
 * What a component is built with, as a test needs it: pipeline `test`, a silent logger, fresh
 * metrics, config paths relative to `/`, no dead-letter; any of them overridden.
 */
export function componentContext(overrides: Partial<ComponentContext> = {}): ComponentContext {
  return {
    pipeline: overrides.pipeline ?? 'test',
    logger: overrides.logger ?? silentLogger(),
    metrics: overrides.metrics ?? new Metrics(),
    baseDir: overrides.baseDir ?? '/',
    ...(overrides.deadLetter ? { deadLetter: overrides.deadLetter } : {}),
  };
}
