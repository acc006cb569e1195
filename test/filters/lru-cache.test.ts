import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/filters/lru-cache.js';

describe('LruCache', () => {
  it('evicts the least recently used key when full', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.has('b')).toBe(false);
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('counts hits and misses', () => {
    const cache = new LruCache<string, number>(5);
    cache.get('x');
    cache.set('x', 1);
    cache.get('x');
    cache.get('x');
    expect([cache.hits, cache.misses]).toEqual([2, 1]);
  });

  it('replaces a value without growing when the key is set again', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('a', 2);
    expect([cache.get('a'), cache.size]).toEqual([2, 1]);
  });

  it('stores nothing when the size is 0', () => {
    const cache = new LruCache<string, number>(0);
    cache.set('a', 1);
    expect([cache.get('a'), cache.size]).toEqual([undefined, 0]);
  });
});
