/**
 * The persistent event index behind `cloudblame index`, `who` and `did`: one SQLite file (WAL mode, so
 * queries run while an index run writes), through better-sqlite3. The tables (sqlite-schema.ts):
 *
 * - `events`: one row per CloudTrail event, unique by its time and a hash of its id, so that a duplicate
 *   delivery is stored once (sqlite-events.ts). The identifiers, aliases and key request parameters are
 *   one JSON array of values (`detail`) whose meaning, shared by many events, is a row of `layouts`
 *   (sqlite-layout.ts).
 * - `keys`: one row per identifier (and alias) of an event, as 53-bit hashes, clustered by
 *   `(key, change, time_ms)`: a `who` query is one range scan, newest first, that never wades through
 *   a busy key's reads (the Decrypt calls on a KMS key) to find its changes. `change` is 1 for a
 *   successful write. Queries drop an event reached through a colliding hash.
 * - `caller_spans`: where each caller's events of each file are (sqlite-caller-spans.ts), for `did`.
 * - `callers`: each distinct caller (principal, access key, user agent, source address) once; events
 *   point at their caller, and `did` scans this small table rather than the events.
 * - `files`: each archive file indexed, with its size and ETag or mtime, so a later run skips it.
 *
 * Writes come in transactions of whole files: a file's events, keys and its `files` row commit
 * together, so a run killed at any point leaves each file entirely indexed or not at all (and a file
 * not recorded is read again by the next run).
 *
 * It is also an `EventIndex`, so the engine can attribute Config changes against it.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { IndexedEvent, Principal } from '../core/model.js';
import type { StoredEvent } from '../core/timeline.js';
import { TupleCache } from '../core/tuple-cache.js';
import { IndexFileError } from './errors.js';
import { hash53 } from './hash.js';
import { indexKeysOf } from './memory.js';
import type { EventIndex, EventQuery } from './port.js';
import { ALIAS_TIE, aliasMembersOf } from './sqlite-alias-ties.js';
import { BatchedInsert } from './sqlite-batch.js';
import { CallerSpans } from './sqlite-caller-spans.js';
import { EVENTS_PER_STATEMENT, EventRows, type EventValues } from './sqlite-events.js';
import { decodeDetail, LayoutReader, LayoutWriter } from './sqlite-layout.js';
import { type CallerDbRow, type EventRow, type FileRow, keepNewest } from './sqlite-rows.js';
import { migrate } from './sqlite-schema.js';

export { IndexFileError } from './errors.js';
export { hash53 } from './hash.js';
export { SCHEMA_VERSION } from './sqlite-schema.js';

export interface SqliteIndexOptions {
  /** Open for queries only: the file must exist and is never written. @default false */
  readonly readonly?: boolean;
  /** Page cache of this connection, in MiB. @default 64 (readers), 256 (writers) */
  readonly cacheMiB?: number;
  /** How long to wait for a lock held by another connection, in ms. @default 10 000 */
  readonly busyTimeoutMs?: number;
}

/** What the index remembers of a file, to skip it when it has not changed. */
export interface FileState {
  readonly size: number;
  /** The S3 ETag, or the local file's mtime in ms as text. */
  readonly version: string;
  /** `writes`: only write events were kept; `all`: reads and failed calls too. */
  readonly mode: IndexMode;
  readonly events: number;
  readonly errors: number;
  readonly indexedAtMs: number;
}

export type IndexMode = 'writes' | 'all';

/** A file's events, written with its `files` row in one transaction. */
export interface FileBatch {
  readonly path: string;
  readonly size: number;
  readonly version: string;
  readonly mode: IndexMode;
  /** Records that could not be used (already reported); the file is still recorded. */
  readonly errors: number;
  readonly events: readonly StoredEvent[];
}

export interface WriteResult {
  /** New events stored. */
  readonly inserted: number;
  /** Events already in the index (a redelivery, a file read again). */
  readonly duplicates: number;
  /** Key rows written. */
  readonly keys: number;
}

