/**
 * `cloudblame who --live`: a resource's events straight from CloudTrail's own 90-day event history, with
 * `LookupEvents` on the `ResourceName` attribute, every page (`NextToken`) up to a bound.
 *
 * `LookupEvents` allows 2 requests per second per account and region. Every call takes a token from a
 * bucket refilled at 2 per second holding one (so calls are at least 500 ms apart); a
 * `ThrottlingException` that still gets through (another tool using the same quota) is retried after an
 * exponential backoff with full jitter, a bounded number of times. The clock, the sleep and the jitter
 * are injected, so tests run in virtual time.
 */
import type {
  CloudTrailClient,
  LookupEventsCommandInput,
  LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import type { InputError } from '../core/errors.js';
import type { TrailEvent } from '../core/model.js';
import { parseTrailRecord } from '../core/parse/cloudtrail.js';
import { asInputError } from '../core/parse/issues.js';
import { awsErrorContext, describeAwsError, LiveLookupError } from './errors.js';
import { type LookupCallStats, realSleep, sendLookupEvents } from './lookup-call.js';
import { TokenBucket } from './token-bucket.js';

/** How far back CloudTrail's event history goes. */
export const LOOKUP_HISTORY_MS = 90 * 86_400_000;
/** `LookupEvents` quota per account and region. */
export const LOOKUP_CALLS_PER_SECOND = 2;

export interface LiveLookupOptions {
  readonly client: CloudTrailClient;
  /** The region the client calls, for messages. */
  readonly region: string;
  /**
   * The rate limit, shared by every lookup of the process. @default a bucket of 2 calls per second
   * holding one, on `now` and `sleep`
   */
  readonly bucket?: TokenBucket;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for the backoff's jitter. @default Math.random */
  readonly random?: () => number;
  /** Attempts per call when throttled, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff after a throttle: base and cap, milliseconds. @default 1000 and 16 000 */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Pages (of up to 50 events) read at most. @default 20 */
  readonly maxPages?: number;
  /** Each ThrottlingException received. */
  readonly onThrottle?: (info: { readonly attempt: number; readonly delayMs: number }) => void;
  /** A `CloudTrailEvent` in a response that does not parse; it is skipped. */
  readonly onRecordError?: (error: InputError) => void;
}

export interface LiveLookupResult {
  /** Every event CloudTrail returned (reads and failed calls included), in the order it returned them. */
  readonly events: TrailEvent[];
  readonly calls: number;
  readonly throttles: number;
  readonly pages: number;
  /** More pages were left unread (`maxPages`). */
  readonly truncated: boolean;
  /** The range actually searched: at most the last 90 days. */
  readonly fromMs: number;
  readonly toMs: number;
}

/** A bucket for `LookupEvents`: 2 calls per second, bursts of one, so calls are at least 500 ms apart. */
export function lookupEventsBucket(options: {
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}): TokenBucket {
  return new TokenBucket(
    {
      ratePerSecond: LOOKUP_CALLS_PER_SECOND,
      burst: 1,
      ...(options.now !== undefined && { now: options.now }),
      ...(options.sleep !== undefined && { sleep: options.sleep }),
    },
    'LookupEvents',
  );
}

/**
 * The events CloudTrail's event history holds for a resource name (an id, a name or an ARN, as the
 * service records it) in `[fromMs, toMs]`, clamped to the last 90 days.
 * @throws LiveLookupError when a call fails for another reason than throttling, or stays throttled.
 */
export async function lookupResourceEvents(
  resourceName: string,
  range: { readonly fromMs?: number; readonly toMs?: number },
  options: LiveLookupOptions,
): Promise<LiveLookupResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const bucket = options.bucket ?? lookupEventsBucket({ now, sleep });
  const maxPages = Math.max(1, options.maxPages ?? 20);
  const nowMs = now();
  const fromMs = Math.max(range.fromMs ?? Number.NEGATIVE_INFINITY, nowMs - LOOKUP_HISTORY_MS);
  const toMs = Math.min(range.toMs ?? nowMs, nowMs);
  const stats = { calls: 0, throttles: 0 };
  const events: TrailEvent[] = [];
  const source = `LookupEvents ${options.region} ResourceName=${resourceName}`;
  let pages = 0;
  let nextToken: string | undefined;
  if (fromMs <= toMs) {
    do {
      const output = await call(options, bucket, sleep, stats, {
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: resourceName }],
        StartTime: new Date(fromMs),
        EndTime: new Date(toMs),
        MaxResults: 50,
        ...(nextToken !== undefined && { NextToken: nextToken }),
      });
      (output.Events ?? []).forEach((item, index) => {
        const at = { source: `${source} page ${pages + 1}`, record: index };
        try {
          const text = item.CloudTrailEvent;
          if (text === undefined) return;
          events.push(parseTrailRecord(JSON.parse(text), at));
        } catch (error) {
          options.onRecordError?.(asInputError(error, at));
        }
      });
      pages += 1;
      nextToken = output.NextToken === '' ? undefined : output.NextToken;
    } while (nextToken !== undefined && pages < maxPages);
  }
  return { events, ...stats, pages, truncated: nextToken !== undefined, fromMs, toMs };
}

async function call(
  options: LiveLookupOptions,
  bucket: TokenBucket,
  sleep: (ms: number) => Promise<void>,
  stats: LookupCallStats,
  input: LookupEventsCommandInput,
): Promise<LookupEventsCommandOutput> {
  const policy = {
    maxAttempts: options.maxAttempts ?? 5,
    baseDelayMs: options.baseDelayMs ?? 1000,
    maxDelayMs: options.maxDelayMs ?? 16_000,
    random: options.random ?? Math.random,
    sleep,
    ...(options.onThrottle !== undefined && { onThrottle: options.onThrottle }),
  };
  return sendLookupEvents(
    options.client,
    input,
    () => bucket.take(),
    policy,
    stats,
    (failure) => {
      const context = awsErrorContext('cloudtrail', 'LookupEvents', failure.error, options.region);
      const message =
        failure.kind === 'failed'
          ? `LookupEvents in ${options.region} failed: ${describeAwsError(failure.error)}`
          : `LookupEvents in ${options.region} still throttled after ${failure.attempts} attempts; try again in a minute`;
      return new LiveLookupError(message, context, { cause: failure.error });
    },
  );
}
