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

  it('finds entries by their lead value and tells apart keys that share it', () => {
    const cache = new TupleCache<string>(3, 100, 1);
    cache.set(['x', 'arn:a', 1], 'first');
    cache.set(['y', 'arn:a', 1], 'second');
    expect(cache.get(['x', 'arn:a', 1])).toBe('first');
    expect(cache.get(['y', 'arn:a', 1])).toBe('second');
    expect(cache.get(['x', 'arn:b', 1])).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('keeps at most 64 keys per lead value, dropping the least recently used', () => {
    const cache = new TupleCache<number>(2, 1000);
    for (let i = 0; i < 64; i++) cache.set(['lead', i], i);
    expect(cache.get(['lead', 0])).toBe(0);
    cache.set(['lead', 64], 64);
    expect(cache.size).toBe(64);
    expect(cache.get(['lead', 1])).toBeUndefined();
    expect(cache.get(['lead', 0])).toBe(0);
    expect(cache.get(['lead', 64])).toBe(64);
  });

  it('compares as Map keys do: NaN is NaN', () => {
    const cache = new TupleCache<string>(2, 10);
    cache.set(['a', Number.NaN], 'nan');
    expect(cache.get(['a', Number.NaN])).toBe('nan');
  });

  it('refuses a lead that is not a position of the key', () => {
    expect(() => new TupleCache<number>(2, 3, 2)).toThrow(
      /lead must be a position of the key \(0 to 1\), but 2/,
    );
  });
});