/** A caller as `did` sees it. */
export interface CallerRow {
  readonly id: number;
  readonly principal: Principal;
  readonly accessKeyId?: string;
  readonly userAgent?: string;
  readonly sourceIPAddress?: string;
}

export interface EventsQuery {
  readonly fromMs?: number;
  readonly toMs?: number;
  /** Only events of this account. */
  readonly accountId?: string;
  /**
   * Include calls that changed nothing: read-only and failed calls (present only when indexed with
   * `--all`). @default false
   */
  readonly includeReads?: boolean;
  /** At most this many events, the newest; 0 for all. @default 0 */
  readonly limit?: number;
}

/** The times of an index's oldest and newest events. */
export interface IndexSpan {
  readonly firstMs: number;
  readonly lastMs: number;
}

export interface IndexStats {
  readonly events: number;
  readonly keys: number;
  readonly callers: number;
  readonly files: number;
}

const CHANGES: readonly number[] = [1];
const CHANGES_AND_READS: readonly number[] = [1, 0];

/** The `change` values of key and span rows a query reads: changes, or with `includeReads` every call. */
function changesFor(options: EventsQuery): readonly number[] {
  return options.includeReads ? CHANGES_AND_READS : CHANGES;
}

/** Holds one row of `keys` (key, change, time_ms, event_rowid) for the next flush. */
function holdKeyRow(rows: BatchedInsert, key: number, change: number, timeMs: number, rowid: number): void {
  const at = rows.reserve();
  const values = rows.buffer;
  values[at] = key;
  values[at + 1] = change;
  values[at + 2] = timeMs;
  values[at + 3] = rowid;
}

/**
 * The oldest and newest event times. Two subqueries: SQLite reads a min() or a max() off the index by time
 * only when it is the query's one aggregate; both in one query scan the whole table (560 ms on the bench's
 * 10M-event index, against two index lookups).
 */
export const TIME_SPAN_SQL =
  'SELECT (SELECT min(time_ms) FROM events) AS first, (SELECT max(time_ms) FROM events) AS last';

const MIN_TIME = -8.64e15;
const MAX_TIME = 8.64e15;
/** Page size of a new index file. */
const PAGE_SIZE = 16_384;
/** Bound on the caller cache of a long run; the database stays the reference. */
const MAX_CACHED_CALLERS = 100_000;
/** Key and span rows held for the commit at most; past it they are written at once. */
const MAX_PENDING_ROWS = 65_536;

