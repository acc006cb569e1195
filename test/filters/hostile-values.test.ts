import { describe, expect, it } from 'vitest';
import type { Filter } from '../../src/core/components.js';
import { FilterApplyError } from '../../src/filters/filter-apply-error.js';
import { createFilter, filterConfigSchema } from '../../src/filters/index.js';
import { componentContext } from '../helpers/component-context.js';
import { makeEvent } from './make-event.js';

function deepObject(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

function deepArray(depth: number): unknown {
  let value: unknown = ['bottom'];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Values a field can hold in a hostile record, each where a filter may expect a short string. */
const hostileValues: Array<[string, () => unknown]> = [
  ['an object nested 10,000 levels', () => deepObject(10_000)],
  ['an array nested 10,000 levels', () => deepArray(10_000)],
  ['a 4 MB string', () => `${'9'.repeat(4_000_000)}`],
  ['a number', () => 1e308],
  ['a boolean', () => true],
  ['an empty array', () => []],
  ['an array of mixed values', () => [1, 'a', null, { b: [2] }]],
  ['an object with a JSON __proto__ key', () => JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":1}')],
];

/** Every filter, configured to read the hostile field `v` (and WAF-shaped places). */
const configs: Array<Record<string, unknown>> = [
  { type: 'date', field: 'v', formats: ['iso8601', 'epoch_seconds', 'epoch_millis', 'clf'] },
  { type: 'date', date_field: 'v', time_field: 'v' },
  { type: 'waf_headers', source: 'v' },
  { type: 'waf_headers' },
  { type: 'redact', fields: ['v.a'], mode: 'hash' },
  { type: 'redact', pattern_fields: ['v', 'httpRequest'], patterns: ['\\d{3}'] },
  { type: 'mutate', rename: { v: 'r.s' }, copy: { 'r.s': 'c' }, remove: ['c'] },
  { type: 'mutate', convert: { v: 'integer' } },
  { type: 'mutate', convert: { v: 'string' } },
  { type: 'mutate', convert: { v: 'boolean' } },
  { type: 'mutate', lowercase: ['v'], uppercase: ['httpRequest'] },
  { type: 'mutate', add: { whole: '%{v}', 'v.inner': 'x' } },
  {
    type: 'drop',
    when: { any: [{ matches: { field: 'v', pattern: '^x' } }, { in: { field: 'v', values: [1, 'a'] } }] },
  },
];

async function build(config: Record<string, unknown>): Promise<Filter> {
  const ctx = componentContext({ pipeline: 'hostile' });
  return createFilter(filterConfigSchema.parse(config), ctx);
}

describe('filters on hostile values', () => {
  const cases = configs.flatMap((config) =>
    hostileValues.map(
      ([name, make]) => [`${config.type} ${JSON.stringify(config).slice(0, 60)}`, name, config, make] as const,
    ),
  );
  it.each(cases)('%s does not throw when the field holds %s', async (_label, _name, config, make) => {
    const filter = await build(config);
    // The value in the field itself, and in (and as) the WAF places filters look at by default.
    for (const doc of [
      { v: make(), httpRequest: { headers: make(), header_map: make(), uri: make(), args: make() } },
      { v: { a: make() }, httpRequest: make(), tags: make() },
    ]) {
      const event = makeEvent(doc);
      expect(() => filter.apply(event)).not.toThrow();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('throws a typed error naming the field when a template must render a value too deep to write', async () => {
    const filter = await build({ type: 'mutate', add: { msg: 'value: %{[v][a]}' } });
    const event = makeEvent({ v: { a: deepObject(10_000) } });
    let thrown: unknown;
    try {
      filter.apply(event);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FilterApplyError);
    expect((thrown as FilterApplyError).code).toBe('ERR_FILTER_APPLY');
    expect((thrown as FilterApplyError).context.field).toBe('[v][a]');
  });

  it('tags instead of throwing when a value too deep for text is converted to a string', async () => {
    const filter = await build({ type: 'mutate', convert: { v: 'string' } });
    const event = makeEvent({ v: deepObject(10_000) });
    filter.apply(event);
    expect(event.doc.tags).toEqual(['_mutate_error']);
  });
});
