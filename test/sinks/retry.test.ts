import { describe, expect, it } from 'vitest';
import { type DeliveryError, HttpStatusError } from '../../src/sinks/errors.js';
import { retryDelayMs, withRetry } from '../../src/sinks/retry.js';

function failing(retryable: boolean, retryAfterMs?: number): HttpStatusError {
  return new HttpStatusError('HTTP 500 from https://example.com/…', {
    sink: 'test',
    attempts: 1,
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function recorder(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms) => void sleeps.push(ms) };
}

describe('retryDelayMs', () => {
  it('draws full jitter under an exponential ceiling capped at maxDelayMs', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, failing(true), policy))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect(retryDelayMs(3, failing(true), { ...policy, random: () => 0 })).toBe(0);
    expect(retryDelayMs(60, failing(true), { ...policy, random: () => 0.999 })).toBe(999);
  });

  it('waits at least the Retry-After, and gives up when it is longer than allowed', () => {
    const policy = { baseDelayMs: 100, random: () => 0.5, maxRetryAfterMs: 5000 };
    expect(retryDelayMs(1, failing(true, 1000), policy)).toBe(1000);
    expect(retryDelayMs(1, failing(true, 5000), policy)).toBe(5000);
    expect(retryDelayMs(1, failing(true, 5001), policy)).toBeUndefined();
  });
});

describe('withRetry', () => {
  it('gives the last error up, still retryable, rather than wait past the deadline', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw failing(true);
      },
      { sleep, random: () => 0.5, baseDelayMs: 100, now: () => 1_000, deadlineMs: 1_080 },
    ).catch((e: unknown) => e as DeliveryError);
    // The first wait (50 ms) ends before the deadline, the second (100 ms) would not.
    expect(sleeps).toEqual([50]);
    expect(calls).toBe(2);
    expect(error.retryable).toBe(true);
    expect(error.context.attempts).toBe(2);
  });

  it('retries retryable failures and returns the first success', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const result = await withRetry(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw failing(true);
        return 'ok';
      },
      { sleep, random: () => 0.5, baseDelayMs: 100 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('stops at once on a failure that is not retryable', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw failing(false);
      },
      { sleep },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as DeliveryError).context.attempts).toBe(1);
  });

  it('gives up after maxAttempts with the attempt count in the error', async () => {
    const { sleeps, sleep } = recorder();
    const error = await withRetry(
      async () => {
        throw failing(true);
      },
      { sleep, maxAttempts: 4, random: () => 0 },
    ).catch((e: unknown) => e);
    expect(sleeps).toHaveLength(3);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as DeliveryError).context).toMatchObject({ attempts: 4, retryable: true });
    expect((error as Error).message).toBe('test: HTTP 500 from https://example.com/… (after 4 attempts)');
  });

  it('rethrows what is not a DeliveryError without retrying', async () => {
    const { sleeps, sleep } = recorder();
    const bug = new TypeError('bug');
    await expect(
      withRetry(
        async () => {
          throw bug;
        },
        { sleep },
      ),
    ).rejects.toBe(bug);
    expect(sleeps).toEqual([]);
  });

  it('does not retry before a Retry-After longer than the cap', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw failing(true, 120_000);
      },
      { sleep },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
    expect((error as DeliveryError).retryable).toBe(true);
  });

  it('reports each retry', async () => {
    const seen: [number, number][] = [];
    await withRetry(
      async (attempt) => {
        if (attempt === 1) throw failing(true, 2000);
      },
      { sleep: async () => undefined, onRetry: (info) => seen.push([info.attempt, info.delayMs]) },
    );
    expect(seen).toEqual([[1, 2000]]);
  });
});
