import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_DB, DEFAULT_LIMIT } from '../../actions/defaults.js';
import { isoTime } from '../../actions/index-span.js';
import { parseTimeSpec, TimeSpecError } from '../../core/timeline.js';
import type { TimelineFormat } from '../output/timeline.js';

/** The options `who` and `did` share, as commander parses them. */
export interface QueryOptions {
  db: string;
  since?: number;
  until?: number;
  account?: string;
  all?: boolean;
  limit: number;
  format?: TimelineFormat;
}

/** `--since 7d` / `--until 2026-11-01T00:00:00Z` → epoch ms, relative to the time the command started. */
export function timeOption(now: number): (value: string) => number {
  return (value) => {
    try {
      return parseTimeSpec(value, now);
    } catch (error) {
      if (error instanceof TimeSpecError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`must be a whole number of 0 or more, but "${value}" was provided`);
  }
  return n;
}

/** `--no-progress` and `--max-errors`: how `replay` and `index` report on the input they read. */
export function addInputReportOptions(command: Command): Command {
  return command
    .option('--no-progress', 'never draw the progress line on stderr')
    .option(
      '--max-errors <n>',
      'print at most n input errors (all are counted); 0 prints all',
      nonNegativeInteger,
      100,
    );
}

const ACCOUNT = /^\d{12}$/;

function accountId(value: string): string {
  if (!ACCOUNT.test(value))
    throw new InvalidArgumentError(`must be a 12-digit AWS account id, got "${value}"`);
  return value;
}

export function addQueryOptions(command: Command, now: number, sinceExample: string): Command {
  return command
    .option('--db <file>', 'the event index (built by cloudblame index)', DEFAULT_DB)
    .option(
      `--since <when>`,
      `from this time: a duration back from now (${sinceExample}, 36h, 2w) or an ISO time`,
      timeOption(now),
    )
    .option('--until <when>', 'up to this time: a duration back from now or an ISO time', timeOption(now))
    .option('--account <id>', 'only this AWS account', accountId)
    .option('--all', 'include read-only and failed calls (kept only by cloudblame index --all)')
    .option('--limit <n>', `show the newest n events; 0 for all`, nonNegativeInteger, DEFAULT_LIMIT)
    .addOption(
      new Option('--format <format>', 'output format (default: table on a terminal, else jsonl)').choices([
        'table',
        'jsonl',
        'csv',
      ]),
    );
}

/** What `who` and `did` pass on to their action from the shared options. */
export function queryContext(options: QueryOptions): {
  db: string;
  range: { fromMs?: number; toMs?: number };
  accountId?: string;
  includeReads: boolean;
  limit: number;
  format: TimelineFormat;
  width: number;
} {
  return {
    db: options.db,
    range: {
      ...(options.since !== undefined && { fromMs: options.since }),
      ...(options.until !== undefined && { toMs: options.until }),
    },
    ...(options.account !== undefined && { accountId: options.account }),
    includeReads: options.all === true,
    limit: options.limit,
    format: options.format ?? (process.stdout.isTTY ? 'table' : 'jsonl'),
    width: process.stdout.columns || 120,
  };
}

/**
 * What makes a `who` or `did` query unanswerable before it runs: an empty subject, or a `--since` after
 * its `--until` (which would quietly find nothing). Undefined when there is nothing wrong.
 */
export function queryProblem(options: QueryOptions, subject: string, name: string): string | undefined {
  if (subject.trim() === '') return `the ${name} must not be empty`;
  if (options.since !== undefined && options.until !== undefined && options.since > options.until) {
    return `--since (${isoTime(options.since)}) must not be after --until (${isoTime(options.until)}); swap them`;
  }
  return undefined;
}
