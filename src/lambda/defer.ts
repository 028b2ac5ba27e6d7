/**
 * "Try again later" for one SQS message, without sleeping in the function: the message's visibility
 * timeout is set to the backoff (`ChangeMessageVisibility`) and the record is reported as a batch item
 * failure, so SQS hands it back after that delay and the rest of the batch is not held up.
 *
 * Why this and not a delay queue or Step Functions: the message stays the same message (its receive
 * count counts the attempts, the DLQ catches what never resolves), nothing else is deployed, and the
 * delay can follow the change's age: a change 14 minutes old waits only until the fallback is due.
 *
 * The receive count grows with every deferral, so the queue's `maxReceiveCount` must leave room: a
 * change waits at most ~6 receives for the index (60 s, 120 s, 240 s, 300 s, then until the 15-minute
 * fallback), then a throttled fallback backs off from 30 s. With maxReceiveCount 30 there are ~20
 * receives left for throttling and delivery failures before the message goes to the dead-letter queue.
 */

/** Changes a message's visibility timeout. Implemented on SQS by `SqsMessageVisibility`. */
export interface MessageVisibility {
  change(queueUrl: string, receiptHandle: string, timeoutSeconds: number): Promise<void>;
}

export interface BackoffPolicy {
  /** The first delay. */
  readonly baseSeconds: number;
  /** The longest delay. */
  readonly maxSeconds: number;
}

/** For a change not yet in the index: 60 s, 120 s, 240 s, then 5 minutes at most. */
export const YOUNG_CHANGE_BACKOFF: BackoffPolicy = { baseSeconds: 60, maxSeconds: 300 };
/** For a fallback that CloudTrail throttled: 30 s, 60 s, ... 5 minutes at most. */
export const THROTTLED_BACKOFF: BackoffPolicy = { baseSeconds: 30, maxSeconds: 300 };

/** SQS allows 0 to 43 200 seconds (12 hours). */
const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/**
 * The delay before the `attempt`-th retry (1-based): `base * 2^(attempt-1)`, capped, and no later than
 * `dueInMs` (+1 s) when given (the time at which waiting stops making sense, e.g. the fallback point).
 * At least 1 second.
 */
export function backoffSeconds(attempt: number, policy: BackoffPolicy, dueInMs?: number): number {
  const n = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  let seconds = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(n - 1, 30));
  if (dueInMs !== undefined && Number.isFinite(dueInMs))
    seconds = Math.min(seconds, Math.ceil(dueInMs / 1000) + 1);
  return Math.max(1, Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.round(seconds)));
}

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` for `arn:aws:sqs:<region>:<account>:<name>`. */
export function queueUrlFromArn(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs') return undefined;
  const [, partition, , region, account, name] = parts;
  if (!region || !account || !name) return undefined;
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

export type DeferReason = 'not-in-index-yet' | 'lookup-throttled';

/** Thrown for a record that was deferred: the batch processor reports it as an item failure. */
export class ChangeDeferredError extends Error {
  public readonly context: {
    readonly reason: DeferReason;
    readonly delaySeconds: number;
    readonly receiveCount: number;
    /** Whether the visibility timeout was changed (false: SQS returns it after the queue's default). */
    readonly visibilityChanged: boolean;
  };

  public constructor(
    message: string,
    context: ChangeDeferredError['context'],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChangeDeferredError';
    this.context = context;
  }
}
