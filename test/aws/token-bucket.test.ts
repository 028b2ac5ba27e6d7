import { describe, expect, it } from 'vitest';
import { quotaKey, RateLimitWaitError, TokenBucket, TokenBuckets } from '../../src/aws/token-bucket.js';

/** A clock that only moves when a caller sleeps: waits are exact and nothing depends on the wall clock. */
function virtualTime(start = 1_000_000) {
  let now = start;
  const waits: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    waits,
  };
}

describe('TokenBucket', () => {
  it('lets a burst of 2 through, then one call every 500 ms at 2 per second', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 2, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(time.waits).toEqual([500, 500, 500]);
  });

  it('refills while idle, never above the burst', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 2, now: time.now, sleep: time.sleep });
    await bucket.take();
    await bucket.take();
    time.advance(10_000);
    expect(bucket.available).toBe(2);
    await bucket.take();
    await bucket.take();
    await bucket.take();
    expect(time.waits).toEqual([500]);
  });

  it('serves concurrent callers in order, each 500 ms after the previous one', async () => {
    let now = 0;
    const waits: number[] = [];
    // Concurrent callers: sleeping does not move the clock until all have reserved their token.
    const bucket = new TokenBucket({
      ratePerSecond: 2,
      burst: 2,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await Promise.all(Array.from({ length: 6 }, () => bucket.take()));
    expect(waits).toEqual([500, 1000, 1500, 2000]);
    now = 2000;
    expect(bucket.available).toBeCloseTo(0);
  });

  it('refuses a wait longer than maxWaitMs without reserving a token', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 1, now: time.now, sleep: time.sleep }, 'k');
    await bucket.take();
    const error = await bucket.take(100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitWaitError);
    expect((error as RateLimitWaitError).context).toEqual({ key: 'k', waitMs: 500, maxWaitMs: 100 });
    expect(bucket.available).toBe(0);
    await bucket.take(500);
    expect(time.waits).toEqual([500]);
  });

  it('rejects a rate or burst that cannot work', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 2, burst: 0.5 })).toThrow(RangeError);
  });
});

describe('TokenBuckets', () => {
  it('keeps one bucket per account and region', async () => {
    const time = virtualTime();
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 2, now: time.now, sleep: time.sleep });
    const a = quotaKey('111122223333', 'eu-west-1');
    const b = quotaKey('111122223333', 'us-east-1');
    expect(a).toBe('111122223333|eu-west-1');
    await buckets.take(a);
    await buckets.take(a);
    await buckets.take(b);
    await buckets.take(b);
    expect(time.waits).toEqual([]);
    await buckets.take(a);
    expect(time.waits).toEqual([500]);
    expect(buckets.bucket(a)).toBe(buckets.bucket(a));
  });
});
