/**
 * The idempotency store of `cloudblame replay --notify` across runs: a SQLite file (better-sqlite3) of
 * the channel keys delivered, so that a replay run again over the same or a grown archive (a nightly
 * job) posts only the findings it has not posted before. A claim is a row `in-progress`; one older
 * than `inProgressTtlMs` (its run was killed mid-delivery) may be taken over, so a crash delays a
 * notification but never loses it. Runs that share the file at once see each other's claims (WAL, a
 * busy timeout, one short write transaction per step).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ClaimOutcome, IdempotencyStore } from './idempotency.js';

export interface SqliteIdempotencyStoreOptions {
  /**
   * How long a claim stays in progress before another run may take it over (a run killed between
   * claiming and recording a delivery). @default 15 minutes
   */
  readonly inProgressTtlMs?: number;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

export interface NotifyStateErrorContext {
  /** The state file. */
  readonly path: string;
  readonly operation: 'open' | 'claim' | 'complete' | 'release';
}

/** The state file of delivered notifications could not be opened, read or written. */
export class NotifyStateError extends Error {
  public readonly context: NotifyStateErrorContext;

  public constructor(message: string, context: NotifyStateErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotifyStateError';
    this.context = context;
  }
}

const DEFAULT_IN_PROGRESS_TTL_MS = 15 * 60_000;
/** What `PRAGMA user_version` says of a state file this code made. */
const STATE_VERSION = 1;

interface Row {
  readonly state: 'in-progress' | 'done';
  readonly at_ms: number;
}

export class SqliteIdempotencyStore implements IdempotencyStore {
  public readonly path: string;
  readonly #db: Database.Database;
  readonly #inProgressTtlMs: number;
  readonly #now: () => number;
  readonly #get: Database.Statement<[string], Row>;
  readonly #put: Database.Statement<[string, string, number]>;
  readonly #drop: Database.Statement<[string]>;
  /** Reads the key's row and takes it when free, in one write transaction (runs sharing the file). */
  readonly #claim: (key: string) => ClaimOutcome;

  private constructor(path: string, db: Database.Database, options: SqliteIdempotencyStoreOptions) {
    this.path = path;
    this.#db = db;
    this.#inProgressTtlMs = options.inProgressTtlMs ?? DEFAULT_IN_PROGRESS_TTL_MS;
    this.#now = options.now ?? Date.now;
    this.#get = db.prepare('SELECT state, at_ms FROM deliveries WHERE key = ?');
    this.#put = db.prepare(
      `INSERT INTO deliveries (key, state, at_ms) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET state = excluded.state, at_ms = excluded.at_ms`,
    );
    this.#drop = db.prepare("DELETE FROM deliveries WHERE key = ? AND state = 'in-progress'");
    this.#claim = db.transaction((key: string): ClaimOutcome => {
      const now = this.#now();
      const row = this.#get.get(key);
      if (row?.state === 'done') return 'done';
      if (row?.state === 'in-progress' && now - row.at_ms < this.#inProgressTtlMs) return 'in-progress';
      this.#put.run(key, 'in-progress', now);
      return 'claimed';
    }).immediate;
  }

  /**
   * Opens the state file at `path`, creating it (and its directory) when missing.
   * @throws NotifyStateError when it cannot be opened or is not a state file of this version
   */
  public static open(path: string, options: SqliteIdempotencyStoreOptions = {}): SqliteIdempotencyStore {
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { timeout: 10_000 });
      db.pragma('journal_mode = WAL');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version === 0) {
        db.exec(`CREATE TABLE IF NOT EXISTS deliveries (
          key TEXT PRIMARY KEY,
          state TEXT NOT NULL CHECK (state IN ('in-progress', 'done')),
          at_ms INTEGER NOT NULL
        ) WITHOUT ROWID`);
        db.pragma(`user_version = ${STATE_VERSION}`);
      } else if (version !== STATE_VERSION) {
        throw new Error(`it has version ${version}, and this cloudblame reads version ${STATE_VERSION}`);
      }
      return new SqliteIdempotencyStore(path, db, options);
    } catch (error) {
      db?.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new NotifyStateError(
        `cannot use ${path} as the record of delivered notifications: ${reason}; give another file with --notify-state FILE, or --no-notify-state`,
        { path, operation: 'open' },
        { cause: error },
      );
    }
  }

  public async claim(key: string): Promise<ClaimOutcome> {
    return this.#step('claim', () => this.#claim(key));
  }

  public async complete(key: string): Promise<void> {
    this.#step('complete', () => this.#put.run(key, 'done', this.#now()));
  }

  public async release(key: string): Promise<void> {
    this.#step('release', () => this.#drop.run(key));
  }

  public close(): void {
    this.#db.close();
  }

  #step<T>(operation: NotifyStateErrorContext['operation'], body: () => T): T {
    try {
      return body();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new NotifyStateError(
        `${this.path}: could not ${operation} a delivery: ${reason}`,
        { path: this.path, operation },
        { cause: error },
      );
    }
  }
}
