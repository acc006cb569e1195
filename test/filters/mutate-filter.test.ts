import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { createMutateFilter, mutateFilterSchema } from '../../src/filters/mutate-filter.js';
import { makeEvent } from './make-event.js';

function run(config: Record<string, unknown>, doc: Doc): Doc {
  const filter = createMutateFilter(mutateFilterSchema.parse({ type: 'mutate', ...config }));
  const event = makeEvent(doc);
  expect(filter.apply(event)).toBe(true);
  return event.doc;
}

describe('mutate filter', () => {
  const cases: Array<[string, Record<string, unknown>, Doc, Doc]> = [
    [
      'renames a field',
      { rename: { client_ip: 'source.ip' } },
      { client_ip: '1.2.3.4' },
      { source: { ip: '1.2.3.4' } },
    ],
    ['leaves a missing rename source alone', { rename: { nope: 'x' } }, { a: 1 }, { a: 1 }],
    ['renames a null field', { rename: { a: 'b' } }, { a: null }, { b: null }],
    [
      'copies a nested object without sharing it',
      { copy: { '[httpRequest][headers]': 'h' } },
      { httpRequest: { headers: [{ name: 'Host', value: 'x' }] } },
      { httpRequest: { headers: [{ name: 'Host', value: 'x' }] }, h: [{ name: 'Host', value: 'x' }] },
    ],
    ['removes fields', { remove: ['a', 'b.c', 'missing'] }, { a: 1, b: { c: 2, d: 3 } }, { b: { d: 3 } }],
    [
      'lowercases strings and arrays of strings',
      { lowercase: ['m', 'tags', 'n'] },
      { m: 'GET', tags: ['A', 1], n: 5 },
      { m: 'get', tags: ['a', 1], n: 5 },
    ],
    ['uppercases a nested string', { uppercase: ['r.method'] }, { r: { method: 'get' } }, { r: { method: 'GET' } }],
    [
      'converts to integer, truncating like Logstash',
      { convert: { a: 'integer', b: 'integer', c: 'integer' } },
      { a: '42', b: '12.7', c: 3.9 },
      { a: 42, b: 12, c: 3 },
    ],
    [
      'converts to float',
      { convert: { a: 'float', b: 'float', c: 'float' } },
      { a: '0.25', b: ' 1e3 ', c: true },
      { a: 0.25, b: 1000, c: 1 },
    ],
    [
      'converts to boolean',
      { convert: { a: 'boolean', b: 'boolean', c: 'boolean', d: 'boolean' } },
      { a: 'TRUE', b: 'no', c: 1, d: 0 },
      { a: true, b: false, c: true, d: false },
    ],
    [
      'converts to string',
      { convert: { a: 'string', b: 'string', c: 'string' } },
      { a: 404, b: false, c: { x: 1 } },
      { a: '404', b: 'false', c: '{"x":1}' },
    ],
    [
      'converts arrays element by element',
      { convert: { ports: 'integer' } },
      { ports: ['80', '443'] },
      { ports: [80, 443] },
    ],
    [
      'keeps null and missing fields when converting',
      { convert: { a: 'integer', b: 'integer' } },
      { a: null },
      { a: null },
    ],
    [
      'tags and keeps the value when a conversion fails',
      { convert: { a: 'integer', b: 'boolean', c: 'float' } },
      { a: 'abc', b: 'maybe', c: '' },
      { a: 'abc', b: 'maybe', c: '', tags: ['_mutate_error'] },
    ],
    [
      'tags an array with one bad element and keeps it whole',
      { convert: { a: 'integer' }, tag_on_failure: 'bad' },
      { a: ['1', 'x'] },
      { a: ['1', 'x'], tags: ['bad'] },
    ],
    [
      'adds literal values of any JSON type',
      { add: { 'event.kind': 'event', n: 3, b: true, o: { k: ['v'] }, z: null } },
      {},
      { event: { kind: 'event' }, n: 3, b: true, o: { k: ['v'] }, z: null },
    ],
    [
      'adds values with field references',
      { add: { summary: '%{[request_method]} %{request_url} -> %{[r][code]}' } },
      { request_method: 'GET', request_url: '/a', r: { code: 200 } },
      { request_method: 'GET', request_url: '/a', r: { code: 200 }, summary: 'GET /a -> 200' },
    ],
    [
      'keeps the type of a lone reference',
      { add: { code: '%{[r][code]}' } },
      { r: { code: 200 } },
      { r: { code: 200 }, code: 200 },
    ],
    [
      'leaves a reference to a missing field as written',
      { add: { s: 'x-%{[nope]}', t: '%{nope}' } },
      {},
      { s: 'x-%{[nope]}', t: '%{nope}' },
    ],
    [
      'runs rename before add and add before remove',
      { add: { b: '%{[renamed]}' }, rename: { a: 'renamed' }, remove: ['renamed'] },
      { a: 'v' },
      { b: 'v' },
    ],
    ['does nothing when the when condition fails', { add: { x: 1 }, when: { exists: 'y' } }, { a: 1 }, { a: 1 }],
  ];
  it.each(cases)('%s', (_name, config, input, expected) => {
    expect(run(config, input)).toEqual(expected);
  });

  it('adds a fresh copy of an object value to every event', () => {
    const filter = createMutateFilter(mutateFilterSchema.parse({ type: 'mutate', add: { o: { list: [] } } }));
    const first = makeEvent({});
    const second = makeEvent({});
    filter.apply(first);
    filter.apply(second);
    (first.doc.o as { list: number[] }).list.push(1);
    expect(second.doc.o).toEqual({ list: [] });
  });

  it('rejects a reference without a field path when validating', () => {
    const result = mutateFilterSchema.safeParse({ type: 'mutate', add: { a: 'x %{ } y' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('a %{...} reference needs a field path');
  });

  it('rejects an unknown conversion type when validating', () => {
    expect(mutateFilterSchema.safeParse({ type: 'mutate', convert: { a: 'long' } }).success).toBe(false);
  });
});
