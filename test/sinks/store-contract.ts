import { expect, it } from 'vitest';
import type { IdempotencyStore } from '../../src/sinks/idempotency.js';

/**
 * What every `IdempotencyStore` must do, as tests: the memory store and the state file of `replay`
 * each run them (`make` gives a fresh, empty store).
 */
export function storeContract(make: () => IdempotencyStore): void {
  it('claims a key once, then reports it in progress, then done', async () => {
    const store = make();
    expect(await store.claim('k')).toBe('claimed');
    expect(await store.claim('k')).toBe('in-progress');
    await store.complete('k');
    expect(await store.claim('k')).toBe('done');
    expect(await store.claim('other')).toBe('claimed');
  });

  it('lets a released key be claimed again, but never un-does a completed one', async () => {
    const store = make();
    await store.claim('k');
    await store.release('k');
    expect(await store.claim('k')).toBe('claimed');
    await store.complete('k');
    await store.release('k');
    expect(await store.claim('k')).toBe('done');
  });
}
