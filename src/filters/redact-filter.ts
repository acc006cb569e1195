/**
 * `redact`: hides secrets before they reach OpenSearch, three ways: whole fields by path,
 * header values by header name (in WAF `[{name, value}]` arrays and in flattened maps), and
 * secrets inside strings (`password=...` in query strings and URLs, or custom patterns).
 * Everything is compiled at build time; per event it only walks what it must.
 */
import { z } from 'zod';
import type { Filter } from '../core/components.js';
import type { Doc } from '../core/event.js';
import { type FieldPath, getField, parseFieldPath, setField } from '../core/field-path.js';
import { createMasker, type Masker, maskerSchemaFields } from './create-masker.js';
import { fieldPathSchema } from './field-path-schema.js';
import { guardWhen, whenSchema } from './filter-when.js';
import { defaultSensitiveHeaders } from './waf-headers-filter.js';

export const defaultQueryParams = ['password', 'passwd', 'pwd', 'token', 'secret', 'api_key', 'apikey', 'access_token'];

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
      .describe('Header names (any case) whose values are hidden wherever header_fields hold headers'),
    header_fields: z
      .array(fieldPathSchema)
      .default(['httpRequest.headers', 'httpRequest.header_map'])
      .describe('Fields holding headers: a [{name, value}] array (WAF) or a name → value map (waf_headers output)'),
    query_params: z
      .array(z.string().regex(/^[^=&\s]+$/, 'a parameter name without =, & or spaces'))
      .default(defaultQueryParams)
      .describe(
        'Parameter names (any case) whose values are hidden in query strings and URLs: name=VALUE up to the next &, # or whitespace',
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
        'Fields whose strings (at any depth) are searched for query_params and patterns; default the whole event',
      ),
    ...maskerSchemaFields,
    when: whenSchema,
  })
  .describe('Hides secrets: fields, header values, and secrets inside strings');

export type RedactFilterConfig = z.infer<typeof redactFilterSchema>;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One way to find secrets inside a string; returns the string with them hidden. */
type TextRedactor = (text: string) => string;

function queryParamRedactor(names: string[], mask: (text: string) => string): TextRedactor | undefined {
  if (names.length === 0) return undefined;
  // The name must start the string or follow a separator, so `user_token=` is not `token=`.
  const regex = new RegExp(`(^|[?&;\\s"'])(${names.map(escapeRegExp).join('|')})=([^&#\\s]+)`, 'gi');
  return (text) => {
    if (!text.includes('=')) return text;
    return text.replace(
      regex,
      (_match, before: string, name: string, value: string) => `${before}${name}=${mask(value)}`,
    );
  };
}

function patternRedactor(pattern: string, mask: (text: string) => string): TextRedactor {
  const regex = new RegExp(pattern, 'dg');
  return (text) => {
    regex.lastIndex = 0;
    let out = '';
    let last = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      if (match[0].length === 0) {
        regex.lastIndex++; // an empty match hides nothing; step over it
        continue;
      }
      const span = match.indices?.groups?.value ?? match.indices![0]!;
      if (span === undefined) continue; // the value group did not take part in this match
      out += text.slice(last, span[0]) + mask(text.slice(span[0], span[1]));
      last = span[1];
    }
    return last === 0 ? text : out + text.slice(last);
  };
}

/** Applies the redactor to every string at any depth of a value, in place; returns the new value. */
function redactDeep(value: unknown, redact: TextRedactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = redactDeep(value[i], redact);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = redactDeep(record[key], redact);
  }
  return value;
}

function maskEach(value: unknown, mask: Masker): unknown {
  return Array.isArray(value) ? value.map((item) => mask(item)) : mask(value);
}

function redactHeaders(container: unknown, names: Set<string>, mask: Masker): void {
  if (Array.isArray(container)) {
    for (const header of container) {
      if (header === null || typeof header !== 'object') continue;
      const entry = header as { name?: unknown; value?: unknown };
      if (typeof entry.name === 'string' && names.has(entry.name.toLowerCase()))
        entry.value = maskEach(entry.value, mask);
    }
  } else if (container !== null && typeof container === 'object') {
    const map = container as Record<string, unknown>;
    for (const key of Object.keys(map)) {
      if (names.has(key.toLowerCase())) map[key] = maskEach(map[key], mask);
    }
  }
}

export function createRedactFilter(config: RedactFilterConfig): Filter {
  const mask = createMasker(config);
  const maskString = (text: string) => mask(text) as string;
  const fields = config.fields.map(parseFieldPath);
  const headerNames = new Set(config.headers.map((name) => name.toLowerCase()));
  const headerFields = headerNames.size === 0 ? [] : config.header_fields.map(parseFieldPath);
  const redactors: TextRedactor[] = [];
  const queryRedactor = queryParamRedactor(config.query_params, maskString);
  if (queryRedactor) redactors.push(queryRedactor);
  for (const pattern of config.patterns) redactors.push(patternRedactor(pattern, maskString));
  const redactText: TextRedactor | undefined =
    redactors.length === 0
      ? undefined
      : redactors.length === 1
        ? redactors[0]
        : (text) => redactors.reduce((current, redactor) => redactor(current), text);
  const patternFields: FieldPath[] | undefined = config.pattern_fields?.map(parseFieldPath);

  const scan = (doc: Doc): void => {
    if (redactText === undefined) return;
    if (patternFields === undefined) {
      redactDeep(doc, redactText);
      return;
    }
    for (const path of patternFields) {
      const value = getField(doc, path);
      if (value === undefined || value === null) continue;
      const redacted = redactDeep(value, redactText);
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
      for (const path of headerFields) redactHeaders(getField(doc, path), headerNames, mask);
      scan(doc);
      return true;
    },
  };
  return guardWhen(filter, config.when);
}
