import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFilter, type FilterConfig, filterConfigSchema, filterTypes } from '../../src/filters/index.js';
import { componentContext } from '../helpers/component-context.js';
import { makeEvent } from './make-event.js';

const ctx = componentContext();

describe('filterConfigSchema', () => {
  it('lists every filter type in filterTypes when the union changes', () => {
    const types = filterConfigSchema.options.map((option) => option.shape.type.value);
    expect([...types].sort()).toEqual([...filterTypes].sort());
  });

  it('generates a JSON Schema with descriptions when asked', () => {
    const schema = z.toJSONSchema(filterConfigSchema) as { oneOf?: unknown[]; anyOf?: unknown[] };
    const text = JSON.stringify(schema);
    expect((schema.oneOf ?? schema.anyOf)?.length).toBe(filterTypes.length);
    expect(text).toContain('Holds when the field equals the value');
    expect(text).toContain('"additionalProperties":false');
  });

  it('rejects an unknown type', () => {
    const result = filterConfigSchema.safeParse({ type: 'grok', match: 'x' });
    expect(result.success).toBe(false);
  });

  it('rejects an unknown key with its name', () => {
    const result = filterConfigSchema.safeParse({ type: 'mutate', rename: {}, remvoe: ['a'] });
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['remvoe'] });
  });
});

describe('createFilter', () => {
  const configs: Array<[string, unknown, Record<string, unknown>, Record<string, unknown> | null]> = [
    ['date', { type: 'date', field: 't' }, { t: '2019-12-04T21:02:31Z' }, { '@timestamp': '2019-12-04T21:02:31.000Z' }],
    [
      'waf_headers',
      { type: 'waf_headers' },
      { httpRequest: { headers: [{ name: 'Host', value: 'h' }] } },
      { httpRequest: { headers: [{ name: 'Host', value: 'h' }], header_map: { host: 'h' } } },
    ],
    ['redact', { type: 'redact' }, { u: '/?password=p' }, { u: '/?password=[REDACTED]' }],
    [
      'user_agent',
      { type: 'user_agent', source: 'cs_user_agent' },
      { cs_user_agent: 'curl/8.4.0' },
      { user_agent_info: { name: 'curl', version: '8.4.0' } },
    ],
    ['mutate', { type: 'mutate', add: { a: 1 } }, {}, { a: 1 }],
    ['drop', { type: 'drop', when: { exists: 'x' } }, { x: 1 }, null],
  ];
  it.each(configs)('builds a working %s filter from config', async (type, raw, doc, expected) => {
    const config: FilterConfig = filterConfigSchema.parse(raw);
    const filter = await createFilter(config, ctx);
    expect(filter.type).toBe(type);
    const event = makeEvent(doc);
    const kept = filter.apply(event);
    expect(kept).toBe(expected !== null);
    if (expected) expect(event.doc).toMatchObject(expected);
  });
});
