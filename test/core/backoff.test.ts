import { describe, expect, it } from 'vitest';
import { fullJitterMs } from '../../src/core/backoff.js';

describe('fullJitterMs', () => {
  it('waits up to base * 2^(attempt-1), scaled by the random draw', () => {
    expect(fullJitterMs(1, 500, 20_000, () => 0.999)).toBe(499);
    expect(fullJitterMs(3, 500, 20_000, () => 0.5)).toBe(1000);
    expect(fullJitterMs(3, 500, 20_000, () => 0)).toBe(0);
  });

  it('never waits the cap or more, however many attempts', () => {
    expect(fullJitterMs(10, 500, 8000, () => 0.999)).toBe(7992);
    expect(fullJitterMs(10_000, 500, 8000, () => 0.999)).toBe(7992);
  });
});
