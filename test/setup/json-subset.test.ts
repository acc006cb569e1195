import { describe, expect, it } from 'vitest';
import { holdsAll } from '../../src/setup/json-subset.js';

describe('holdsAll', () => {
  it.each([
    ['equal scalars', 1, 1, true],
    ['different scalars', '1', 1, false],
    ['an object with extra keys', { a: 1 }, { a: 1, b: 2 }, true],
    ['an object missing a key', { a: 1, b: 2 }, { a: 1 }, false],
    [
      'nested extra keys (ISM retry defaults)',
      { actions: [{ delete: {} }] },
      { actions: [{ retry: { count: 3 }, delete: {} }] },
      true,
    ],
    ['an array of another length', [1, 2], [1, 2, 3], false],
    ['an array in another order', [1, 2], [2, 1], false],
    ['null against an object', { a: null }, { a: {} }, false],
    ['an object against an array', { a: {} }, { a: [] }, false],
    ['a key on the prototype chain', { toString: 1 }, {}, false],
    ['an undefined expected value against a missing key', { a: undefined }, {}, false],
  ])('is %s → %s', (_name, expected, actual, result) => {
    expect(holdsAll(expected, actual)).toBe(result);
  });
});
