/**
 * `drop`: removes events from the pipeline. With `when`, only the events where it holds;
 * without, every event that reaches it (useful after another filter's `when`-less routing).
 */
import { z } from 'zod';
import type { Filter } from '../core/components.js';
import { compileCondition } from './condition.js';
import { whenSchema } from './filter-when.js';

export const dropFilterSchema = z
  .strictObject({
    type: z.literal('drop'),
    when: whenSchema.describe('Drop only the events where this condition holds (default: drop every event)'),
  })
  .describe('Drops events, e.g. health checks');

export type DropFilterConfig = z.infer<typeof dropFilterSchema>;

export function createDropFilter(config: DropFilterConfig): Filter {
  if (config.when === undefined) return { type: 'drop', apply: () => false };
  const holds = compileCondition(config.when);
  return { type: 'drop', apply: (event) => !holds(event.doc) };
}
