import type { Writable } from 'node:stream';
import {
  formatDidTable,
  formatTimelineCsv,
  formatTimelineJsonl,
  type TimelineFormat,
} from '../cli/output/timeline.js';
import { joinFirst } from '../core/clip.js';
import { plainText } from '../core/render/escape.js';
import {
  groupByServiceAndResource,
  type PrincipalMatcher,
  principalFacts,
  principalMatcher,
  type ServiceGroup,
  type TimelineEntry,
  type TimeRange,
  timelineOf,
} from '../core/timeline.js';
import { type CallerRow, IndexFileError, type IndexSpan, SqliteEventIndex } from '../index/sqlite.js';
import { DEFAULT_LIMIT } from './defaults.js';
import { describeRange, indexSpanText, READS_NOT_INDEXED } from './index-span.js';

export interface DidOptions {
  readonly range?: TimeRange;
  readonly accountId?: string;
  /** Include read-only and failed calls (only in an index built with `--all`). @default false */
  readonly includeReads?: boolean;
  /** The newest `limit` events; 0 for all. @default DEFAULT_LIMIT */
  readonly limit?: number;
}

export interface DidResult {
  readonly matcher: PrincipalMatcher;
  /** The distinct principals (by display) the argument matched. */
  readonly principals: readonly string[];
  /** Newest first. */
  readonly entries: TimelineEntry[];
  /** By service, then resource. */
  readonly groups: ServiceGroup[];
  readonly truncated: boolean;
}

function matchingCallers(index: SqliteEventIndex, matcher: PrincipalMatcher): CallerRow[] {
  // An access key is an indexed lookup; anything else is a scan of the (small) callers table.
  const candidates = matcher.kind === 'access-key' ? index.callers(matcher.spec) : index.callers();
  return candidates.filter((caller) => matcher.matches(principalFacts(caller.principal, caller.accessKeyId)));
}

/**
 * Everything a principal changed, from an open index: `spec` is a principal ARN or ARN glob, a session,
 * user or Identity Center user name, or an access key id (see `principalMatcher`).
 */
export function queryDid(index: SqliteEventIndex, spec: string, options: DidOptions = {}): DidResult {
  const matcher = principalMatcher(spec);
  const callers = matchingCallers(index, matcher);
  const limit = options.limit ?? DEFAULT_LIMIT;
  const events = index.eventsByCallers(
    callers.map((caller) => caller.id),
    {
      ...(options.range?.fromMs !== undefined && { fromMs: options.range.fromMs }),
      ...(options.range?.toMs !== undefined && { toMs: options.range.toMs }),
      ...(options.accountId !== undefined && { accountId: options.accountId }),
      includeReads: options.includeReads ?? false,
      limit: limit > 0 ? limit + 1 : 0,
    },
  );
  const all = timelineOf(events, 'index');
  const truncated = limit > 0 && all.length > limit;
  const entries = truncated ? all.slice(0, limit) : all;
  const principals = [...new Set(callers.map((caller) => caller.principal.display))].sort();
  return { matcher, principals, entries, groups: groupByServiceAndResource(entries), truncated };
}

export interface DidContext extends DidOptions {
  readonly db: string;
  readonly principal: string;
  readonly format: TimelineFormat;
  readonly width?: number;
}

export interface DidStreams {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

const SHOWN_PRINCIPALS = 5;

/** `cloudblame did`. Exit code 0 (also when nothing is found), 2 when the index cannot be opened. */
export async function did(
  ctx: DidContext,
  streams: DidStreams,
): Promise<{ exitCode: number; result?: DidResult }> {
  let index: SqliteEventIndex;
  try {
    index = SqliteEventIndex.open(ctx.db, { readonly: true });
  } catch (error) {
    if (!(error instanceof IndexFileError)) throw error;
    streams.stderr.write(`cloudblame: ${error.message}\n`);
    return { exitCode: 2 };
  }
  let result: DidResult;
  let span: IndexSpan | undefined;
  try {
    result = queryDid(index, ctx.principal, ctx);
    if (result.entries.length === 0) span = index.timeSpan();
    if (ctx.includeReads === true && !index.holdsReads())
      streams.stderr.write(`cloudblame: ${READS_NOT_INDEXED}\n`);
  } finally {
    index.close();
  }
  const what = plainText(result.matcher.description, { singleLine: true });
  if (result.principals.length === 0) {
    streams.stderr.write(`cloudblame: no calls by ${what} in the index ${ctx.db}\n`);
    streams.stderr.write(`cloudblame: ${indexSpanText(span)}\n`);
  } else if (result.entries.length === 0) {
    streams.stderr.write(
      `cloudblame: ${what} made no ${ctx.includeReads ? 'calls' : 'changes'}${describeRange(ctx.range) || ' in that time'}\n`,
    );
    streams.stderr.write(`cloudblame: ${indexSpanText(span)}\n`);
  } else {
    const names = joinFirst(result.principals, { shown: SHOWN_PRINCIPALS, separator: '; ' });
    const count = `${result.entries.length}${result.truncated ? '+' : ''}`;
    const noun = `${ctx.includeReads ? 'call' : 'change'}${result.entries.length === 1 && !result.truncated ? '' : 's'}`;
    const line = plainText(`${count} ${noun} by ${what} (${names}), by service and resource`, {
      singleLine: true,
    });
    if (ctx.format === 'table') streams.stdout.write(`${line}\n\n`);
    else streams.stderr.write(`cloudblame: ${line}\n`);
  }
  // JSON Lines and CSV rows carry their service and resource, in the same grouped order as the table.
  const grouped = result.groups.flatMap((group) => group.resources.flatMap((resource) => resource.entries));
  if (ctx.format === 'csv') streams.stdout.write(formatTimelineCsv(grouped));
  else if (ctx.format === 'jsonl') streams.stdout.write(formatTimelineJsonl(grouped));
  else if (result.entries.length > 0)
    streams.stdout.write(formatDidTable(result.groups, { width: ctx.width ?? 120 }));
  if (result.truncated) {
    streams.stderr.write(`cloudblame: showing the newest ${result.entries.length}; use --limit 0 for all\n`);
  }
  return { exitCode: 0, result };
}
