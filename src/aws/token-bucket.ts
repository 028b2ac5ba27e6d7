/**
 * Client-side rate limiting for APIs with a per-account, per-region quota (CloudTrail `LookupEvents`
 * allows 2 requests per second). A token bucket per key (`<account>|<region>`): `burst` tokens at most,
 * refilled at `ratePerSecond`. A caller that finds the bucket empty reserves the next token (the count
 * goes below zero) and sleeps until it is due, so concurrent callers are served in order, each one
 * `1 / ratePerSecond` after the previous one, and never more than `burst` at once.
 *
 * The clock and the sleep are injected: tests drive time by hand.
 *
 * A bucket only limits this process. Several Lambda instances each have their own, so the deployment
 * also bounds the attribution function's concurrency, and `LookupEventsFallback` backs off on the
 * `ThrottlingException` that still gets through.
 */

export interface TokenBucketOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** The most tokens the bucket holds (the largest burst). Default: `ratePerSecond`, at least 1. */
  readonly burst?: number;
  /** Milliseconds; default `Date.now`. */
  readonly now?: () => number;
  /** Default: a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Thrown by `take` when the wait for a token would be longer than the caller allows. */
export class RateLimitWaitError extends Error {
  public readonly context: { readonly key: string; readonly waitMs: number; readonly maxWaitMs: number };

  public constructor(key: string, waitMs: number, maxWaitMs: number) {
    super(
      `rate limit ${key}: the next token is ${Math.ceil(waitMs)} ms away (at most ${maxWaitMs} ms allowed)`,
    );
    this.name = 'RateLimitWaitError';
    this.context = { key, waitMs, maxWaitMs };
  }
}

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #key: string;
  #tokens: number;
  #updatedAt: number;

  public constructor(options: TokenBucketOptions, key = 'bucket') {
    if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
      throw new RangeError(`ratePerSecond must be a positive number, got ${options.ratePerSecond}`);
    }
    const burst = options.burst ?? Math.max(1, options.ratePerSecond);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be >= 1, got ${burst}`);
    this.#ratePerMs = options.ratePerSecond / 1000;
    this.#burst = burst;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#key = key;
    this.#tokens = burst;
    this.#updatedAt = this.#now();
  }

  /** Tokens available now (negative while callers wait for reserved tokens). */
  public get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /**
   * Takes one token, waiting for it when the bucket is empty. With `maxWaitMs`, a wait longer than that
   * is not started: `RateLimitWaitError` is thrown and nothing is reserved.
   * @returns how long the caller waited, in milliseconds.
   */
  public async take(maxWaitMs = Number.POSITIVE_INFINITY): Promise<number> {
    this.#refill();
    const waitMs = this.#tokens >= 1 ? 0 : (1 - this.#tokens) / this.#ratePerMs;
    if (waitMs > maxWaitMs) throw new RateLimitWaitError(this.#key, waitMs, maxWaitMs);
    this.#tokens -= 1;
    if (waitMs > 0) await this.#sleep(Math.ceil(waitMs));
    return waitMs;
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#updatedAt = now;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#ratePerMs);
  }
}

/** One `TokenBucket` per key, created on first use with the same options. */
export class TokenBuckets {
  readonly #options: TokenBucketOptions;
  readonly #buckets = new Map<string, TokenBucket>();

  public constructor(options: TokenBucketOptions) {
    this.#options = options;
  }

  public bucket(key: string): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.#options, key);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  public take(key: string, maxWaitMs?: number): Promise<number> {
    return this.bucket(key).take(maxWaitMs);
  }
}

/** The bucket key for a per-account, per-region quota. */
export function quotaKey(accountId: string, region: string): string {
  return `${accountId}|${region}`;
}
