/** What the handlers share about delivering findings: the retry policy, the log, the failure. */
import type { Context } from 'aws-lambda';
import type { DeliveryFailure, DeliveryLogEntry } from '../sinks/deliver.js';
import { DEFAULT_TIMEOUT_MS } from '../sinks/http.js';
import type { RetryPolicy } from '../sinks/retry.js';
import type { Log } from './telemetry.js';

/**
 * Retries within one invocation: 3 attempts, a `Retry-After` of up to 10 s honoured. What still fails
 * is retried by the queue (or by EventBridge's async invocation retries), not by holding the function.
 */
export const LAMBDA_RETRY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 5000,
  maxRetryAfterMs: 10_000,
};

/**
 * The time (ms since the epoch) after which a handler starts no delivery and waits for no retry: the end
 * of the invocation less one HTTP attempt's timeout and a margin. An attempt cut short by the function's
 * timeout may have been delivered without its key being marked, and would be sent again.
 */
export function deliveryDeadline(
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
): number | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined || !Number.isFinite(remaining)) return undefined;
  return Date.now() + remaining - DEFAULT_TIMEOUT_MS - 5_000;
}

/** `policy` (or `LAMBDA_RETRY`) with the invocation's delivery deadline, when there is one. */
export function retryUntil(policy: RetryPolicy | undefined, deadlineMs: number | undefined): RetryPolicy {
  const base = policy ?? LAMBDA_RETRY;
  return deadlineMs === undefined ? base : { ...base, deadlineMs };
}

/** Some deliveries of a record failed; the record is retried, and what was delivered is not sent again. */
export class DeliveryFailedError extends Error {
  public readonly context: {
    readonly failures: readonly {
      readonly sink: string;
      readonly key: string;
      readonly error: string;
      readonly retryable: boolean;
    }[];
    readonly retryable: boolean;
  };

  public constructor(failures: readonly DeliveryFailure[]) {
    const sinks = [...new Set(failures.map((f) => f.sink))].join(', ');
    super(`${failures.length} deliver${failures.length === 1 ? 'y' : 'ies'} failed (${sinks})`);
    this.name = 'DeliveryFailedError';
    this.context = {
      failures: failures.map((f) => ({
        sink: f.sink,
        key: f.key,
        error: f.error.message,
        retryable: f.error.retryable,
      })),
      // Retry soon when any of them may pass; a permanent failure is retried by the queue all the same,
      // so that the message ends in the dead-letter queue rather than being dropped.
      retryable: failures.some((f) => f.error.retryable),
    };
  }

  public get retryable(): boolean {
    return this.context.retryable;
  }
}

/** `deliverAll`'s log entries into the function's log (they never hold a URL). */
export function deliveryLog(log: Log, extra: Record<string, unknown>): (entry: DeliveryLogEntry) => void {
  return (entry) => {
    const { event, ...fields } = entry;
    const message = `delivery ${event}`;
    if (event === 'failed' || event === 'store-error') log.error(message, { ...extra, ...fields });
    else if (event === 'retry') log.warn(message, { ...extra, ...fields });
    else log.info(message, { ...extra, ...fields });
  };
}
