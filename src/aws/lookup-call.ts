import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  LookupEventsCommand,
  type LookupEventsCommandInput,
  type LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { fullJitterMs } from '../core/backoff.js';
import { awsErrorInfo } from './errors.js';

/** How a throttled `LookupEvents` call is retried: full-jitter exponential backoff, a bounded number of times. */
export interface LookupRetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Each ThrottlingException received; `delayMs` 0 on the last one, which is not retried. */
  readonly onThrottle?: (info: { readonly attempt: number; readonly delayMs: number }) => void;
}

/** Why a call gave up: another error (not retried), or throttling that outlasted the attempts. */
export interface LookupFailure {
  readonly kind: 'failed' | 'throttled';
  readonly error: unknown;
  readonly attempts: number;
}

export interface LookupCallStats {
  calls: number;
  throttles: number;
}

export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * One `LookupEvents` page. Every attempt first takes a token (CloudTrail allows 2 calls per second per
 * account and region), so a retry never bursts; `fail` turns a final failure into the caller's own error.
 */
export async function sendLookupEvents(
  client: CloudTrailClient,
  input: LookupEventsCommandInput,
  takeToken: () => Promise<unknown>,
  policy: LookupRetryPolicy,
  stats: LookupCallStats,
  fail: (failure: LookupFailure) => Error,
): Promise<LookupEventsCommandOutput> {
  const maxAttempts = Math.max(1, policy.maxAttempts);
  for (let attempt = 1; ; attempt++) {
    await takeToken();
    stats.calls += 1;
    try {
      return await client.send(new LookupEventsCommand(input));
    } catch (error) {
      if (!awsErrorInfo(error).throttled) throw fail({ kind: 'failed', error, attempts: attempt });
      stats.throttles += 1;
      if (attempt >= maxAttempts) {
        policy.onThrottle?.({ attempt, delayMs: 0 });
        throw fail({ kind: 'throttled', error, attempts: attempt });
      }
      const delayMs = fullJitterMs(attempt, policy.baseDelayMs, policy.maxDelayMs, policy.random);
      policy.onThrottle?.({ attempt, delayMs });
      await policy.sleep(delayMs);
    }
  }
}
