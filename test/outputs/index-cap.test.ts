import { describe, expect, it } from 'vitest';
import { IndexCap } from '../../src/outputs/opensearch/index-cap.js';

describe('IndexCap', () => {
  it.each([
    {
      case: 'names fit under the cap',
      max: 3,
      overflow: undefined,
      names: ['a', 'b', 'a', 'c'],
      want: ['a', 'b', 'a', 'c'],
    },
    {
      case: 'a new name comes past the cap and there is no overflow index',
      max: 2,
      overflow: undefined,
      names: ['a', 'b', 'c', 'a', 'd', 'b'],
      want: ['a', 'b', undefined, 'a', undefined, 'b'],
    },
    {
      case: 'a new name comes past the cap and there is an overflow index',
      max: 1,
      overflow: 'spill',
      names: ['a', 'b', 'a', 'c'],
      want: ['a', 'spill', 'a', 'spill'],
    },
  ])('resolves each name when $case', ({ max, overflow, names, want }) => {
    const cap = new IndexCap(max, overflow);
    expect(names.map((name) => cap.resolve(name))).toEqual(want);
    expect(cap.size).toBeLessThanOrEqual(max);
  });

  it('holds no more than max names when a field takes a million values', () => {
    const cap = new IndexCap(1000);
    let refused = 0;
    for (let i = 0; i < 1_000_000; i++) if (cap.resolve(`tenant-${i}`) === undefined) refused++;
    expect(cap.size).toBe(1000);
    expect(refused).toBe(999_000);
  });
});
