import { describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from '../../src/sinks/idempotency.js';

describe('MemoryIdempotencyStore', () => {
  it('claims a key once, then reports it in progress, then done', async () => {
    const store = new MemoryIdempotencyStore();
    expect(await store.claim('k')).toBe('claimed');
    expect(await store.claim('k')).toBe('in-progress');
    await store.complete('k');
    expect(await store.claim('k')).toBe('done');
    expect(await store.claim('other')).toBe('claimed');
  });

  it('lets a released key be claimed again, but never un-does a completed one', async () => {
    const store = new MemoryIdempotencyStore();
    await store.claim('k');
    await store.release('k');
    expect(await store.claim('k')).toBe('claimed');
    await store.complete('k');
    await store.release('k');
    expect(await store.claim('k')).toBe('done');
  });

  it('forgets completed keys after the TTL and stale claims after theirs', async () => {
    let now = 1_000;
    const store = new MemoryIdempotencyStore({ ttlMs: 60_000, inProgressTtlMs: 5_000, now: () => now });
    await store.claim('done');
    await store.complete('done');
    await store.claim('stuck');
    now += 4_999;
    expect(await store.claim('stuck')).toBe('in-progress');
    now += 1;
    expect(await store.claim('stuck')).toBe('claimed');
    expect(await store.claim('done')).toBe('done');
    now += 60_000;
    expect(await store.claim('done')).toBe('claimed');
  });

  it('sweeps expired keys as it goes', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ ttlMs: 10, now: () => now });
    for (let i = 0; i < 1000; i++) {
      await store.claim(`k${i}`);
      await store.complete(`k${i}`);
    }
    now = 100;
    for (let i = 0; i < 100; i++) await store.claim(`fresh${i}`);
    expect(store.size).toBeLessThan(1000);
  });
});
