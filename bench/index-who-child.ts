/**
 * `node dist/bench/index-who-child.js DB LABELS CLOUDTRAIL_DIR`: `cloudblame index` (bulkIndex) of the archive
 * into a fresh SQLite file, then `who` queries on the resources of the labelled corpus, timed one by one on
 * the open index and, for a few, cold (open, query, close). Writes its figures to CLOUDBLAME_BENCH_STATS.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { bulkIndex } from '../src/actions/index-archive.js';
import { queryWho, whoOnce } from '../src/actions/who.js';
import { SqliteEventIndex } from '../src/index/sqlite.js';
import { processStats } from './lib/child.js';

const [db, labelsPath, ...sources] = process.argv.slice(2);
if (db === undefined || labelsPath === undefined || sources.length === 0)
  throw new Error('usage: DB LABELS SOURCES...');
rmSync(db, { force: true });
rmSync(`${db}-wal`, { force: true });
rmSync(`${db}-shm`, { force: true });
const t0 = performance.now();
const summary = await bulkIndex(sources, db);
const indexMs = performance.now() - t0;

const resources = readFileSync(labelsPath, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => (JSON.parse(l) as { resourceId: string }).resourceId);
const sample = resources
  .filter((_, i) => i % Math.max(1, Math.floor(resources.length / 300)) === 0)
  .slice(0, 300);
const index = SqliteEventIndex.open(db, { readonly: true });
const warmMs: number[] = [];
let found = 0;
try {
  for (const resource of sample) {
    const t = performance.now();
    const result = queryWho(index, resource);
    warmMs.push(performance.now() - t);
    if (result.entries.length > 0) found += 1;
  }
} finally {
  index.close();
}
const coldMs: number[] = [];
for (const resource of sample.slice(0, 20)) {
  const t = performance.now();
  whoOnce(db, resource);
  coldMs.push(performance.now() - t);
}
writeFileSync(
  process.env['CLOUDBLAME_BENCH_STATS'] ?? '/dev/stdout',
  JSON.stringify({
    ...processStats(),
    indexMs,
    events: summary.events,
    kept: summary.kept,
    errors: summary.errors,
    dbBytes: statSync(db).size,
    queries: sample.length,
    found,
    warmMs,
    coldMs,
  }),
);
