import { setTimeout as delay } from 'node:timers/promises';
import { fullJitterMs } from '../core/backoff.js';
import { DeliveryError } from './errors.js';

/**
 * Retries with exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): before retry n the wait is a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))).
 * A `Retry-After` carried by the error is a floor on the wait. Only a `DeliveryError` marked retryable
 * is retried; anything else (a 4xx, a bug) stops at once.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Default 500 ms. */
  readonly baseDelayMs?: number;
  /** Cap of the backoff before jitter. Default 20 s. */
  readonly maxDelayMs?: number;
  /**
   * The longest `Retry-After` waited for. A receiver asking for more is not retried early against its
   * will: the attempt fails at once, still marked retryable, so the message stays queued. Default 30 s.
   */
  readonly maxRetryAfterMs?: number;
  /** Injected for tests. Default: a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). Injected for tests. Default `Math.random`. */
  readonly random?: () => number;
  /** Called before each wait; for logging and metrics. */
  readonly onRetry?: (info: RetryInfo) => void;
  /**
   * No retry waits past this time (ms since the epoch): the last error is given up, still retryable.
   * `deliverAll` also starts no delivery after it. For a Lambda function, its end less the time one
   * attempt can take, so that no message is sent by an attempt the function's timeout cuts short (it
   * would be sent again, its key never marked delivered). @default no deadline
   */
  readonly deadlineMs?: number;
  /** Injected for tests. @default Date.now */
  readonly now?: () => number;
}

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: DeliveryError;
}

export const DEFAULT_RETRY = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 30_000,
} as const;

/** The wait before the retry that follows failed attempt `attempt` (1-based), or undefined to stop. */
export function retryDelayMs(
  attempt: number,
  error: DeliveryError,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs' | 'random'> = {},
): number | undefined {
  const base = policy.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const cap = policy.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const maxRetryAfter = policy.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs;
  const random = policy.random ?? Math.random;
  const jittered = fullJitterMs(attempt, base, cap, random);
  const retryAfter = error.context.retryAfterMs;
  if (retryAfter === undefined) return jittered;
  if (retryAfter > maxRetryAfter) return undefined;
  return Math.max(retryAfter, jittered);
}

/**
 * Runs `fn` until it resolves, fails with an error that is not retryable, or `maxAttempts` attempts have
 * failed. A `DeliveryError` thrown out of here records the number of attempts made.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = {},
): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts ?? DEFAULT_RETRY.maxAttempts));
  const sleep = policy.sleep ?? ((ms: number) => delay(ms).then(() => undefined));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      const failed = error.withAttempts(attempt);
      if (!failed.retryable || attempt >= maxAttempts) throw failed;
      const delayMs = retryDelayMs(attempt, failed, policy);
      if (delayMs === undefined) throw failed;
      if (policy.deadlineMs !== undefined && (policy.now ?? Date.now)() + delayMs > policy.deadlineMs)
        throw failed;
      policy.onRetry?.({ attempt, delayMs, error: failed });
      await sleep(delayMs);
    }
  }
}
