import { describe, expect, it } from 'vitest';
import { TupleCache } from '../../src/core/tuple-cache.js';

describe('TupleCache', () => {
  it('finds a value by the same sequence of values, and nothing by another', () => {
    const cache = new TupleCache<string>(3, 10);
    cache.set(['a', undefined, 1], 'one');
    expect(cache.get(['a', undefined, 1])).toBe('one');
    expect(cache.get(['a', undefined, 2])).toBeUndefined();
    expect(cache.get(['a', 'b', 1])).toBeUndefined();
  });

  it('keeps a string and a number apart', () => {
    const cache = new TupleCache<string>(1, 10);
    cache.set([7], 'number');
    cache.set(['7'], 'string');
    expect(cache.get([7])).toBe('number');
    expect(cache.get(['7'])).toBe('string');
    expect(cache.size).toBe(2);
  });

  it('starts again empty when full, so it never holds more than its bound', () => {
    const cache = new TupleCache<number>(2, 3);
    for (let i = 0; i < 3; i++) cache.set(['k', i], i);
    cache.set(['k', 0], 0);
    expect(cache.size).toBe(3);
    cache.set(['k', 3], 3);
    expect(cache.size).toBe(1);
    expect(cache.get(['k', 0])).toBeUndefined();
    expect(cache.get(['k', 3])).toBe(3);
  });

  it('refuses a key of the wrong length, saying the length it needs', () => {
    const cache = new TupleCache<number>(2, 3);
    expect(() => cache.get(['a'])).toThrow('TupleCache key must have 2 values, but 1 were given');
    expect(() => new TupleCache<number>(0, 3)).toThrow(/at least 1, but 0 was given/);
  });
});
