import { describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from '../../src/sinks/idempotency.js';
import { storeContract } from './store-contract.js';

describe('MemoryIdempotencyStore', () => {
  storeContract(() => new MemoryIdempotencyStore());

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
