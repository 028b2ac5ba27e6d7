/** The shapes of the rows the SQLite event index reads and writes. */

export interface EventRow {
  id: number;
  event_id: string;
  event_key: number | null;
  time_ms: number;
  account: string;
  region: string;
  layout_id: number;
  caller_id: number;
  change: number;
  read_only: number;
  error_code: string | null;
  detail: string;
  file_id: number | null;
}

export interface CallerDbRow {
  id: number;
  key: string;
  principal: string;
  access_key_id: string | null;
  user_agent: string | null;
  source_ip: string | null;
}

export interface FileRow {
  id: number;
  size: number;
  version: string;
  mode: string;
  events: number;
  errors: number;
  indexed_at: number;
}

/** A (rowid, time) pair, as the first phase of a query finds events. */
export type Hit = [rowid: number, timeMs: number];

/**
 * Keeps the `limit` newest of `hits` (by time, then rowid) and any more of the last one's time, since a
 * result orders events of one time by event id, which the hits do not carry; sorts them newest first.
 * Returns the time of the `limit`-th newest (`-Infinity` when there are no more than `limit`).
 */
export function keepNewest(hits: Hit[], limit: number): number {
  hits.sort((a, b) => b[1] - a[1] || b[0] - a[0]);
  if (hits.length <= limit) return Number.NEGATIVE_INFINITY;
  const kth = hits[limit - 1]![1];
  let end = limit;
  while (end < hits.length && hits[end]![1] === kth) end += 1;
  hits.length = end;
  return kth;
}
