/**
 * The rows of the `events` table: written once each, found again by event id and time.
 *
 * CloudTrail can deliver an event twice, so events are unique by `(time_ms, event_key)`, `event_key`
 * being a 53-bit hash of the event id: a duplicate has the same time, and an index led by time takes
 * new entries near its end, where one led by a hash takes them anywhere (measured: 0.6 µs an event
 * against 2–3 µs). The rare event whose place is held by another event of the same time and hash is
 * stored with a NULL key and found through a small partial index on its id. Rowids are given in
 * order (an append, the cheapest insert; rows placed by time were measured to write 2.4 times the
 * bytes, an archive being read account by account and region by region).
 */
import type Database from 'better-sqlite3';
import { hash53 } from './hash.js';
import type { EventRow } from './sqlite-rows.js';

/** The values of an event row after its rowid and key, in the column order of `events`. */
export type EventValues = [
  eventId: string,
  timeMs: number,
  account: string,
  region: string,
  layoutId: number,
  callerId: number,
  change: number,
  readOnly: number,
  errorCode: string | null,
  detail: string,
  fileId: number | null,
];

/** Rows per multi-row INSERT of `insertMany`. */
export const EVENTS_PER_STATEMENT = 16;

const COLUMNS = `event_key, event_id, time_ms, account, region, layout_id, caller_id, change, read_only, error_code,
  detail, file_id`;
/** One `?` per column of `COLUMNS`. */
const PLACES = Array(12).fill('?').join(', ');
const ROW = `(${PLACES})`;

/** Writes and finds event rows, on one connection. */
export class EventRows {
  readonly #db: Database.Database;
  /** Multi-row INSERTs by row count, made when first needed. */
  readonly #many = new Map<number, Database.Statement<(string | number | null)[]>>();
  readonly #insert: Database.Statement<[number | null, number | null, ...EventValues]> | undefined;
  readonly #byKey: Database.Statement<[number, number], EventRow>;
  readonly #unkeyed: Database.Statement<[string], EventRow>;
  readonly #byId: Database.Statement<[number], EventRow>;
  readonly #byEventId: Database.Statement<[string], EventRow>;

  public constructor(db: Database.Database, writer: boolean) {
    this.#db = db;
    this.#insert = writer
      ? db.prepare(`INSERT OR IGNORE INTO events (id, ${COLUMNS}) VALUES (?, ${PLACES})`)
      : undefined;
    this.#byKey = db.prepare('SELECT * FROM events WHERE time_ms = ? AND event_key = ?');
    this.#unkeyed = db.prepare('SELECT * FROM events WHERE event_key IS NULL AND event_id = ?');
    this.#byId = db.prepare('SELECT * FROM events WHERE id = ?');
    this.#byEventId = db.prepare('SELECT * FROM events WHERE event_id = ?');
  }

  /**
   * The rowid the event was stored at, or -1 when it is stored already.
   * @param rowid where to store it @default the next one
   */
  public insert(values: EventValues, rowid: number | null = null): number {
    const insert = this.#insert;
    if (insert === undefined) throw new Error('EventRows opened for reading only');
    let result = insert.run(rowid, hash53(values[0]), ...values);
    if (result.changes === 0) {
      // Stored already, or another event of the same time has the same hash: then it goes in without a key.
      if (this.find(values[0], values[1]) !== undefined) return -1;
      result = insert.run(rowid, null, ...values);
    }
    return Number(result.lastInsertRowid);
  }

  /**
   * Stores events, up to `EVENTS_PER_STATEMENT` in one statement: for each, the rowid it was stored at,
   * or -1 when it is stored already (before, or earlier in `batch`). Rowids are given in order, so when
   * every row went in, the statement's rows are the last ones; when some did not, each event is looked
   * up: it went in when its row is one of the statement's.
   */
  public insertMany(batch: readonly EventValues[]): number[] {
    if (batch.length > EVENTS_PER_STATEMENT) {
      throw new RangeError(
        `insertMany takes at most ${EVENTS_PER_STATEMENT} events, but ${batch.length} were given`,
      );
    }
    if (batch.length === 0) return [];
    const values: (string | number | null)[] = [];
    for (const row of batch) values.push(hash53(row[0]), ...row);
    const result = this.#statement(batch.length).run(...values);
    const last = Number(result.lastInsertRowid);
    if (result.changes === batch.length) return batch.map((_, i) => last - batch.length + 1 + i);
    // The rows of this statement are the last `changes` ones (none when it changed nothing).
    const first = result.changes === 0 ? Number.POSITIVE_INFINITY : last - result.changes + 1;
    const claimed = new Set<number>();
    return batch.map((row) => {
      const held = this.#byKey.get(row[1], hash53(row[0]));
      if (held !== undefined && held.event_id === row[0]) {
        if (held.id >= first && !claimed.has(held.id)) {
          claimed.add(held.id);
          return held.id;
        }
        return -1;
      }
      // Another event holds its (time, hash) place: stored, if it is not already, without a key.
      return this.insert(row);
    });
  }

  #statement(rows: number): Database.Statement<(string | number | null)[]> {
    const held = this.#many.get(rows);
    if (held !== undefined) return held;
    const statement = this.#db.prepare<(string | number | null)[]>(
      `INSERT OR IGNORE INTO events (${COLUMNS}) VALUES ${Array(rows).fill(ROW).join(', ')}`,
    );
    this.#many.set(rows, statement);
    return statement;
  }

  /** The row of a stored event (an indexed lookup). */
  public find(eventId: string, timeMs: number): EventRow | undefined {
    const row = this.#byKey.get(timeMs, hash53(eventId));
    // An event goes in without a key only when another one holds its (time, hash) place.
    if (row === undefined || row.event_id === eventId) return row;
    return this.#unkeyed.get(eventId);
  }

  public byId(rowid: number): EventRow | undefined {
    return this.#byId.get(rowid);
  }

  /** The row of an event found by its id alone: a scan, for tests and tools, not for a hot path. */
  public byEventId(eventId: string): EventRow | undefined {
    return this.#byEventId.get(eventId);
  }
}
