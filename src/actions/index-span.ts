/** What an index holds, told when a query found nothing in it: a stale index, or a `--since` past its end. */
import type { IndexSpan } from '../index/sqlite.js';

/** `the index holds events from … to …`, or how to fill an empty one. */
export function indexSpanText(span: IndexSpan | undefined): string {
  if (span === undefined)
    return 'the index holds no events yet; build it with: cloudblame index <dir|s3://bucket/prefix>';
  const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return `the index holds events from ${at(span.firstMs)} to ${at(span.lastMs)}`;
}
