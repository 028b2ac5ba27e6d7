/**
 * What an index holds, told when a query could not find what was asked: a stale index, a `--since` past its
 * end, or `--all` on an index of changes only.
 */
import type { TimeRange } from '../core/timeline.js';
import type { IndexSpan } from '../index/sqlite.js';

/** `2026-11-18T09:01:52Z`: CloudTrail's own form of a time, for messages (the bounds of a span or range). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `the index holds events from … to …`, or how to fill an empty one. */
export function indexSpanText(span: IndexSpan | undefined): string {
  if (span === undefined)
    return 'the index holds no events yet; build it with: cloudblame index <dir|s3://bucket/prefix>';
  return `the index holds events from ${isoTime(span.firstMs)} to ${isoTime(span.lastMs)}`;
}

/** Said when `--all` asks for reads that an index built without `--all` does not hold. */
export const READS_NOT_INDEXED =
  'this index holds changes only (built without --all), so --all finds no read-only or failed calls; index with cloudblame index --all to keep them';

/** ` between 2026-11-18T09:00:00.000Z and now` for a `--since`/`--until` range; empty for none. */
export function describeRange(range: TimeRange | undefined): string {
  const from = range?.fromMs !== undefined ? new Date(range.fromMs).toISOString() : undefined;
  const to = range?.toMs !== undefined ? new Date(range.toMs).toISOString() : undefined;
  if (from === undefined && to === undefined) return '';
  return ` between ${from ?? 'the beginning'} and ${to ?? 'now'}`;
}
