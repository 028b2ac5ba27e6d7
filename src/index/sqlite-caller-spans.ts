/**
 * How `did` finds a caller's events: one row per caller, change (1 for a successful write) and write
 * (a file, or one `putStored`), with the rowids and times its events there span. An archive file holds
 * a hundred events of a few dozen callers, so this costs about half a row per event (written 32 to a
 * statement), where an index or a key row per event cost 1–1.5 µs of the 20 an event may take. Events of
 * one write take rowids in order, so a span's rowid range is short. A query is one statement that reads
 * the newest spans first, each one's events by rowid range, and stops once the spans left are older than
 * the `limit` newest events found. A span covers less than `MAX_SPAN_MS` (a longer one is split), so a
 * window in the past is found without reading every newer span.
 */
import type Database from 'better-sqlite3';
import { BatchedInsert } from './sqlite-batch.js';
import { keepNewest } from './sqlite-rows.js';

interface Span {
  firstMs: number;
  lastMs: number;
  firstRowid: number;
  lastRowid: number;
}

/** Longest time one span covers; the events of a write spread wider go in several spans. */
export const MAX_SPAN_MS = 3_600_000;

interface HitsParams {
  readonly caller: number;
  readonly change: number;
  readonly fromMs: number;
  readonly toMs: number;
  /** The newest a span's last event can be and still hold an event at or before `toMs`. */
  readonly lastUpTo: number;
  readonly account?: string;
}

/** A span's last time, then one of its caller's events in the window: rowid and time. */
type HitRow = [lastMs: number, rowid: number, timeMs: number];

export class CallerSpans {
  /** Spans of the write being made, by `callerId * 2 + change`. */
  readonly #open = new Map<number, Span>();
  /** Spans of closed writes, held for the commit. */
  readonly #rows: BatchedInsert | undefined;
  readonly #hits: Database.Statement<[HitsParams], HitRow>;
  readonly #hitsInAccount: Database.Statement<[HitsParams], HitRow>;

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
    // Spans newest first along their primary key, each one's events by rowid range: no sort, so rows
    // stream and the caller stops reading when it has what it needs.
    const hits = (account: string) => `SELECT s.last_ms, e.id, e.time_ms FROM caller_spans s
      JOIN events e ON e.id BETWEEN s.first_rowid AND s.last_rowid
      WHERE s.caller_id = @caller AND s.change = @change AND s.last_ms >= @fromMs AND s.last_ms <= @lastUpTo
        AND s.first_ms <= @toMs AND e.caller_id = @caller AND e.change = @change
        AND e.time_ms BETWEEN @fromMs AND @toMs ${account}
      ORDER BY s.last_ms DESC, s.first_rowid DESC`;
    this.#hits = db.prepare<[HitsParams], HitRow>(hits('')).raw();
    this.#hitsInAccount = db.prepare<[HitsParams], HitRow>(hits('AND e.account = @account')).raw();
  }

  /** Notes an event of the write being made. */
  public add(callerId: number, change: number, timeMs: number, rowid: number): void {
    const key = callerId * 2 + change;
    const span = this.#open.get(key);
    if (span === undefined || Math.max(span.lastMs, timeMs) - Math.min(span.firstMs, timeMs) >= MAX_SPAN_MS) {
      if (span !== undefined) this.#hold(key, span);
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
    for (const [key, span] of this.#open) this.#hold(key, span);
    this.#open.clear();
  }

  /** Holds a span's row for `flush`. */
  #hold(key: number, span: Span): void {
    const rows = this.#rows;
    if (rows === undefined) throw new Error('CallerSpans opened for reading only');
    const at = rows.reserve();
    const values = rows.buffer;
    values[at] = Math.floor(key / 2);
    values[at + 1] = key % 2;
    values[at + 2] = span.lastMs;
    values[at + 3] = span.firstMs;
    values[at + 4] = span.firstRowid;
    values[at + 5] = span.lastRowid;
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
    const params: HitsParams = {
      caller: callerId,
      change,
      fromMs,
      toMs,
      lastUpTo: toMs + MAX_SPAN_MS,
      ...(accountId !== undefined && { account: accountId }),
    };
    const rows = accountId === undefined ? this.#hits : this.#hitsInAccount;
    const found: [number, number][] = [];
    // Spans of one caller can overlap when its events are not written in time order.
    const seen = new Set<number>();
    let kth = Number.NEGATIVE_INFINITY;
    for (const [lastMs, rowid, timeMs] of rows.iterate(params)) {
      // Every event of this span and the next ones is older than the `limit` newest found.
      if (lastMs < kth) break;
      if (seen.has(rowid)) continue;
      seen.add(rowid);
      found.push([rowid, timeMs]);
      if (limit > 0 && found.length >= 2 * limit) kth = keepNewest(found, limit);
    }
    if (limit > 0) keepNewest(found, limit);
    return found;
  }
}
