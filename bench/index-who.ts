/**
 * `cloudblame index` and `cloudblame who` over SQLite (issue 7), on the same archive: indexing throughput
 * (successful writes kept, reads and failed calls counted and dropped) and `who` query latency.
 */
import { join } from 'node:path';
import type { Manifest } from './gen/generate.js';
import { runNode } from './lib/child.js';
import { fmtInt, fmtMb, fmtSeconds, quantile, type Table } from './lib/format.js';

export interface IndexWhoResult {
  readonly events: number;
  readonly kept: number;
  readonly errors: number;
  readonly wallMs: number;
  readonly indexMs: number;
  readonly maxRssKb: number;
  readonly dbBytes: number;
  readonly queries: number;
  readonly found: number;
  readonly warmMs: number[];
  readonly coldMs: number[];
}

export async function measureIndexWho(
  root: string,
  manifest: Manifest,
  dataDir: string,
  log: (line: string) => void,
): Promise<IndexWhoResult | { readonly notMeasured: string }> {
  log('  cloudblame index (SQLite) of the archive, then who queries...');
  type Stats = Omit<IndexWhoResult, 'wallMs'> & { cpuMs: number };
  const run = await runNode<Stats>(
    [
      join(root, 'dist', 'bench', 'index-who-child.js'),
      join(dataDir, 'index.db'),
      join(dataDir, 'labels.jsonl'),
      manifest.cloudtrailDir,
    ],
    { cwd: root },
  );
  if (run.code !== 0 || run.stats === undefined)
    return { notMeasured: `index/who failed: ${run.stderr.trim().split('\n').slice(-3).join(' ')}` };
  return { ...run.stats, wallMs: run.wallMs };
}

export function indexWhoTable(r: IndexWhoResult | { readonly notMeasured: string }): Table {
  if ('notMeasured' in r) {
    return {
      title: '5. cloudblame index / who (SQLite)',
      head: ['measure', 'value'],
      rows: [],
      notes: [`not measured: ${r.notMeasured}`],
    };
  }
  return {
    title: '5. cloudblame index / who (SQLite)',
    head: ['measure', 'value'],
    rows: [
      ['events read', fmtInt(r.events)],
      ['events kept (successful writes)', fmtInt(r.kept)],
      ['index time (bulkIndex)', fmtSeconds(r.indexMs)],
      ['events/s read and indexed', fmtInt(r.events / (r.indexMs / 1000))],
      ['write events/s kept and indexed', fmtInt(r.kept / (r.indexMs / 1000))],
      ['index file', fmtMb(r.dbBytes)],
      ['peak RSS (index, then queries)', fmtMb(r.maxRssKb * 1024)],
      [
        `who, open index: median / p95 / max (${r.queries} resources, ${r.found} with events)`,
        `${fmtSeconds(quantile(r.warmMs, 0.5))} / ${fmtSeconds(quantile(r.warmMs, 0.95))} / ${fmtSeconds(Math.max(...r.warmMs))}`,
      ],
      ['who, cold (open, query, close): median', fmtSeconds(quantile(r.coldMs, 0.5))],
    ],
    notes: [
      `Errors while indexing: ${r.errors}. bulkIndex and queryWho/whoOnce from src/actions (issue 7), run in a fresh process.`,
    ],
  };
}
