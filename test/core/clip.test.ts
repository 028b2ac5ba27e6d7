import { describe, expect, it } from 'vitest';
import { clip, joinFirst } from '../../src/core/clip.js';

describe('clip', () => {
  it('cuts a longer text with … as its last character', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
  });
});

describe('joinFirst', () => {
  it('names the first items and counts the rest', () => {
    expect(joinFirst(['a', 'b', 'c'], { shown: 4 })).toBe('a, b, c');
    expect(joinFirst(['a', 'b', 'c', 'd', 'e'], { shown: 2 })).toBe('a, b and 3 more');
    expect(joinFirst(['a', 'b', 'c'], { shown: 2, separator: '; ' })).toBe('a; b and 1 more');
  });

  it('counts as one more item with a noun, and from a total when only the first were made into text', () => {
    expect(joinFirst(['a', 'b'], { shown: 2, separator: '; ', noun: 'rules', total: 5 })).toBe(
      'a; b; and 3 more rules',
    );
    expect(joinFirst(['a', 'b'], { shown: 2, total: 2 })).toBe('a, b');
  });
});
