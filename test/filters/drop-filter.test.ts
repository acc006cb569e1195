import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { createDropFilter, dropFilterSchema } from '../../src/filters/drop-filter.js';
import { makeEvent } from './make-event.js';

describe('drop filter', () => {
  const cases: Array<[string, Record<string, unknown>, Doc, boolean]> = [
    ['drops every event when there is no condition', {}, { a: 1 }, false],
    [
      'drops an event when the condition holds',
      { when: { matches: { field: 'request_url', pattern: '/health$' } } },
      { request_url: 'http://x/health' },
      false,
    ],
    [
      'keeps an event when the condition fails',
      { when: { matches: { field: 'request_url', pattern: '/health$' } } },
      { request_url: 'http://x/login' },
      true,
    ],
    [
      'keeps an event when the field is missing',
      { when: { equals: { field: 'user_agent', value: 'ELB-HealthChecker/2.0' } } },
      {},
      true,
    ],
  ];
  it.each(cases)('%s', (_name, config, doc, kept) => {
    const filter = createDropFilter(dropFilterSchema.parse({ type: 'drop', ...config }));
    const before = structuredClone(doc);
    expect(filter.apply(makeEvent(doc))).toBe(kept);
    expect(doc).toEqual(before);
  });

  it('rejects an unknown key when validating', () => {
    expect(dropFilterSchema.safeParse({ type: 'drop', percentage: 10 }).success).toBe(false);
  });
});
