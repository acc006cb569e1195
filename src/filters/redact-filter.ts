/**
 * `redact`: hides secrets before they reach OpenSearch, three ways: whole fields by path,
 * header values by header name (in WAF `[{name, value}]` arrays and in flattened maps), and
 * secrets inside strings (`password=...` in query strings and URLs, URL userinfo, or custom
 * patterns). Everything is compiled at build time; per event it only walks what it must.
 *
 * Fail closed: a subtree nested deeper than `max_depth` is replaced whole by the replacement
 * text (hash mode too), so no walk can overflow the stack and nothing below the bound leaks.
 */
import { z } from 'zod';
import type { Filter } from '../core/components.js';
import type { Doc } from '../core/event.js';
import { type FieldPath, getField, parseFieldPath, setField, writableCopy } from '../core/field-path.js';
import { createMasker, type Masker, maskerSchemaFields } from './create-masker.js';
import { fieldPathSchema } from './field-path-schema.js';
import { guardWhen, whenSchema } from './filter-when.js';
import { defaultQueryParams, defaultSensitiveHeaders, normalizeName } from './sensitive-names.js';
import {
  chainRedactors,
  jsonHeaderRedactor,
  patternRedactor,
  queryParamRedactor,
  type TextRedactor,
  userinfoRedactor,
} from './text-redactors.js';

export { defaultQueryParams } from './sensitive-names.js';

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'dg');
    return true;
  } catch {
    return false;
  }
}

export const redactFilterSchema = z
  .strictObject({
    type: z.literal('redact'),
    fields: z.array(fieldPathSchema).default([]).describe('Fields whose whole value is hidden'),
    headers: z
      .array(z.string().min(1))
      .default(defaultSensitiveHeaders)
      .describe(
        'Header names (any case; - and _ alike) whose values are hidden wherever header_fields hold headers; default: authorization, proxy-authorization, cookie, set-cookie, API-key and AWS token headers',
      ),
    header_fields: z
      .array(fieldPathSchema)
      .default(['httpRequest.headers', 'httpRequest.header_map'])
      .describe('Fields holding headers: a [{name, value}] array (WAF) or a name → value map (waf_headers output)'),
    query_params: z
      .array(z.string().regex(/^[^=&\s]+$/, 'a parameter name without =, & or spaces'))
      .default(defaultQueryParams)
      .describe(
        'Parameter names whose values are hidden in query strings and URLs: name=VALUE up to the next &, #, " or whitespace. Names compare percent-decoded, in any case, - and _ alike, and by their last [segment] (user[password])',
      ),
    url_userinfo: z
      .boolean()
      .default(true)
      .describe(
        'Hide the user:password@ part of every URL in a string (https://user:pw@host/ → https://[REDACTED]@host/)',
      ),
    patterns: z
      .array(z.string().refine(isRegExp, { message: 'not a valid JavaScript regular expression' }))
      .default([])
      .describe(
        'Extra regular expressions; each match is hidden, or only its named group (?<value>...) when the pattern has one',
      ),
    pattern_fields: z
      .array(fieldPathSchema)
      .optional()
      .describe(
        'Fields whose strings (at any depth) are searched for query_params, URL userinfo and patterns; default the whole event',
      ),
    max_depth: z
      .number()
      .int()
      .min(1)
      .default(32)
      .describe(
        'Nesting levels below the event root that are searched; a deeper object or array is replaced whole by the replacement text',
      ),
    ...maskerSchemaFields,
    when: whenSchema,
  })
  .describe('Hides secrets: fields, header values, and secrets inside strings');

export type RedactFilterConfig = z.infer<typeof redactFilterSchema>;

/**
 * Applies the redactor to every string down to `maxDepth`, in place; returns the new value. A
 * shared, frozen object (a cached geoip or user_agent result, core/field-path.ts) is not
 * written: when something in it changes, the copy that holds the change is returned instead.
 */
