import { describe, expect, it } from 'vitest';
import { closest } from '../../src/core/did-you-mean.js';

describe('closest', () => {
  it.each([
    ['prefx', ['prefix', 'prefixes', 'bucket'], 'prefix'],
    ['Bucket', ['prefix', 'bucket'], 'bucket'],
    ['fitlers', ['filters', 'outputs'], 'filters'],
    ['index_name', ['index', 'hosts'], 'index'],
    ['max_objects', ['max_objects_in_flight', 'max_bytes_in_flight'], 'max_objects_in_flight'],
    ['zzzzzzzz', ['type'], undefined],
    ['url', ['hosts', 'index'], undefined],
    ['anything', [], undefined],
  ])('suggests for %s among %j: %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });
});
