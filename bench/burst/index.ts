/** Part 2: API economy and latency under a burst (a virtual-clock simulation; see bench/README.md). */
import { fmtInt, fmtSeconds, quantile, type Table } from '../lib/format.js';
import { Rng } from '../lib/rng.js';
import { cloudblameDesign } from './cloudblame.js';
import { type DesignResult, publishedDesign } from './published.js';
import { type BurstOptions, DEFAULT_BURST, makeBurst } from './scenario.js';

export interface BurstResult {
  readonly options: BurstOptions;
  readonly designs: readonly DesignResult[];
  readonly lost: number;
  readonly realMs: number;
}

export async function simulateBurst(options: BurstOptions = DEFAULT_BURST): Promise<BurstResult> {
  const started = performance.now();
  const { changes } = makeBurst(options);
  const rng = new Rng(options.seed ^ 0x5bd1e995);
  const designs = [
    await publishedDesign(changes, 'paced', rng.fork('paced')),
    await publishedDesign(changes, 'concurrent', rng.fork('concurrent')),
    await cloudblameDesign(changes, rng.fork('cloudblame')),
  ];
  return {
    options,
    designs,
    lost: changes.filter((c) => c.lost).length,
    realMs: performance.now() - started,
  };
}

export function burstTable(r: BurstResult): Table {
  return {
    title: `2. API economy and latency: a terraform apply changes ${fmtInt(r.options.changes)} resources in ${fmtSeconds(r.options.spreadMs)}`,
    head: [
      'design',
      'LookupEvents calls',
      'throttled',
      'change → notification: median',
      'p95',
      'max',
      'notified with author',
    ],
    rows: r.designs.map((d) => [
      d.name,
      fmtInt(d.lookupCalls),
      fmtInt(d.throttles),
      fmtSeconds(quantile(d.latenciesMs, 0.5)),
      fmtSeconds(quantile(d.latenciesMs, 0.95)),
      fmtSeconds(Math.max(...d.latenciesMs)),
      `${fmtInt(d.withAuthor)} / ${fmtInt(d.withAuthor + d.withoutAuthor)}`,
    ]),
    notes: [
      'Virtual clock; delays drawn (seeded) from the distributions in bench/README.md: CloudTrail delivery log-normal, median 2 min, p95 ~6 min, cut at 15 min; Config capture median 90 s; LookupEvents 2 calls/s per account and region, 300 ms per call.',
      `${r.lost} of the ${fmtInt(r.options.changes)} events never reach cloudblame's index (${(r.options.lostShare * 100).toFixed(1)}% modelled loss): only the LookupEvents fallback can find them.`,
      `cloudblame: the attribution function's ChangeProcessor, the memory event index, LookupEventsFallback and TokenBuckets from src/, unchanged; ${fmtInt(r.designs[2]?.deferrals ?? 0)} deferrals through the queue (visibility timeout backoff). Simulated in ${fmtSeconds(r.realMs)} of real time.`,
    ],
  };
}
