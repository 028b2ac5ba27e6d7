/**
 * `who` latency on a built index, in a fresh process.
 *
 *   node dist/bench/index/who-child.js warm DB TARGETS.json
 *     opens the index once (read-only, as `cloudblame who` does) and times `queryWho` (src/actions/who.ts)
 *     on each resource of TARGETS.json (a JSON array of names), one after the other: first as `who` asks
 *     by default (changes only, the newest 200), then, in a second pass, as `who --all` asks (reads and
 *     failed calls too); then `queryDid` (src/actions/did.ts) on the ARN of each principal in the index;
 *   node dist/bench/index/who-child.js cold DB RESOURCE
 *     times `whoOnce`: open, one default query, close, in a process that has done nothing else.
 *
 * Writes its figures to the file named by CLOUDBLAME_BENCH_STATS.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { queryDid } from '../../src/actions/did.js';
import { queryWho, type WhoOptions, whoOnce } from '../../src/actions/who.js';
import { SqliteEventIndex } from '../../src/index/sqlite.js';
import { processStats } from '../lib/child.js';

export interface QueryTiming {
  readonly ms: number;
  /** Events returned (at most the default limit, 200). */
  readonly entries: number;
  /** More events matched than the limit. */
  readonly truncated: boolean;
}

export interface WarmStats {
  readonly maxRssKb: number;
  readonly cpuMs: number;
  readonly openMs: number;
  /** In the order of TARGETS.json. */
  readonly changes: QueryTiming[];
  readonly all: QueryTiming[];
  /** `did` on each principal ARN of the index (sorted), its changes, the newest 200. */
  readonly did: (QueryTiming & { readonly principal: string })[];
}

export interface ColdStats {
  readonly maxRssKb: number;
  readonly cpuMs: number;
  /** `whoOnce`: open, query, close. */
  readonly ms: number;
  readonly entries: number;
}

function timed(run: () => { entries: readonly unknown[]; truncated: boolean }): QueryTiming {
  const t = performance.now();
  const result = run();
  const ms = performance.now() - t;
  return { ms, entries: result.entries.length, truncated: result.truncated };
}

const [mode, db, arg] = process.argv.slice(2);
const statsFile = process.env['CLOUDBLAME_BENCH_STATS'] ?? '/dev/stdout';
if (db === undefined || arg === undefined || (mode !== 'warm' && mode !== 'cold'))
  throw new Error('usage: warm DB TARGETS.json | cold DB RESOURCE');

if (mode === 'cold') {
  const t = performance.now();
  const result = whoOnce(db, arg);
  const ms = performance.now() - t;
  const stats: ColdStats = { ...processStats(), ms, entries: result.entries.length };
  writeFileSync(statsFile, JSON.stringify(stats));
} else {
  const resources = JSON.parse(readFileSync(arg, 'utf8')) as string[];
  const t = performance.now();
  const index = SqliteEventIndex.open(db, { readonly: true });
  const openMs = performance.now() - t;
  const all: WhoOptions = { includeReads: true };
  try {
    // One query first, untimed: the statements' first run and the JIT, not the index, would be measured.
    queryWho(index, 'warm-up-resource-that-is-not-there');
    const changes = resources.map((resource) => timed(() => queryWho(index, resource)));
    const withReads = resources.map((resource) => timed(() => queryWho(index, resource, all)));
    const arns = [...new Set(index.callers().flatMap((caller) => caller.principal.arn ?? []))].sort();
    const did = arns.map((principal) => ({ principal, ...timed(() => queryDid(index, principal)) }));
    const stats: WarmStats = { ...processStats(), openMs, changes, all: withReads, did };
    writeFileSync(statsFile, JSON.stringify(stats));
  } finally {
    index.close();
  }
}
