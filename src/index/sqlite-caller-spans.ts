/**
 * How `did` finds a caller's events: one row per caller, change (1 for a successful write) and write
 * (a file, or one `putStored`), with the rowids and times its events there span. An archive file holds
 * a hundred events of a few dozen callers, so this costs a fraction of a row per event, where an index
 * or a key row per event cost 1–1.5 µs of the 20 an event may take. Events of one write take rowids in
 * order, so a span's rowid range is short: a query reads the newest spans first and each one's events
 * by rowid range, until the spans left are older than the `limit` newest events found.
 */
import type Database from 'better-sqlite3';
import { BatchedInsert } from './sqlite-batch.js';

interface Span {
  firstMs: number;
  lastMs: number;
  firstRowid: number;
  lastRowid: number;
}

type SpanRow = [lastMs: number, firstMs: number, firstRowid: number, lastRowid: number];

/** Spans read per query step. */
const SPANS_PER_STEP = 64;

export class CallerSpans {
  /** Spans of the write being made, by `callerId * 2 + change`. */
  readonly #open = new Map<number, Span>();
  /** Spans of closed writes, held for the commit. */
  readonly #rows: BatchedInsert | undefined;
  readonly #newest: Database.Statement<[number, number, number, number], SpanRow>;
  readonly #older: Database.Statement<[number, number, number, number, number, number, number], SpanRow>;
  readonly #hits: Database.Statement<[number, number, number, number, number, number], [number, number]>;
  readonly #hitsInAccount: Database.Statement<
    [number, number, number, number, number, number, string],
    [number, number]
  >;

  public constructor(db: Database.Database, writer: boolean) {
    this.#rows = writer
      ? new BatchedInsert(db, 'caller_spans', [
          'caller_id',
          'change',
          'last_ms',
          'first_ms',
          'first_rowid',
          'last_rowid',
        ])
      : undefined;
    const spans = `SELECT last_ms, first_ms, first_rowid, last_rowid FROM caller_spans
      WHERE caller_id = ? AND change = ? AND last_ms >= ?`;
    const order = 'ORDER BY last_ms DESC, first_rowid DESC LIMIT ?';
    this.#newest = db.prepare<[number, number, number, number], SpanRow>(`${spans} ${order}`).raw();
    this.#older = db
      .prepare<[number, number, number, number, number, number, number], SpanRow>(
        `${spans} AND (last_ms < ? OR (last_ms = ? AND first_rowid < ?)) ${order}`,
      )
      .raw();
    const hits = `SELECT id, time_ms FROM events WHERE id BETWEEN ? AND ? AND caller_id = ? AND change = ?
      AND time_ms BETWEEN ? AND ?`;
    this.#hits = db.prepare<[number, number, number, number, number, number], [number, number]>(hits).raw();
    this.#hitsInAccount = db
      .prepare<[number, number, number, number, number, number, string], [number, number]>(
        `${hits} AND account = ?`,
      )
      .raw();
  }

  /** Notes an event of the write being made. */
  public add(callerId: number, change: number, timeMs: number, rowid: number): void {
    const key = callerId * 2 + change;
    const span = this.#open.get(key);
    if (span === undefined) {
      this.#open.set(key, { firstMs: timeMs, lastMs: timeMs, firstRowid: rowid, lastRowid: rowid });
      return;
    }
    if (timeMs < span.firstMs) span.firstMs = timeMs;
    if (timeMs > span.lastMs) span.lastMs = timeMs;
    if (rowid < span.firstRowid) span.firstRowid = rowid;
    if (rowid > span.lastRowid) span.lastRowid = rowid;
  }

  /** Ends the write being made: its spans are held for `flush`. */
  public close(): void {
    const rows = this.#rows;
    if (rows === undefined) throw new Error('CallerSpans opened for reading only');
    for (const [key, span] of this.#open) {
      const at = rows.reserve();
      const values = rows.buffer;
      values[at] = Math.floor(key / 2);
      values[at + 1] = key % 2;
      values[at + 2] = span.lastMs;
      values[at + 3] = span.firstMs;
      values[at + 4] = span.firstRowid;
      values[at + 5] = span.lastRowid;
    }
    this.#open.clear();
  }

  /** Span rows held. */
  public get held(): number {
    return this.#rows?.length ?? 0;
  }

  /** Writes the spans held, inside the transaction of their writes. */
  public flush(): void {
    this.#rows?.flush();
  }

  /** Forgets the spans of writes that were rolled back. */
  public discard(): void {
    this.#open.clear();
    this.#rows?.discard();
  }

  /**
   * (rowid, time) of the caller's events with this `change` in `[fromMs, toMs]`: the `limit` newest of
   * them and any more of the last one's time (all when `limit` is below 1), in no particular order.
   */
  public hits(
    callerId: number,
    change: number,
    fromMs: number,
    toMs: number,
    limit: number,
    accountId?: string,
  ): [number, number][] {
    const found: [number, number][] = [];
    let kth = Number.NEGATIVE_INFINITY;
    let spans = this.#newest.all(callerId, change, fromMs, SPANS_PER_STEP);
    while (spans.length > 0) {
      for (const [lastMs, firstMs, firstRowid, lastRowid] of spans) {
        // Every event of this span and the next ones is older than the `limit` newest found.
        if (lastMs < kth) return found;
        if (firstMs > toMs) continue;
        const rows =
          accountId === undefined
            ? this.#hits.all(firstRowid, lastRowid, callerId, change, fromMs, toMs)
            : this.#hitsInAccount.all(firstRowid, lastRowid, callerId, change, fromMs, toMs, accountId);
        for (const row of rows) found.push(row);
        if (limit > 0 && found.length >= limit) {
          found.sort((a, b) => b[1] - a[1] || b[0] - a[0]);
          kth = found[limit - 1]![1];
          // Events of the last time kept are all kept: the result orders them by event id.
          let cut = limit;
          while (cut < found.length && found[cut]![1] === kth) cut += 1;
          found.length = cut;
        }
      }
      const [lastMs, , firstRowid] = spans[spans.length - 1]!;
      spans = this.#older.all(callerId, change, fromMs, lastMs, lastMs, firstRowid, SPANS_PER_STEP);
    }
    return found;
  }
}