function prepareStatements(db: Database.Database, writer: boolean) {
  return {
    insertCaller: writer
      ? db.prepare<
          [
            number,
            string,
            string,
            string | null,
            string | null,
            string,
            string,
            string,
            string | null,
            string | null,
            string | null,
            string | null,
            string | null,
            string | null,
          ]
        >(
          `INSERT INTO callers (hash, key, principal, arn, role_arn, display, type, channel, session, user_name,
             identity_center_user, access_key_id, user_agent, source_ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
      : undefined,
    upsertFile: writer
      ? db.prepare<[string, number, string, string, number, number]>(
          `INSERT INTO files (path, size, version, mode, events, errors, indexed_at) VALUES (?, ?, ?, ?, 0, ?, ?)
           ON CONFLICT (path) DO UPDATE SET size = excluded.size, version = excluded.version, mode = excluded.mode,
             errors = excluded.errors, indexed_at = excluded.indexed_at
           RETURNING id`,
        )
      : undefined,
    addFileEvents: writer
      ? db.prepare<[number, number]>('UPDATE files SET events = events + ? WHERE id = ?')
      : undefined,
    callersByHash: db.prepare<[number], CallerDbRow>(
      'SELECT id, key, principal, access_key_id, user_agent, source_ip FROM callers WHERE hash = ?',
    ),
    callerById: db.prepare<[number], CallerDbRow>(
      'SELECT id, key, principal, access_key_id, user_agent, source_ip FROM callers WHERE id = ?',
    ),
    callersByAccessKey: db.prepare<[string], CallerDbRow>(
      'SELECT id, key, principal, access_key_id, user_agent, source_ip FROM callers WHERE access_key_id = ?',
    ),
    allCallers: db.prepare<[], CallerDbRow>(
      'SELECT id, key, principal, access_key_id, user_agent, source_ip FROM callers',
    ),
    file: db.prepare<[string], FileRow>(
      'SELECT id, size, version, mode, events, errors, indexed_at FROM files WHERE path = ?',
    ),
    // Phase one of a query: (event rowid, time) pairs, newest first, from covering indexes alone.
    keyHits: db
      .prepare<[number, number, number, number, number], [number, number]>(
        `SELECT event_rowid, time_ms FROM keys WHERE key = ? AND change = ? AND time_ms >= ? AND time_ms <= ?
         ORDER BY time_ms DESC, event_rowid DESC LIMIT ?`,
      )
      .raw(),
    keyHitsInAccount: db
      .prepare<[number, number, number, number, string, number], [number, number]>(
        `SELECT k.event_rowid, k.time_ms FROM keys k JOIN events e ON e.id = k.event_rowid
         WHERE k.key = ? AND k.change = ? AND k.time_ms >= ? AND k.time_ms <= ? AND e.account = ?
         ORDER BY k.time_ms DESC, k.event_rowid DESC LIMIT ?`,
      )
      .raw(),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

interface LastCaller {
  readonly accessKeyId: string | undefined;
  readonly userAgent: string | undefined;
  readonly sourceIPAddress: string | undefined;
  readonly id: number;
}

export class SqliteEventIndex implements EventIndex {
  public readonly path: string;
  public readonly readonly: boolean;
  /** The schema the file had when opening it upgraded it to `SCHEMA_VERSION`; absent otherwise. */
  public readonly upgradedFrom?: number;
  readonly #db: Database.Database;
  readonly #callerIds = new Map<string, number>();
  readonly #callers = new Map<number, CallerRow>();
  readonly #principalJson = new WeakMap<Principal, string>();
  /**
   * Caller ids by principal object, then by access key, user agent and source address: the engine hands
   * over the same principal object for a caller again and again, so most events find their caller here
   * without building (and hashing) the long key of `#callerIds`. Replaced when a transaction rolls back.
   */
  #callersOfPrincipal = new WeakMap<Principal, TupleCache<number>>();
  /** The caller id last found for a principal object, and what else made it (see `#callerIdOf`). */
  #lastCallerOf = new WeakMap<Principal, LastCaller>();
  /** Key rows (key hash, change, time, event rowid) of the open transaction not written yet. */
  readonly #keyRows: BatchedInsert | undefined;
  /** Callers inserted by the open transaction: forgotten again if it rolls back. */
  #pendingCallers: string[] = [];
  readonly #stmts: Statements;
  readonly #events: EventRows;
  readonly #callerSpans: CallerSpans;
  readonly #layouts: LayoutReader;
  readonly #layoutIds: LayoutWriter | undefined;

  private constructor(path: string, db: Database.Database, readonly: boolean, upgradedFrom?: number) {
    this.path = path;
    if (upgradedFrom !== undefined) this.upgradedFrom = upgradedFrom;
    this.#db = db;
    this.readonly = readonly;
    this.#stmts = prepareStatements(db, !readonly);
    this.#events = new EventRows(db, !readonly);
    this.#callerSpans = new CallerSpans(db, !readonly);
    this.#keyRows = readonly
      ? undefined
      : new BatchedInsert(db, 'keys', ['key', 'change', 'time_ms', 'event_rowid']);
    this.#layouts = new LayoutReader(db, path);
    this.#layoutIds = readonly ? undefined : new LayoutWriter(db);
  }

  /**
   * Opens (and creates, unless `readonly`) the index at `path`, migrating an older schema.
   * @throws IndexFileError when the file is missing (readonly), newer than this code, or not an index.
   */
  public static open(path: string, options: SqliteIndexOptions = {}): SqliteEventIndex {
    const readonly = options.readonly ?? false;
    if (path !== ':memory:' && existsSync(path) && statSync(path).isDirectory()) {
      throw new IndexFileError(
        `${path} is a directory; --db takes the index file, e.g. --db ${join(path, 'index.db')}`,
      );
    }
    let db: Database.Database;
    try {
      if (!readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, {
        readonly,
        fileMustExist: readonly,
        timeout: options.busyTimeoutMs ?? 10_000,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new IndexFileError(
        readonly
          ? `no event index at ${path} (${reason}); build one with: cloudblame index <dir|s3://bucket/prefix> --db ${path}`
          : `cannot open the event index ${path}: ${reason}`,
        { cause: error },
      );
    }
    try {
      // Only takes effect on a new file (before its first write): an index of events hundreds of bytes
      // long inserts markedly faster in 16 KiB pages than in the default 4 KiB.
      if (!readonly) db.pragma(`page_size = ${PAGE_SIZE}`);
      const cacheKiB = (options.cacheMiB ?? (readonly ? 64 : 256)) * 1024;
      db.pragma(`cache_size = -${cacheKiB}`);
      db.pragma('temp_store = MEMORY');
      // better-sqlite3 turns foreign keys on; SQLite's default is off. The REFERENCES say which rows an
      // event's ids point at, and the writer always stores those first: checking three parents on each
      // insert cost 0.7 µs an event, a quarter of the events row. Tests run `foreign_key_check` instead.
      db.pragma('foreign_keys = OFF');
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        // Checkpoints copy pages back into the database; bigger batches of them cost less per page.
        db.pragma('wal_autocheckpoint = 16384');
      }
      const upgradedFrom = migrate(db, path, readonly);
      return new SqliteEventIndex(path, db, readonly, upgradedFrom);
    } catch (error) {
      db.close();
      if (error instanceof IndexFileError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new IndexFileError(`${path} is not a usable cloudblame event index: ${reason}`, { cause: error });
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Writing

  /** What the index knows of a file, or undefined when it was never indexed. */
  public fileState(path: string): FileState | undefined {
    const row = this.#stmts.file.get(path);
    if (row === undefined) return undefined;
    return {
      size: row.size,
      version: row.version,
      mode: row.mode === 'all' ? 'all' : 'writes',
      events: row.events,
      errors: row.errors,
      indexedAtMs: row.indexed_at,
    };
  }

  /**
   * Writes whole files in one transaction: each file's events, their keys and the file's row. If
   * anything throws, nothing of the batch is kept and the error propagates.
   */
  public writeFiles(files: readonly FileBatch[], nowMs: number = Date.now()): WriteResult {
    return this.#transaction(() => {
      const total = { inserted: 0, duplicates: 0, keys: 0 };
      for (const file of files) {
        const written = this.writeFile(file, nowMs);
        total.inserted += written.inserted;
        total.duplicates += written.duplicates;
        total.keys += written.keys;
      }
      return total;
    });
  }

  /**
   * Opens a write transaction that `writeFile` adds whole files to, until `commit` (all of them kept) or
   * `rollback` (none). A caller writing file by file this way lets each file's events go as soon as they
   * are written, instead of holding a whole batch of them until it is written at once.
   */
  public begin(): void {
    if (this.readonly) throw new IndexFileError(`${this.path} was opened read-only`);
    if (this.#db.inTransaction) throw new IndexFileError(`${this.path}: a write transaction is already open`);
    this.#pendingCallers = [];
    this.#discardRows();
    this.#db.exec('BEGIN IMMEDIATE');
  }

  /** Writes one file (its events, their keys, its row) in the open transaction (`begin`). */
  public writeFile(file: FileBatch, nowMs: number = Date.now()): WriteResult {
    if (!this.#db.inTransaction) throw new IndexFileError(`${this.path}: writeFile needs begin() first`);
    const fileId = this.#upsertFile(file, nowMs);
    const { inserted, duplicates, keys } = this.#insertAll(file.events, fileId);
    if (inserted > 0) this.#stmts.addFileEvents!.run(inserted, fileId);
    // Key and span rows wait for the commit, to be written many to a statement; within bounds.
    if (this.#keyRows!.length + this.#callerSpans.held >= MAX_PENDING_ROWS) this.#flushRows();
    return { inserted, duplicates, keys };
  }

  /** Keeps what the open transaction wrote; if that fails, rolls it back and throws. */
  public commit(): void {
    try {
      this.#flushRows();
      this.#db.exec('COMMIT');
      this.#pendingCallers = [];
      this.#layoutIds?.committed();
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  /** Drops what the open transaction wrote (nothing when none is open), and the callers it cached. */
  public rollback(): void {
    this.#discardRows();
    if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    this.#forgetPendingCallers();
    this.#layoutIds?.rolledBack();
    this.#layouts.forget();
  }

  #forgetPendingCallers(): void {
    if (this.#pendingCallers.length > 0) {
      this.#callersOfPrincipal = new WeakMap();
      this.#lastCallerOf = new WeakMap();
    }
    for (const key of this.#pendingCallers) {
      const id = this.#callerIds.get(key);
      this.#callerIds.delete(key);
      if (id !== undefined) this.#callers.delete(id);
    }
    this.#pendingCallers = [];
  }

  /** The `EventIndex` port: stores engine events (no file, write events, no request summary). */
  public async put(events: readonly IndexedEvent[]): Promise<void> {
    this.putStored(events.map((event) => ({ change: true, readOnly: false, request: {}, ...event })));
  }

  /** Stores events that belong to no file, in one transaction. */
  public putStored(events: readonly StoredEvent[]): WriteResult {
    return this.#transaction(() => {
      return this.#insertAll(events, null);
    });
  }

  #transaction<T>(body: () => T): T {
    this.begin();
    try {
      const value = body();
      this.commit();
      return value;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  /** The file's row, made or brought up to date (its event count is added to by `writeFile`). */
  #upsertFile(file: FileBatch, nowMs: number): number {
    const row = this.#stmts.upsertFile!.get(
      file.path,
      file.size,
      file.version,
      file.mode,
      file.errors,
      nowMs,
    ) as { id: number } | undefined;
    if (row === undefined) throw new Error(`files row for ${file.path} not written`);
    return row.id;
  }

  /** Stores the events of one write (a file, or a `putStored`), many to a statement, with their keys and caller spans. */
  #insertAll(events: readonly StoredEvent[], fileId: number | null): WriteResult {
    let inserted = 0;
    let keys = 0;
    const keyRows = this.#keyRows!;
    for (let at = 0; at < events.length; at += EVENTS_PER_STATEMENT) {
      const chunk = events.slice(at, at + EVENTS_PER_STATEMENT);
      const values = chunk.map((event): EventValues => {
        const [layoutId, detail] = this.#layoutIds!.encode(event);
        return [
          event.eventId,
          event.eventTimeMs,
          event.accountId,
          event.awsRegion,
          layoutId,
          this.#callerIdOf(event),
          event.change ? 1 : 0,
          event.readOnly ? 1 : 0,
          event.errorCode ?? null,
          detail,
          fileId,
        ];
      });
      const rowids = this.#events.insertMany(values);
      for (let i = 0; i < chunk.length; i++) {
        const rowid = rowids[i]!;
        if (rowid < 0) continue;
        const event = chunk[i]!;
        const [, , , , , callerId, change] = values[i]!;
        inserted += 1;
        this.#callerSpans.add(callerId, change, event.eventTimeMs, rowid);
        for (const key of indexKeysOf(event)) {
          holdKeyRow(keyRows, hash53(key), change, event.eventTimeMs, rowid);
          keys += 1;
        }
        if (event.aliases.length > 0) {
          for (const member of aliasMembersOf(event.aliases)) {
            holdKeyRow(keyRows, hash53(member), ALIAS_TIE, event.eventTimeMs, rowid);
            keys += 1;
          }
        }
      }
    }
    this.#callerSpans.close();
    return { inserted, duplicates: events.length - inserted, keys };
  }

  /** Writes the key and span rows held, many to a statement; inside the transaction that made them. */
  #flushRows(): void {
    this.#keyRows?.flush();
    this.#callerSpans.flush();
  }

  #discardRows(): void {
    this.#keyRows?.discard();
    this.#callerSpans.discard();
  }

  #jsonOf(principal: Principal): string {
    let json = this.#principalJson.get(principal);
    if (json === undefined) {
      json = JSON.stringify(principal);
      this.#principalJson.set(principal, json);
    }
    return json;
  }

  #callerIdOf(event: StoredEvent): number {
    // Most principal objects stand for one caller (`cloudblame index` shares them per userIdentity text,
    // user agent and address): the one last seen with it is tried first.
    const last = this.#lastCallerOf.get(event.principal);
    if (
      last !== undefined &&
      last.accessKeyId === event.accessKeyId &&
      last.userAgent === event.userAgent &&
      last.sourceIPAddress === event.sourceIPAddress
    ) {
      return last.id;
    }
    const id = this.#callerIdCached(event);
    this.#lastCallerOf.set(event.principal, {
      accessKeyId: event.accessKeyId,
      userAgent: event.userAgent,
      sourceIPAddress: event.sourceIPAddress,
      id,
    });
    return id;
  }

  #callerIdCached(event: StoredEvent): number {
    let byRest = this.#callersOfPrincipal.get(event.principal);
    if (byRest === undefined) {
      byRest = new TupleCache(3, MAX_CACHED_CALLERS);
      this.#callersOfPrincipal.set(event.principal, byRest);
    }
    const rest = [event.accessKeyId, event.userAgent, event.sourceIPAddress];
    let id = byRest.get(rest);
    if (id === undefined) {
      id = this.#callerIdByKey(event);
      byRest.set(rest, id);
    }
    return id;
  }

  #callerIdByKey(event: StoredEvent): number {
    const principalJson = this.#jsonOf(event.principal);
    const key = `${principalJson}\u0000${event.accessKeyId ?? ''}\u0000${event.userAgent ?? ''}\u0000${event.sourceIPAddress ?? ''}`;
    const cached = this.#callerIds.get(key);
    if (cached !== undefined) return cached;
    const hash = hash53(key);
    let id = this.#stmts.callersByHash.all(hash).find((row) => row.key === key)?.id;
    if (id === undefined) {
      const p = event.principal;
      const result = this.#stmts.insertCaller!.run(
        hash,
        key,
        principalJson,
        p.arn ?? null,
        p.roleArn ?? null,
        p.display,
        p.type,
        p.channel,
        p.sessionName ?? null,
        p.userName ?? null,
        p.identityCenter?.user ?? null,
        event.accessKeyId ?? null,
        event.userAgent ?? null,
        event.sourceIPAddress ?? null,
      );
      id = Number(result.lastInsertRowid);
      this.#pendingCallers.push(key);
    }
    if (this.#callerIds.size >= MAX_CACHED_CALLERS) this.#callerIds.clear();
    this.#callerIds.set(key, id);
    return id;
  }

  // -------------------------------------------------------------------------------------------------------
  // Reading

  /** The `EventIndex` port: events carrying any of the keys in one account, in the window, oldest first. */
  public async query(query: EventQuery): Promise<IndexedEvent[]> {
    if (query.fromMs > query.toMs) return [];
    return this.eventsByKeys(query.keys, {
      fromMs: query.fromMs,
      toMs: query.toMs,
      accountId: query.accountId,
      includeReads: false,
    }).reverse();
  }

  /** Events carrying any of `keys`, each once, newest first. */
  public eventsByKeys(keys: readonly string[], options: EventsQuery = {}): StoredEvent[] {
    return this.#byKeys(keys, options, changesFor(options));
  }

  /**
   * The events that tie one of these keys to other names (their alias groups hold it: a CreateRole ties
   * a role's name, id and ARN), whatever they changed, newest first, at most `limit` (@default all), in
   * `fromMs`..`toMs` (@default any time). An index built before schema 4 has them only for the files
   * indexed since its upgrade.
   */
  public aliasTies(
    keys: readonly string[],
    options: Pick<EventsQuery, 'accountId' | 'limit' | 'fromMs' | 'toMs'> = {},
  ): StoredEvent[] {
    return this.#byKeys(keys, options, [ALIAS_TIE]);
  }

  #byKeys(keys: readonly string[], options: EventsQuery, changes: readonly number[]): StoredEvent[] {
    const { keyHits, keyHitsInAccount } = this.#stmts;
    const account = options.accountId;
    const wanted = new Set(keys);
    const hashes = new Set([...wanted].map(hash53));
    // Keys are stored as hashes: an event found through another key's colliding hash is left out.
    const carriesAKey = (event: StoredEvent): boolean =>
      event.identifiers.some((id) => wanted.has(id.value)) ||
      event.aliases.some((group) => group.some((key) => wanted.has(key)));
    const hits = (hash: number, change: number, fromMs: number, toMs: number, limit: number) =>
      account === undefined
        ? keyHits.all(hash, change, fromMs, toMs, limit)
        : keyHitsInAccount.all(hash, change, fromMs, toMs, account, limit);
    return this.#collect(
      hashes,
      options,
      changes,
      (hash, change, fromMs, toMs, limit) => {
        const found = hits(hash, change, fromMs, toMs, limit);
        if (limit < 1 || found.length < limit) return found;
        // The cut fell among events of one time, which the result orders by event id: all of them.
        const kth = found[found.length - 1]![1];
        return [...found, ...hits(hash, change, kth, kth, -1)];
      },
      carriesAKey,
    );
  }

  /**
   * The newest events of several sources (keys, callers), by the `change` values asked (changes; the
   * other calls too with `includeReads`; alias ties), each once, newest first, at most `limit` in all.
   * Two phases: (rowid, time) pairs from the indexes alone, the `limit` newest per source and any more of
   * the last one's time; then only the `limit` newest of those (and, again, any more of the last time)
   * are read whole, and cut to `limit` in the result's order, where events of one time go by event id.
   */
  #collect<T>(
    sources: Iterable<T>,
    options: EventsQuery,
    changes: readonly number[],
    hits: (source: T, change: number, fromMs: number, toMs: number, limit: number) => [number, number][],
    keep: (event: StoredEvent) => boolean = () => true,
  ): StoredEvent[] {
    const fromMs = options.fromMs ?? MIN_TIME;
    const toMs = options.toMs ?? MAX_TIME;
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : -1;
    const times = new Map<number, number>();
    for (const source of sources) {
      for (const change of changes) {
        for (const [rowid, timeMs] of hits(source, change, fromMs, toMs, limit)) times.set(rowid, timeMs);
      }
    }
    const chosen = [...times.entries()];
    if (limit > 0) keepNewest(chosen, limit);
    const events: StoredEvent[] = [];
    for (const [rowid] of chosen) {
      const row = this.#events.byId(rowid);
      if (row === undefined) continue;
      const event = this.#eventOf(row);
      if (keep(event)) events.push(event);
    }
    events.sort(newestFirst);
    if (limit > 0 && events.length > limit) events.length = limit;
    return events;
  }

  /**
   * The stored event with this CloudTrail event id. With its time, an indexed lookup; without, a scan of
   * the events (for tests and tools, not for a hot path).
   */
  public event(eventId: string, eventTimeMs?: number): StoredEvent | undefined {
    const row =
      eventTimeMs === undefined ? this.#events.byEventId(eventId) : this.#events.find(eventId, eventTimeMs);
    return row === undefined ? undefined : this.#eventOf(row);
  }

  /** Every caller, or those signed with one access key (an indexed lookup). */
  public callers(accessKeyId?: string): CallerRow[] {
    const rows =
      accessKeyId === undefined
        ? this.#stmts.allCallers.all()
        : this.#stmts.callersByAccessKey.all(accessKeyId);
    return rows.map((row) => this.#callerOf(row));
  }

  /** Events made by these callers, each once, newest first. */
  public eventsByCallers(callerIds: readonly number[], options: EventsQuery = {}): StoredEvent[] {
    return this.#collect(
      new Set(callerIds),
      options,
      changesFor(options),
      (id, change, fromMs, toMs, limit) =>
        this.#callerSpans.hits(id, change, fromMs, toMs, limit, options.accountId),
    );
  }

  /**
   * The times of the oldest and newest events indexed (two lookups in the index by time), or undefined
   * when it holds none: what a query that found nothing could have found.
   */
  public timeSpan(): IndexSpan | undefined {
    const row = this.#db.prepare(TIME_SPAN_SQL).get() as {
      first: number | null;
      last: number | null;
    };
    return row.first === null || row.last === null ? undefined : { firstMs: row.first, lastMs: row.last };
  }

  /**
   * Whether any file was indexed with `--all`, so that read-only and failed calls are here to find; false
   * for an index of changes only (or of events written without a file).
   */
  public holdsReads(): boolean {
    return this.#db.prepare("SELECT 1 FROM files WHERE mode = 'all' LIMIT 1").get() !== undefined;
  }

  /** Row counts (a full count of the events: not for a hot path). */
  public stats(): IndexStats {
    const count = (table: string): number =>
      (this.#db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { events: count('events'), keys: count('keys'), callers: count('callers'), files: count('files') };
  }

  /** Copies the write-ahead log into the database file and truncates it (after an index run). */
  public checkpoint(): void {
    if (!this.readonly) this.#db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Lets SQLite refresh its query planner statistics (cheap; after an index run). */
  public optimize(): void {
    if (!this.readonly) this.#db.pragma('optimize');
  }

  public close(): void {
    if (this.#db.open) this.#db.close();
  }

  #callerOf(row: CallerDbRow): CallerRow {
    const cached = this.#callers.get(row.id);
    if (cached !== undefined) return cached;
    const caller: CallerRow = {
      id: row.id,
      principal: JSON.parse(row.principal) as Principal,
      ...(row.access_key_id !== null && { accessKeyId: row.access_key_id }),
      ...(row.user_agent !== null && { userAgent: row.user_agent }),
      ...(row.source_ip !== null && { sourceIPAddress: row.source_ip }),
    };
    if (this.#callers.size >= MAX_CACHED_CALLERS) this.#callers.clear();
    this.#callers.set(row.id, caller);
    return caller;
  }

  #caller(id: number): CallerRow {
    const cached = this.#callers.get(id);
    if (cached !== undefined) return cached;
    const row = this.#stmts.callerById.get(id);
    if (row === undefined) throw new IndexFileError(`${this.path}: event refers to missing caller ${id}`);
    return this.#callerOf(row);
  }

  #eventOf(row: EventRow): StoredEvent {
    const caller = this.#caller(row.caller_id);
    const layout = this.#layouts.layout(row.layout_id);
    const { identifiers, aliases, request } = decodeDetail(
      layout,
      row.detail,
      `${this.path}: event ${row.event_id}`,
    );
    return {
      eventId: row.event_id,
      eventName: layout.name,
      eventSource: layout.source,
      eventTimeMs: row.time_ms,
      awsRegion: row.region,
      accountId: row.account,
      principal: caller.principal,
      ...(caller.userAgent !== undefined && { userAgent: caller.userAgent }),
      ...(caller.sourceIPAddress !== undefined && { sourceIPAddress: caller.sourceIPAddress }),
      identifiers,
      aliases,
      change: row.change === 1,
      readOnly: row.read_only === 1,
      ...(row.error_code !== null && { errorCode: row.error_code }),
      ...(caller.accessKeyId !== undefined && { accessKeyId: caller.accessKeyId }),
      request,
    };
  }
}

function newestFirst(a: StoredEvent, b: StoredEvent): number {
  return b.eventTimeMs - a.eventTimeMs || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0);
}
