/**
 * `waf_headers`: WAF logs carry request headers as `[{name, value}]`, which OpenSearch cannot
 * query by name. This lifts them into a name → value map (a repeated header keeps every value,
 * as an array), optionally only allowlisted names, and hides sensitive headers in the map and
 * in the original array.
 *
 * Header names come from the client, and each new name becomes a field in the index mapping.
 * So map keys are normalised (lowercase; letters, digits, - and _ only, any other character
 * becomes _, so a dot cannot nest objects; at most 64 characters) and bounded (`max_headers`
 * names per event). Headers past the bound stay out of the map, still redacted in the array,
 * and the event is tagged: a tag says which events lost headers, where a counter would not.
 */
import { z } from 'zod';
import type { Filter } from '../core/components.js';
import { defineOwnKey, getField, parseFieldPath, removeField, setField } from '../core/field-path.js';
import { addTag } from '../core/tags.js';
import { createMasker, maskerSchemaFields } from './create-masker.js';
import { fieldPathSchema } from './field-path-schema.js';
import { guardWhen, whenSchema } from './filter-when.js';
import { defaultSensitiveHeaders, normalizeName } from './sensitive-names.js';
import { jsonHeaderRedactor } from './text-redactors.js';

export { defaultSensitiveHeaders };

/** Longer names are cut: real header names are short, and a field name is not a place for payloads. */
const MAX_NAME_LENGTH = 64;
const SAFE_NAME = /^[a-z0-9_-]{1,64}$/;
const UNSAFE_CHARACTERS = /[^a-z0-9_-]/g;

/** The map key of a header name; empty when nothing is left of it. */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  if (SAFE_NAME.test(lower)) return lower;
  return lower.replace(UNSAFE_CHARACTERS, '_').slice(0, MAX_NAME_LENGTH);
}

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
    max_headers: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe(
        'Distinct header names per event put in the map; later ones stay only in the array and the event is tagged. WAF forwards at most 200 headers; browsers send 10 to 25',
      ),
    tag_on_overflow: z
      .string()
      .min(1)
      .default('_waf_headers_truncated')
      .describe('Tag added when an event has more distinct header names than max_headers'),
    remove_source: z.boolean().default(false).describe('Remove the original header array after lifting it'),
    redact_headers: z
      .array(z.string().min(1))
      .default(defaultSensitiveHeaders)
      .describe('Header names (any case) whose values are hidden in the map and in the original array'),
    ...maskerSchemaFields,
    when: whenSchema,
  })
  .describe('Turns the WAF header array into a map keyed by lowercase header name (normalised and bounded)');

export type WafHeadersFilterConfig = z.infer<typeof wafHeadersFilterSchema>;

export function createWafHeadersFilter(config: WafHeadersFilterConfig): Filter {
  const source = parseFieldPath(config.source);
  const target = parseFieldPath(config.target);
  const allow = config.allowlist ? new Set(config.allowlist.map((name) => headerKey(name))) : undefined;
  const sensitive = new Set(config.redact_headers.map(normalizeName));
  const mask = createMasker(config);
  const removeSource = config.remove_source;
  const maxHeaders = config.max_headers;
  const overflowTag = config.tag_on_overflow;
  // Raw text (a WAF line that never became a document) gets its header values hidden too.
  const redactRaw = jsonHeaderRedactor(sensitive, (text) => mask(text) as string);
  const filter: Filter = {
    type: 'waf_headers',
    apply(event) {
      const headers = getField(event.doc, source);
      if (!Array.isArray(headers)) return true;
      const map: Record<string, unknown> = {};
      let names = 0;
      let overflow = false;
      let repeated: Set<string> | undefined; // only built when a header repeats
      for (const header of headers) {
        if (header === null || typeof header !== 'object') continue;
        const entry = header as { name?: unknown; value?: unknown };
        if (typeof entry.name !== 'string') continue;
        const key = headerKey(entry.name);
        if (key === '') continue;
        let value = entry.value;
        if (sensitive.has(normalizeName(key))) {
          value = mask(value);
          if (!removeSource) entry.value = value;
        }
        if (allow !== undefined && !allow.has(key)) continue;
        if (!Object.hasOwn(map, key)) {
          if (names === maxHeaders) {
            overflow = true;
            continue;
          }
          names++;
          defineOwnKey(map, key, value);
        } else if (repeated?.has(key)) (map[key] as unknown[]).push(value);
        else {
          repeated ??= new Set();
          repeated.add(key);
          defineOwnKey(map, key, [map[key], value]);
        }
      }
      if (removeSource) removeField(event.doc, source);
      setField(event.doc, target, map);
      if (overflow) addTag(event.doc, overflowTag);
      return true;
    },
    redactText: (text) => (redactRaw === undefined ? text : redactRaw(text)),
  };
  return guardWhen(filter, config.when);
}
