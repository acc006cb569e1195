import { afterEach, describe, expect, it } from 'vitest';
import { type FieldPath, getField, parseFieldPath, removeField, setField } from '../../src/core/field-path.js';

/** Object.prototype must come out of every test exactly as it went in. */
function prototypeKeys(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}
const pristine = prototypeKeys();

afterEach(() => {
  const polluted = prototypeKeys().filter((key) => !pristine.includes(key));
  for (const key of polluted) delete (Object.prototype as Record<string, unknown>)[key];
  expect(polluted).toEqual([]);
});

describe('parseFieldPath', () => {
  const valid: Array<[string, string[]]> = [
    ['httpRequest.clientIp', ['httpRequest', 'clientIp']],
    ['[httpRequest][clientIp]', ['httpRequest', 'clientIp']],
    [' client_ip ', ['client_ip']],
    ['proto', ['proto']],
    ['[my_constructor_id]', ['my_constructor_id']],
  ];
  it.each(valid)('parses %s into its segments', (path, segments) => {
    expect(parseFieldPath(path)).toEqual(segments);
  });

  const forbidden = [
    '__proto__.polluted',
    '[__proto__][polluted]',
    'a.constructor.prototype.x',
    '[a][prototype]',
    'constructor',
    'x.__proto__',
  ];
  it.each(forbidden)('rejects %s when a segment can reach the prototype chain', (path) => {
    expect(() => parseFieldPath(path)).toThrow(/may not be __proto__, prototype or constructor/);
  });
});

describe('field access on hostile documents', () => {
  // A path that skipped validation, built by hand: the runtime must still refuse the prototype chain.
  const forced: FieldPath = ['__proto__', 'polluted'];

  it('never writes Object.prototype when setField is given a __proto__ path', () => {
    const doc: Record<string, unknown> = {};
    setField(doc, forced, 'yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.hasOwn(doc, '__proto__')).toBe(true);
    expect(JSON.stringify(doc)).toBe('{"__proto__":{"polluted":"yes"}}');
  });

  it('never replaces a prototype when setField writes a __proto__ leaf', () => {
    const doc: Record<string, unknown> = { a: {} };
    setField(doc, ['a', '__proto__'], { polluted: 'yes' });
    const a = doc.a as Record<string, unknown>;
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(a.polluted).toBeUndefined();
    expect(JSON.stringify(doc)).toBe('{"a":{"__proto__":{"polluted":"yes"}}}');
  });

  it('writes inside a __proto__ key that came from JSON data, not into the prototype', () => {
    const doc = JSON.parse('{"__proto__":{"x":1},"constructor":{"prototype":{}}}') as Record<string, unknown>;
    setField(doc, forced, 'yes');
    setField(doc, ['constructor', 'prototype', 'polluted'], 'yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(doc))).toEqual(
      JSON.parse('{"__proto__":{"x":1,"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'),
    );
  });

  it('reads own keys only when getField walks a path', () => {
    const doc = JSON.parse('{"__proto__":{"x":1},"a":{}}') as Record<string, unknown>;
    expect(getField(doc, ['__proto__', 'x'])).toBe(1);
    expect(getField({}, ['__proto__'])).toBeUndefined();
    expect(getField({ a: {} }, ['a', 'constructor'])).toBeUndefined();
    expect(getField({ a: {} }, ['a', 'toString'])).toBeUndefined();
    expect(getField({ a: 'text' }, ['a', 'length'])).toBeUndefined();
    expect(getField({ a: [5, 6] }, ['a', '1'])).toBe(6);
    expect(getField({ a: [5, 6] }, ['a', 'map'])).toBeUndefined();
  });

  it('removes own keys only when removeField walks a path', () => {
    const doc = JSON.parse('{"__proto__":{"x":1},"a":{}}') as Record<string, unknown>;
    expect(removeField(doc, ['__proto__', 'x'])).toBe(true);
    expect(removeField({ a: {} }, ['a', 'toString'])).toBe(false);
    expect(removeField({}, ['__proto__', 'hasOwnProperty'])).toBe(false);
    expect(typeof Object.prototype.hasOwnProperty).toBe('function');
    expect(JSON.stringify(doc)).toBe('{"__proto__":{},"a":{}}');
  });
});
