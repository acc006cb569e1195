import { describe, expect, it } from 'vitest';
import { boundedJsonText, MAX_JSON_TEXT_DEPTH, nestsDeeperThan } from '../../src/core/json-text.js';

function nested(depth: number, array = false): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
  return value;
}

describe('nestsDeeperThan', () => {
  it.each([
    ['a string', 'x', 0, false],
    ['an empty object at limit 1', {}, 1, false],
    ['an empty object at limit 0', {}, 0, true],
    ['3 objects at limit 3', nested(3), 3, false],
    ['4 objects at limit 3', nested(4), 3, true],
    ['4 arrays at limit 3', nested(4, true), 3, true],
    ['a wide flat object', Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])), 1, false],
  ])('says %s is deeper: %s', (_name, value, limit, expected) => {
    expect(nestsDeeperThan(value, limit as number)).toBe(expected);
  });

  it('measures a cycle without looping when an object holds itself', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(nestsDeeperThan(cycle, 5)).toBe(false);
  });
});

describe('boundedJsonText', () => {
  it('writes values up to the limit and refuses deeper ones on every runtime when nesting is hostile', () => {
    expect(boundedJsonText(nested(MAX_JSON_TEXT_DEPTH))).toMatch(/^\{"a":/);
    expect(boundedJsonText(nested(MAX_JSON_TEXT_DEPTH + 1))).toBeUndefined();
    expect(boundedJsonText(nested(100_000, true))).toBeUndefined();
  });

  it('refuses what JSON cannot hold when a value is a BigInt or a cycle', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(boundedJsonText({ n: 1n })).toBeUndefined();
    expect(boundedJsonText(cycle)).toBeUndefined();
    expect(boundedJsonText({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
  });
});
