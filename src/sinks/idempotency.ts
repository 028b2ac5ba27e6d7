/**
 * Idempotency of deliveries: a key is claimed before its delivery, completed after it, and released when
 * it failed so that a later retry can deliver it. A completed key is never delivered again. The AWS
 * deployment puts Powertools idempotency on DynamoDB behind the same port; this module holds the port and
 * the per-process store.
 */

/**
 * - `claimed`: the caller now owns the key and must `complete` or `release` it;
 * - `done`: it was delivered already, do not send it again;
 * - `in-progress`: someone else owns it; try again later.
 */
export type ClaimOutcome = 'claimed' | 'done' | 'in-progress';

export interface IdempotencyStore {
  claim(key: string): Promise<ClaimOutcome>;
  /** Marks a claimed key delivered. */
  complete(key: string): Promise<void>;
  /** Gives up a claim without completing it; a completed key stays completed. */
  release(key: string): Promise<void>;
}

export interface MemoryIdempotencyStoreOptions {
  /** How long a completed key is remembered. Default: as long as the process lives. */
  readonly ttlMs?: number;
  /** How long a claim may stay in progress before another caller may take it over. Default: forever. */
  readonly inProgressTtlMs?: number;
  /** The clock, for the TTLs. Default `Date.now`. */
  readonly now?: () => number;
}

interface Entry {
  readonly state: 'in-progress' | 'done';
  readonly expiresAt: number;
}

/** Expired entries are swept after this many claims, so a long-lived process does not grow forever. */
const SWEEP_EVERY = 1024;

/** The store of one process: what a CLI run or a warm Lambda container has delivered. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #inProgressTtlMs: number;
  readonly #now: () => number;
  #claimsSinceSweep = 0;

  public constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
    this.#inProgressTtlMs = options.inProgressTtlMs ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
  }

  /** Keys held, expired ones included until the next sweep. */
  public get size(): number {
    return this.#entries.size;
  }

  public async claim(key: string): Promise<ClaimOutcome> {
    const now = this.#now();
    if (++this.#claimsSinceSweep >= SWEEP_EVERY) this.#sweep(now);
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.expiresAt > now) return entry.state;
    this.#entries.set(key, { state: 'in-progress', expiresAt: now + this.#inProgressTtlMs });
    return 'claimed';
  }

  public async complete(key: string): Promise<void> {
    this.#entries.set(key, { state: 'done', expiresAt: this.#now() + this.#ttlMs });
  }

  public async release(key: string): Promise<void> {
    if (this.#entries.get(key)?.state === 'in-progress') this.#entries.delete(key);
  }

  #sweep(now: number): void {
    this.#claimsSinceSweep = 0;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
