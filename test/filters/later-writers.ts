import type { ComponentContext, Filter } from '../../src/core/components.js';
import { createFilter, filterConfigSchema } from '../../src/filters/index.js';
import { componentContext } from '../helpers/component-context.js';

/**
 * Filters that write into an object an earlier filter put into the event (geoip, user_agent:
 * one shared, frozen object per cached result), each written at `target.<key>` and
 * `target.<nested>.<nestedKey>`, with what the written event's object must look like after.
 */
export interface LaterWriter {
  name: string;
  config: Record<string, unknown>;
  /** The expected object at the target, from the unchanged one. */
  expect: (before: Record<string, unknown>) => Record<string, unknown>;
}

export function laterWriters(target: string, key: string, nested: string, nestedKey: string): LaterWriter[] {
  const inner = (before: Record<string, unknown>) => before[nested] as Record<string, unknown>;
  const without = (record: Record<string, unknown>, name: string) =>
    Object.fromEntries(Object.entries(record).filter(([k]) => k !== name));
  return [
    {
      name: 'mutate add',
      config: { type: 'mutate', add: { [`${target}.${key}`]: 'changed' } },
      expect: (b) => ({ ...b, [key]: 'changed' }),
    },
    {
      name: 'mutate add (nested)',
      config: { type: 'mutate', add: { [`${target}.${nested}.${nestedKey}`]: 'changed' } },
      expect: (b) => ({ ...b, [nested]: { ...inner(b), [nestedKey]: 'changed' } }),
    },
    {
      name: 'mutate uppercase',
      config: { type: 'mutate', uppercase: [`${target}.${key}`] },
      expect: (b) => ({ ...b, [key]: String(b[key]).toUpperCase() }),
    },
    {
      name: 'mutate convert (nested)',
      config: { type: 'mutate', convert: { [`${target}.${nested}.${nestedKey}`]: 'string' } },
      expect: (b) => ({ ...b, [nested]: { ...inner(b), [nestedKey]: String(inner(b)[nestedKey]) } }),
    },
    {
      name: 'mutate rename out of it',
      config: { type: 'mutate', rename: { [`${target}.${key}`]: 'moved' } },
      expect: (b) => without(b, key),
    },
    {
      name: 'mutate remove (nested)',
      config: { type: 'mutate', remove: [`${target}.${nested}.${nestedKey}`] },
      expect: (b) => ({ ...b, [nested]: without(inner(b), nestedKey) }),
    },
    {
      name: 'redact fields',
      config: { type: 'redact', fields: [`${target}.${key}`] },
      expect: (b) => ({ ...b, [key]: '[REDACTED]' }),
    },
    {
      name: 'redact patterns over the whole event',
      config: { type: 'redact', patterns: ['[A-Za-z]{2,}'] },
      expect: (b) => redactStrings(b),
    },
    {
      name: 'redact header_fields naming a key of it',
      config: { type: 'redact', headers: [key], header_fields: [target] },
      expect: (b) => ({ ...b, [key]: '[REDACTED]' }),
    },
  ];
}

/** Every string with two or more letters hidden, as the `[A-Za-z]{2,}` pattern does. */
function redactStrings(value: unknown): Record<string, unknown> {
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return item.replace(/[A-Za-z]{2,}/g, '[REDACTED]');
    if (item === null || typeof item !== 'object') return item;
    return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, walk(v)]));
  };
  return walk(value) as Record<string, unknown>;
}

export async function buildFilter(config: Record<string, unknown>): Promise<Filter> {
  const context: ComponentContext = componentContext({ pipeline: 'later-writers', baseDir: '/' });
  return createFilter(filterConfigSchema.parse(config), context);
}
