/**
 * `waf_headers`: WAF logs carry request headers as `[{name, value}]`, which OpenSearch cannot
 * query by name. This lifts them into a lowercase name → value map (a repeated header keeps
 * every value, as an array), optionally only allowlisted names, and hides sensitive headers
 * in the map and in the original array.
 */
import { z } from 'zod';
import type { Filter } from '../core/components.js';
import { getField, parseFieldPath, removeField, setField } from '../core/field-path.js';
import { createMasker, maskerSchemaFields } from './create-masker.js';
import { fieldPathSchema } from './field-path-schema.js';
import { guardWhen, whenSchema } from './filter-when.js';

export const defaultSensitiveHeaders = ['authorization', 'cookie', 'set-cookie'];

export const wafHeadersFilterSchema = z
  .strictObject({
    type: z.literal('waf_headers'),
    source: fieldPathSchema.default('httpRequest.headers').describe('Field holding the [{name, value}] header array'),
    target: fieldPathSchema
      .default('httpRequest.header_map')
      .describe('Field that receives the lowercase name → value map'),
    allowlist: z
      .array(z.string().min(1))
      .optional()
      .describe('Header names (any case) to put in the map; default all. An allowlist keeps index mappings small'),
    remove_source: z.boolean().default(false).describe('Remove the original header array after lifting it'),
    redact_headers: z
      .array(z.string().min(1))
      .default(defaultSensitiveHeaders)
      .describe('Header names (any case) whose values are hidden in the map and in the original array'),
    ...maskerSchemaFields,
    when: whenSchema,
  })
  .describe('Turns the WAF header array into a map keyed by lowercase header name');

export type WafHeadersFilterConfig = z.infer<typeof wafHeadersFilterSchema>;

/** Sets a key on a plain map; `__proto__` as a header name must become a key, not a prototype. */
function defineKey(map: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    map[key] = value;
  }
}

export function createWafHeadersFilter(config: WafHeadersFilterConfig): Filter {
  const source = parseFieldPath(config.source);
  const target = parseFieldPath(config.target);
  const allow = config.allowlist ? new Set(config.allowlist.map((name) => name.toLowerCase())) : undefined;
  const sensitive = new Set(config.redact_headers.map((name) => name.toLowerCase()));
  const mask = createMasker(config);
  const removeSource = config.remove_source;
  const filter: Filter = {
    type: 'waf_headers',
    apply(event) {
      const headers = getField(event.doc, source);
      if (!Array.isArray(headers)) return true;
      const map: Record<string, unknown> = {};
      let repeated: Set<string> | undefined; // only built when a header repeats
      for (const header of headers) {
        if (header === null || typeof header !== 'object') continue;
        const entry = header as { name?: unknown; value?: unknown };
        if (typeof entry.name !== 'string') continue;
        const name = entry.name.toLowerCase();
        let value = entry.value;
        if (sensitive.has(name)) {
          value = mask(value);
          if (!removeSource) entry.value = value;
        }
        if (allow !== undefined && !allow.has(name)) continue;
        if (!Object.hasOwn(map, name)) defineKey(map, name, value);
        else if (repeated?.has(name)) (map[name] as unknown[]).push(value);
        else {
          repeated ??= new Set();
          repeated.add(name);
          defineKey(map, name, [map[name], value]);
        }
      }
      if (removeSource) removeField(event.doc, source);
      setField(event.doc, target, map);
      return true;
    },
  };
  return guardWhen(filter, config.when);
}
