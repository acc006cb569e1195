import { afterEach, describe, expect, it } from 'vitest';
import {
  type FieldPath,
  getField,
  parseFieldPath,
  removeField,
  setField,
  shareFrozen,
  writableChild,
} from '../../src/core/field-path.js';

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

describe('shared frozen values (shareFrozen, writableChild)', () => {
  const result = () => ({ ip: '192.0.2.1', city_name: 'London', location: { lat: 51.5, lon: -0.1 }, list: ['a'] });
  type Write = (doc: Record<string, unknown>) => void;
  const writes: Array<[string, Write, Record<string, unknown>]> = [
    ['sets a key of the shared object', (doc) => setField(doc, ['geo', 'city_name'], 'x'), { city_name: 'x' }],
    [
      'sets a key two levels down',
      (doc) => setField(doc, ['geo', 'location', 'lat'], 0),
      { location: { lat: 0, lon: -0.1 } },
    ],
    ['adds a key', (doc) => setField(doc, ['geo', 'extra'], 1), { extra: 1 }],
    ['adds a key below a new object', (doc) => setField(doc, ['geo', 'a', 'b'], 1), { a: { b: 1 } }],
    ['replaces a shared list by an object', (doc) => setField(doc, ['geo', 'list', 'x'], 1), { list: { x: 1 } }],
    ['removes a key', (doc) => removeField(doc, ['geo', 'city_name']), { city_name: undefined }],
    [
      'removes a key two levels down',
      (doc) => removeField(doc, ['geo', 'location', 'lon']),
      { location: { lat: 51.5 } },
    ],
  ];
  it.each(writes)('%s in the event that writes, never in the shared object', (_name, write, change) => {
    const shared = shareFrozen(result());
    const writer: Record<string, unknown> = { geo: shared };
    const other: Record<string, unknown> = { geo: shared };
    write(writer);
    expect(shared).toEqual(result());
    expect(other.geo).toBe(shared);
    const expected = { ...result(), ...change };
    for (const [key, value] of Object.entries(change))
      if (value === undefined) delete expected[key as keyof typeof expected];
    expect(writer.geo).toEqual(expected);
    expect(Object.isFrozen(writer.geo)).toBe(false);
  });

  it('copies nothing when nothing is removed', () => {
    const shared = shareFrozen(result());
    const doc: Record<string, unknown> = { geo: shared };
    expect(removeField(doc, ['geo', 'missing'])).toBe(false);
    expect(removeField(doc, ['geo', 'location', 'missing'])).toBe(false);
    expect(doc.geo).toBe(shared);
    expect((doc.geo as { location: unknown }).location).toBe(shared.location);
  });

  it('freezes every level, and a write that skips these functions throws instead of changing other events', () => {
    const shared = shareFrozen(result());
    expect(Object.isFrozen(shared.location)).toBe(true);
    expect(Object.isFrozen(shared.list)).toBe(true);
    expect(() => {
      (shared.location as { lat: number }).lat = 0;
    }).toThrow(TypeError);
    expect(shared.location.lat).toBe(51.5);
  });

  it('writableChild returns writable values as they are and copies a frozen one into its parent', () => {
    const plain = { a: 1 };
    const parent: Record<string, unknown> = { plain, text: 'x', shared: shareFrozen({ b: { c: 1 } }) };
    expect(writableChild(parent, 'plain')).toBe(plain);
    expect(writableChild(parent, 'text')).toBe('x');
    const copy = writableChild(parent, 'shared') as { b: unknown };
    expect(parent.shared).toBe(copy);
    expect(Object.isFrozen(copy)).toBe(false);
    expect(Object.isFrozen(copy.b)).toBe(true); // shallow: deeper levels are copied when a write reaches them
  });
});
