import { describe, expect, it } from 'vitest';
import { formatValue, valueDifferences } from '../../src/pipeline-test/value-diff.js';

describe('valueDifferences', () => {
  it.each([
    ['equal strings', 'a', 'a', []],
    ['equal numbers, 0 and -0', 0, -0, []],
    ['a number and its decimal string', 200, '200', [{ path: '', expected: 200, actual: '200' }]],
    ['null and a missing field', null, undefined, [{ path: '', expected: null, actual: undefined }]],
    ['equal maps in another key order', { a: 1, b: { c: 2 } }, { b: { c: 2 }, a: 1 }, []],
    ['one nested leaf', { a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } }, [{ path: 'a.c', expected: 2, actual: 3 }]],
    ['a key only the actual map has', { a: 1 }, { a: 1, z: true }, [{ path: 'z', expected: undefined, actual: true }]],
    ['a list one item longer', [1, 2], [1, 2, 3], [{ path: '[2]', expected: undefined, actual: 3 }]],
    [
      'a list item inside a map',
      { h: [{ n: 'x' }] },
      { h: [{ n: 'y' }] },
      [{ path: 'h[0].n', expected: 'x', actual: 'y' }],
    ],
    ['a map where a list is', { a: [] }, { a: {} }, [{ path: 'a', expected: [], actual: {} }]],
  ])('reports %s', (_what, expected, actual, differences) => {
    expect(valueDifferences(expected, actual)).toEqual(differences);
  });
});

describe('formatValue', () => {
  it.each([
    ['a missing field', undefined, '(missing)'],
    ['null', null, 'null'],
    ['a string', '200', '"200"'],
    ['a map', { a: [1] }, '{"a":[1]}'],
    ['a BigInt', 10n, '"10n"'],
  ])('shows %s as JSON when it formats one', (_what, value, shown) => {
    expect(formatValue(value)).toBe(shown);
  });

  it('cuts a long value to the limit when it is longer', () => {
    expect(formatValue('x'.repeat(500), 20)).toHaveLength(20);
  });
});
