import type { Filter } from '../core/components.js';
import { type Condition, compileCondition, conditionSchema } from './condition.js';

/** The `when` key every filter accepts: the filter only applies to events where it holds. */
export const whenSchema = conditionSchema
  .optional()
  .describe('Apply this filter only to events where this condition holds (default: every event)');

/** Wraps a filter so that events failing `when` pass through untouched. */
export function guardWhen(filter: Filter, when: Condition | undefined): Filter {
  if (when === undefined) return filter;
  const holds = compileCondition(when);
  const apply = filter.apply.bind(filter);
  return {
    type: filter.type,
    apply: (event) => (holds(event.doc) ? apply(event) : true),
    // Raw text has no fields to test: it is always redacted.
    ...(filter.redactText ? { redactText: filter.redactText.bind(filter) } : {}),
    ...(filter.close ? { close: filter.close.bind(filter) } : {}),
  };
}