function redactDeep(value: unknown, redact: TextRedactor, depth: number, maxDepth: number, cut: string): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) return cut;
  let target = value as Record<string, unknown>;
  const shared = Object.isFrozen(value);
  const keys = Array.isArray(value) ? undefined : Object.keys(value);
  const count = keys === undefined ? (value as unknown[]).length : keys.length;
  for (let i = 0; i < count; i++) {
    const key = keys === undefined ? i : keys[i]!;
    const item = target[key];
    const redacted = redactDeep(item, redact, depth + 1, maxDepth, cut);
    if (redacted === item) continue;
    if (shared && target === value) target = writableCopy(target);
    target[key] = redacted;
  }
  return target;
}

function maskEach(value: unknown, mask: Masker): unknown {
  return Array.isArray(value) ? value.map((item) => mask(item)) : mask(value);
}

/** Masks the named headers, in place; returns the container, or a changed copy of a shared, frozen one. */
function redactHeaders(container: unknown, names: ReadonlySet<string>, mask: Masker): unknown {
  if (Array.isArray(container)) {
    let list = container;
    for (let i = 0; i < list.length; i++) {
      const header: unknown = list[i];
      if (header === null || typeof header !== 'object') continue;
      let entry = header as { name?: unknown; value?: unknown };
      if (typeof entry.name !== 'string' || !names.has(normalizeName(entry.name))) continue;
      if (Object.isFrozen(entry)) {
        entry = writableCopy(entry);
        if (Object.isFrozen(list)) list = writableCopy(list);
        list[i] = entry;
      }
      entry.value = maskEach(entry.value, mask);
    }
    return list;
  }
  if (container === null || typeof container !== 'object') return container;
  let map = container as Record<string, unknown>;
  for (const key of Object.keys(map)) {
    if (!names.has(normalizeName(key))) continue;
    if (Object.isFrozen(map)) map = writableCopy(map);
    map[key] = maskEach(map[key], mask);
  }
  return map;
}

/** The string rules (query parameters, URL userinfo, patterns), as one redactor. */
function stringRules(config: RedactFilterConfig, mask: (text: string) => string): TextRedactor | undefined {
  return chainRedactors([
    queryParamRedactor(new Set(config.query_params.map(normalizeName)), mask),
    config.url_userinfo ? userinfoRedactor(mask) : undefined,
    ...config.patterns.map((pattern) => patternRedactor(pattern, mask)),
  ]);
}

export function createRedactFilter(config: RedactFilterConfig): Filter {
  const mask = createMasker(config);
  const maskString = (text: string) => mask(text) as string;
  const fields = config.fields.map(parseFieldPath);
  const headerNames = new Set(config.headers.map(normalizeName));
  const headerFields = headerNames.size === 0 ? [] : config.header_fields.map(parseFieldPath);
  const redactString = stringRules(config, maskString);
  // Raw text has no fields: it gets the string rules, plus header values in WAF's JSON form.
  const redactRaw = chainRedactors([jsonHeaderRedactor(headerNames, maskString), redactString]);
  const patternFields: FieldPath[] | undefined = config.pattern_fields?.map(parseFieldPath);
  const maxDepth = config.max_depth;
  const cut = config.replacement;

  const scan = (doc: Doc): void => {
    if (redactString === undefined) return;
    if (patternFields === undefined) {
      redactDeep(doc, redactString, 0, maxDepth, cut);
      return;
    }
    for (const path of patternFields) {
      const value = getField(doc, path);
      if (value === undefined || value === null) continue;
      const redacted = redactDeep(value, redactString, path.length, maxDepth, cut);
      if (redacted !== value) setField(doc, path, redacted);
    }
  };

  const filter: Filter = {
    type: 'redact',
    apply(event) {
      const doc = event.doc;
      for (const path of fields) {
        const value = getField(doc, path);
        if (value !== undefined && value !== null) setField(doc, path, mask(value));
      }
      for (const path of headerFields) {
        const headers = getField(doc, path);
        const masked = redactHeaders(headers, headerNames, mask);
        if (masked !== headers) setField(doc, path, masked);
      }
      scan(doc);
      return true;
    },
    redactText: (text) => (redactRaw === undefined ? text : redactRaw(text)),
  };
  return guardWhen(filter, config.when);
}
