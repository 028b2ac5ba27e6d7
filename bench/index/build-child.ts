/**
 * `node dist/bench/index/build-child.js DB SOURCE [--all]`: `cloudblame index` (`bulkIndex` from
 * src/actions/index-archive.ts, the code behind the CLI) of SOURCE into a fresh SQLite file DB, and nothing
 * else; then writes its summary, the index's size on disk, its peak RSS and its CPU time to the file
 * named by CLOUDBLAME_BENCH_STATS.
 */
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { bulkIndex, type IndexSummary } from '../../src/actions/index-archive.js';
import { processStats } from '../lib/child.js';

export interface BuildStats {
  readonly maxRssKb: number;
  readonly cpuMs: number;
  /** `bulkIndex` alone: open, read, write, checkpoint, close (module loading excluded). */
  readonly indexMs: number;
  readonly summary: IndexSummary;
  /** The index file, with its write-ahead log if one is left. */
  readonly dbBytes: number;
}

const [db, source, flag] = process.argv.slice(2);
if (db === undefined || source === undefined || (flag !== undefined && flag !== '--all'))
  throw new Error('usage: DB SOURCE [--all]');
const files = ['', '-wal', '-shm'].map((suffix) => `${db}${suffix}`);
// The bench removes the last run's index before this process starts (outside its timing); run by hand,
// this makes the file fresh.
for (const file of files) rmSync(file, { force: true });
const t0 = performance.now();
const summary = await bulkIndex([source], db, { all: flag === '--all' });
const indexMs = performance.now() - t0;
const stats: BuildStats = {
  ...processStats(),
  indexMs,
  summary,
  dbBytes: files.reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0),
};
writeFileSync(process.env['CLOUDBLAME_BENCH_STATS'] ?? '/dev/stdout', JSON.stringify(stats));
