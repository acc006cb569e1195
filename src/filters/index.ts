/**
 * Filters: the config slot (a union on `type`) and the factory the pipeline calls once per
 * configured filter. Factories are async because some open resources (the GeoIP database).
 */
import { z } from 'zod';
import type { Filter, FilterContext } from '../core/components.js';
import { createDateFilter, dateFilterSchema } from './date-filter.js';
import { createDropFilter, dropFilterSchema } from './drop-filter.js';
import { createGeoipFilter, geoipFilterSchema } from './geoip-filter.js';
import { createMutateFilter, mutateFilterSchema } from './mutate-filter.js';
import { createRedactFilter, redactFilterSchema } from './redact-filter.js';
import { createUserAgentFilter, userAgentFilterSchema } from './user-agent-filter.js';
import { createWafHeadersFilter, wafHeadersFilterSchema } from './waf-headers-filter.js';

export const filterConfigSchema = z
  .discriminatedUnion('type', [
    dateFilterSchema,
    geoipFilterSchema,
    userAgentFilterSchema,
    wafHeadersFilterSchema,
    redactFilterSchema,
    mutateFilterSchema,
    dropFilterSchema,
  ])
  .describe('One filter; filters run in the order listed');

export type FilterConfig = z.infer<typeof filterConfigSchema>;

export const filterTypes = [
  'date',
  'geoip',
  'user_agent',
  'waf_headers',
  'redact',
  'mutate',
  'drop',
] as const satisfies readonly FilterConfig['type'][];

export async function createFilter(config: FilterConfig, ctx: FilterContext): Promise<Filter> {
  switch (config.type) {
    case 'date':
      return createDateFilter(config);
    case 'geoip':
      return createGeoipFilter(config, ctx);
    case 'user_agent':
      return createUserAgentFilter(config);
    case 'waf_headers':
      return createWafHeadersFilter(config);
    case 'redact':
      return createRedactFilter(config);
    case 'mutate':
      return createMutateFilter(config);
    case 'drop':
      return createDropFilter(config);
  }
}

export { type Condition, compileCondition, conditionSchema, type DocPredicate } from './condition.js';
