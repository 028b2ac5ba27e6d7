/**
 * The fallback of the streaming join: when the event index has nothing for a change after the bounded
 * wait, ask CloudTrail itself with `LookupEvents`, one `ResourceName` lookup attribute per call (the API
 * takes one), over the correlation window, and correlate what comes back exactly as the index's
 * candidates are.
 *
 * `LookupEvents` allows 2 requests per second per account and region. Every call takes a token from the
 * bucket of its `<account>|<region>` first; a `ThrottlingException` that still gets through (another
 * Lambda instance, another tool) is retried after an exponential backoff with full jitter, a bounded
 * number of times. A change whose lookups stay throttled, or whose token is too far away, fails with a
 * retryable `LookupThrottledError`: the message goes back to the queue. It is never reported
 * "unattributed" because of a throttle.
 *
 * Keys are tried strongest first (resource id, name, ARN, derived forms), at most `maxKeys` of them,
 * and the lookups stop as soon as one gives an attribution: a burst of changes costs one call per change
 * in the usual case.
 */
import type {
  CloudTrailClient,
  LookupEventsCommandInput,
  LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { changeKeyList, correlate } from '../core/correlate.js';
import type { InputError } from '../core/errors.js';
import type { Attribution, ConfigChange, IndexedEvent } from '../core/model.js';
import { parseTrailRecord } from '../core/parse/cloudtrail.js';
import { asInputError } from '../core/parse/issues.js';
import { indexable } from '../pipeline.js';
import { AwsAdapterError, awsErrorContext, describeAwsError } from './errors.js';
import { type LookupCallStats, realSleep, sendLookupEvents } from './lookup-call.js';
import { cloudTrailRegion } from './regions.js';
import { quotaKey, RateLimitWaitError, type TokenBuckets } from './token-bucket.js';

/** A LookupEvents call failed for a reason other than throttling. */
export class LookupEventsError extends AwsAdapterError {
  public constructor(message: string, context: AwsAdapterError['context'], options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'LookupEventsError';
  }
}

/** Still throttled after the last attempt, or the next token is too far away. Always retryable. */
export class LookupThrottledError extends LookupEventsError {
  public constructor(message: string, context: AwsAdapterError['context'], options?: { cause?: unknown }) {
    super(message, { ...context, retryable: true }, options);
    this.name = 'LookupThrottledError';
  }
}

export interface LookupEventsFallbackOptions {
  /** A CloudTrail client for a region (IAM and other global changes are looked up in us-east-1). */
  readonly clientFor: (region: string) => CloudTrailClient;
  /** Shared by every lookup of the process; keyed `<account>|<region>`. */
  readonly buckets: TokenBuckets;
  /** Attempts per call when throttled, the first included. Default 4. */
  readonly maxAttempts?: number;
  /** Backoff after a throttle: base and cap, milliseconds. Default 1000 and 8000. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** The longest wait for a token before giving up (retryable). Default 10 000 ms. */
  readonly maxTokenWaitMs?: number;
  /** Lookup attributes tried per change. Default 4. */
  readonly maxKeys?: number;
  /** Pages (of 50 events) read per key. Default 3. */
  readonly maxPagesPerKey?: number;
  /**
   * The account whose CloudTrail the client sees. A change in another account cannot be looked up
   * (LookupEvents is per account): it is reported unattributed with that reason instead.
   */
  readonly accountId?: string;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Each ThrottlingException received (for the LookupThrottles metric). */
  readonly onThrottle?: (info: {
    readonly key: string;
    readonly attempt: number;
    readonly delayMs: number;
  }) => void;
  /** A CloudTrailEvent in a response that does not parse; it is skipped. */
  readonly onRecordError?: (error: InputError) => void;
}

export interface LookupOptions {
  /** How long before the capture time the call may have happened. */
  readonly windowMs: number;
}

export interface LookupResult {
  readonly attribution: Attribution;
  /** LookupEvents calls made (each one took a token). */
  readonly calls: number;
  /** ThrottlingExceptions received (and retried). */
  readonly throttles: number;
  /** Distinct write events the lookups returned. */
  readonly candidates: number;
}

export class LookupEventsFallback {
  readonly #clientFor: (region: string) => CloudTrailClient;
  readonly #buckets: TokenBuckets;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxTokenWaitMs: number;
  readonly #maxKeys: number;
  readonly #maxPages: number;
  readonly #accountId: string | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #onThrottle: NonNullable<LookupEventsFallbackOptions['onThrottle']>;
  readonly #onRecordError: (error: InputError) => void;

  public constructor(options: LookupEventsFallbackOptions) {
    this.#clientFor = options.clientFor;
    this.#buckets = options.buckets;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#baseDelayMs = options.baseDelayMs ?? 1000;
    this.#maxDelayMs = options.maxDelayMs ?? 8000;
    this.#maxTokenWaitMs = options.maxTokenWaitMs ?? 10_000;
    this.#maxKeys = Math.max(1, options.maxKeys ?? 4);
    this.#maxPages = Math.max(1, options.maxPagesPerKey ?? 3);
    this.#accountId = options.accountId;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#onThrottle = options.onThrottle ?? (() => undefined);
    this.#onRecordError = options.onRecordError ?? (() => undefined);
  }

  /**
   * The change attributed from CloudTrail's own history, or unattributed with the reason.
   * @throws LookupThrottledError (retryable) when CloudTrail keeps throttling;
   * @throws LookupEventsError for any other failure, `retryable` when a later attempt may succeed.
   */
  public async attribute(change: ConfigChange, options: LookupOptions): Promise<LookupResult> {
    const stats = { calls: 0, throttles: 0 };
    if (this.#accountId !== undefined && change.accountId !== this.#accountId) {
      return {
        attribution: {
          status: 'unattributed',
          reason: `nothing in the event index, and LookupEvents cannot search account ${change.accountId} from account ${this.#accountId}`,
        },
        ...stats,
        candidates: 0,
      };
    }
    const region = cloudTrailRegion(change);
    const keys = changeKeyList(change)
      .slice(0, this.#maxKeys)
      .map((k) => k.value);
    const found = new Map<string, IndexedEvent>();
    const endMs = change.captureTimeMs;
    const startMs = endMs - options.windowMs;
    let attribution: Attribution | undefined;
    for (const key of keys) {
      for (const event of await this.#lookup(change.accountId, region, key, startMs, endMs, stats)) {
        if (!found.has(event.eventId)) found.set(event.eventId, event);
      }
      attribution = correlate(change, [...found.values()], { windowMs: options.windowMs });
      if (attribution.status === 'attributed') break;
    }
    if (attribution === undefined) {
      attribution = { status: 'unattributed', reason: 'the change has no identifier to look up' };
    }
    if (attribution.status === 'attributed') {
      // correlate says `index` for any candidate list; these came from CloudTrail.
      if (attribution.via === 'index') attribution = { ...attribution, via: 'lookup-events' };
    } else {
      attribution = {
        status: 'unattributed',
        reason: `${attribution.reason}; CloudTrail LookupEvents in ${region} (${stats.calls} call${stats.calls === 1 ? '' : 's'}) found no matching write event either`,
      };
    }
    return { attribution, ...stats, candidates: found.size };
  }

  async #lookup(
    accountId: string,
    region: string,
    resourceName: string,
    startMs: number,
    endMs: number,
    stats: { calls: number; throttles: number },
  ): Promise<IndexedEvent[]> {
    const events: IndexedEvent[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < this.#maxPages; page++) {
      const output = await this.#call(accountId, region, stats, {
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: resourceName }],
        StartTime: new Date(Math.max(0, startMs)),
        EndTime: new Date(endMs),
        MaxResults: 50,
        ...(nextToken !== undefined && { NextToken: nextToken }),
      });
      (output.Events ?? []).forEach((item, record) => {
        const source = `LookupEvents ${region} ResourceName=${resourceName}`;
        try {
          const text = item.CloudTrailEvent;
          if (text === undefined) return;
          const event = indexable(parseTrailRecord(JSON.parse(text), { source, record }));
          if (event !== undefined) events.push(event);
        } catch (error) {
          this.#onRecordError(asInputError(error, { source, record }));
        }
      });
      nextToken = output.NextToken;
      if (nextToken === undefined || nextToken === '') break;
    }
    return events;
  }

  async #call(
    accountId: string,
    region: string,
    stats: LookupCallStats,
    input: LookupEventsCommandInput,
  ): Promise<LookupEventsCommandOutput> {
    const key = quotaKey(accountId, region);
    const takeToken = async (): Promise<void> => {
      try {
        await this.#buckets.take(key, this.#maxTokenWaitMs);
      } catch (error) {
        if (!(error instanceof RateLimitWaitError)) throw error;
        throw new LookupThrottledError(
          `LookupEvents in ${region}: ${error.message}; the change is retried later`,
          {
            service: 'cloudtrail',
            operation: 'LookupEvents',
            target: key,
            code: error.name,
            retryable: true,
          },
          { cause: error },
        );
      }
    };
    const policy = {
      maxAttempts: this.#maxAttempts,
      baseDelayMs: this.#baseDelayMs,
      maxDelayMs: this.#maxDelayMs,
      random: this.#random,
      sleep: this.#sleep,
      onThrottle: (info: { readonly attempt: number; readonly delayMs: number }) =>
        this.#onThrottle({ key, ...info }),
    };
    return sendLookupEvents(this.#clientFor(region), input, takeToken, policy, stats, (failure) => {
      const context = awsErrorContext('cloudtrail', 'LookupEvents', failure.error, key);
      return failure.kind === 'failed'
        ? new LookupEventsError(
            `LookupEvents in ${region} failed: ${describeAwsError(failure.error)}`,
            context,
            {
              cause: failure.error,
            },
          )
        : new LookupThrottledError(
            `LookupEvents in ${region} still throttled after ${failure.attempts} attempts; the change is retried later`,
            context,
            { cause: failure.error },
          );
    });
  }
}
