/**
 * Part 1: replay throughput against the parsing floor, side by side in one run.
 *
 * Every measurement runs in a fresh Node process (bench/lib/child.ts); floor and replay alternate, and each
 * is repeated, so that a burst of load from another process hits both. The best (shortest) run of each is
 * reported, with the spread.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../gen/generate.js';
import { type ChildRun, runNode } from '../lib/child.js';
import { fmtInt, fmtMb, fmtNum, fmtRatio, fmtSeconds, type Table } from '../lib/format.js';
import type { FloorResult } from './floor.js';

type Stats = { maxRssKb: number; cpuMs: number };

export interface Measured {
  readonly label: string;
  readonly events: number;
  readonly bytes: number;
  readonly runs: readonly ChildRun<Stats>[];
}

export interface ThroughputResult {
  readonly floorSequential: Measured;
  readonly floorReadAhead: Measured;
  readonly floorBlocking: Measured;
  readonly replay: Measured;
  /** `replay --workers 1 --parse-all`: every record parsed, none skimmed. */
  readonly replayParseAll: Measured;
  readonly replayWorkers: Measured;
  readonly replaySmall: Measured;
  readonly workers: number;
  readonly identical: boolean;
  /** Findings of `--parse-all` byte for byte those of the skimming run. */
  readonly identicalParseAll: boolean;
  readonly findingsPath: string;
  readonly summaryLine: string;
}

export interface ThroughputOptions {
  readonly root: string;
  readonly manifest: Manifest;
  readonly dataDir: string;
  readonly repeat: number;
  readonly log: (line: string) => void;
}

function best(m: Measured): ChildRun<Stats> {
  return m.runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
}

function perSecond(m: Measured): number {
  return m.events / (best(m).wallMs / 1000);
}

function md5(path: string): string {
  return createHash('md5').update(readFileSync(path)).digest('hex');
}

function check<T extends Stats>(run: ChildRun<T>, what: string): ChildRun<T> {
  if (run.code !== 0) throw new Error(`${what} exited with ${run.code}: ${run.stderr.slice(-2000)}`);
  return run;
}

/** One `replay --workers 1` of the whole archive, for its findings (part 3 without part 1). */
export async function replayOnce(root: string, manifest: Manifest, out: string): Promise<void> {
  const run = await runNode<Stats>(
    [
      join(root, 'dist', 'bench', 'throughput', 'replay-child.js'),
      'replay',
      '--cloudtrail',
      manifest.cloudtrailDir,
      '--config',
      manifest.configDir,
      '--format',
      'jsonl',
      '--out',
      out,
      '--no-progress',
    ],
    { cwd: root },
  );
  check(run, 'cloudblame replay');
}

export async function measureThroughput(o: ThroughputOptions): Promise<ThroughputResult> {
  const { manifest } = o;
  const floorJs = join(o.root, 'dist', 'bench', 'throughput', 'floor.js');
  const replayJs = join(o.root, 'dist', 'bench', 'throughput', 'replay-child.js');
  const findings1 = join(o.dataDir, 'findings.workers-1.jsonl');
  const findingsN = join(o.dataDir, 'findings.workers-auto.jsonl');
  const findingsAll = join(o.dataDir, 'findings.parse-all.jsonl');
  const findingsSmall = join(o.dataDir, 'findings.day-1.jsonl');
  const ct = [manifest.cloudtrailDir];
  const day1 = manifest.days[0]!;
  const replayArgs = (
    cloudtrail: readonly string[],
    config: readonly string[],
    out: string,
    workers: string,
    ...extra: string[]
  ): string[] => [
    replayJs,
    'replay',
    '--cloudtrail',
    ...cloudtrail,
    '--config',
    ...config,
    '--format',
    'jsonl',
    '--out',
    out,
    '--no-progress',
    '--workers',
    workers,
    ...extra,
  ];
  const runs = {
    floorSequential: [] as ChildRun<Stats>[],
    floorReadAhead: [] as ChildRun<Stats>[],
    floorBlocking: [] as ChildRun<Stats>[],
    replay: [] as ChildRun<Stats>[],
    replayParseAll: [] as ChildRun<Stats>[],
    replayWorkers: [] as ChildRun<Stats>[],
    replaySmall: [] as ChildRun<Stats>[],
  };
  let summaryLine = '';
  const step = async (
    label: string,
    list: ChildRun<Stats>[],
    args: string[],
    round: number,
  ): Promise<ChildRun<Stats>> => {
    o.log(`  ${label}${round > 0 ? ` (round ${round}/${o.repeat})` : ''}...`);
    const run = check(await runNode<Stats>(args, { cwd: o.root }), label);
    list.push(run);
    o.log(
      `    ${fmtSeconds(run.wallMs)}, peak RSS ${fmtInt(run.maxRssKb / 1024)} MB, load ${fmtNum(run.load[0], 2)}`,
    );
    return run;
  };
  for (let round = 1; round <= o.repeat; round++) {
    const floor = await step(
      'floor, sequential',
      runs.floorSequential,
      [floorJs, '--read-ahead', '0', ...ct],
      round,
    );
    const result = floor.stats as unknown as FloorResult | undefined;
    if (result !== undefined && result.records !== manifest.events) {
      throw new Error(`the floor read ${result.records} records, the manifest says ${manifest.events}`);
    }
    await step('floor, read-ahead 3', runs.floorReadAhead, [floorJs, '--read-ahead', '3', ...ct], round);
    await step('floor, blocking reads', runs.floorBlocking, [floorJs, '--blocking', ...ct], round);
    const replay = await step(
      'cloudblame replay --workers 1',
      runs.replay,
      replayArgs(ct, [manifest.configDir], findings1, '1'),
      round,
    );
    summaryLine = replay.stderr.trim().split('\n').pop() ?? '';
    await step(
      'cloudblame replay --workers 1 --parse-all',
      runs.replayParseAll,
      replayArgs(ct, [manifest.configDir], findingsAll, '1', '--parse-all'),
      round,
    );
    await step(
      'cloudblame replay --workers auto',
      runs.replayWorkers,
      replayArgs(ct, [manifest.configDir], findingsN, 'auto'),
      round,
    );
  }
  await step(
    `cloudblame replay --workers 1, first day only`,
    runs.replaySmall,
    replayArgs(day1.cloudtrailPaths, [day1.configPath], findingsSmall, '1'),
    0,
  );
  const measured = (label: string, list: ChildRun<Stats>[], events: number, bytes: number): Measured => ({
    label,
    events,
    bytes,
    runs: list,
  });
  const workers = availableParallelism();
  return {
    floorSequential: measured(
      'floor: read, gunzip, JSON.parse, one file after another',
      runs.floorSequential,
      manifest.events,
      manifest.bytes,
    ),
    floorReadAhead: measured(
      'floor: the same, 3 files read ahead (as replay reads)',
      runs.floorReadAhead,
      manifest.events,
      manifest.bytes,
    ),
    floorBlocking: measured(
      'floor: the same, read on the parsing thread (as workers read)',
      runs.floorBlocking,
      manifest.events,
      manifest.bytes,
    ),
    replay: measured('cloudblame replay --workers 1', runs.replay, manifest.events, manifest.bytes),
    replayParseAll: measured(
      'cloudblame replay --workers 1 --parse-all (no record skimmed)',
      runs.replayParseAll,
      manifest.events,
      manifest.bytes,
    ),
    replayWorkers: measured(
      `cloudblame replay --workers auto (${workers} threads)`,
      runs.replayWorkers,
      manifest.events,
      manifest.bytes,
    ),
    replaySmall: measured(
      `cloudblame replay --workers 1, first day only (1/${manifest.days.length} of the archive)`,
      runs.replaySmall,
      day1.events,
      day1.bytes,
    ),
    workers,
    identical: md5(findings1) === md5(findingsN),
    identicalParseAll: md5(findings1) === md5(findingsAll),
    findingsPath: findings1,
    summaryLine,
  };
}

export function throughputTable(r: ThroughputResult): Table {
  const floorRa = perSecond(r.floorReadAhead);
  const floorSeq = perSecond(r.floorSequential);
  const floorBlk = perSecond(r.floorBlocking);
  const row = (m: Measured, vs: string): string[] => {
    const b = best(m);
    const walls = m.runs.map((x) => x.wallMs);
    const spread = walls.length > 1 ? ` (worst ${fmtSeconds(Math.max(...walls))})` : '';
    return [
      m.label,
      fmtInt(m.events),
      `${fmtSeconds(b.wallMs)}${spread}`,
      fmtInt(perSecond(m)),
      fmtNum(m.bytes / 1024 / 1024 / (b.wallMs / 1000), 0),
      fmtSeconds(b.cpuMs),
      fmtMb(b.maxRssKb * 1024),
      vs,
    ];
  };
  const single = perSecond(r.replay);
  const parseAll = perSecond(r.replayParseAll);
  const multi = perSecond(r.replayWorkers);
  // The targets are judged against the fastest of the single-core floors: the strictest reading.
  const floorBest = Math.max(floorSeq, floorRa, floorBlk);
  const floorBestName =
    floorBest === floorBlk ? 'blocking' : floorBest === floorRa ? 'read-ahead' : 'sequential';
  const ok = (pass: boolean): string => (pass ? 'met' : 'NOT met');
  const rssMax = Math.max(best(r.replay).maxRssKb, best(r.replaySmall).maxRssKb) / 1024;
  const loads = [...r.replay.runs, ...r.replayWorkers.runs, ...r.floorSequential.runs].map((x) => x.load[0]);
  const skimmed = /(\d+) events skimmed/.exec(r.summaryLine)?.[1];
  return {
    title: '1. Replay throughput against the parsing floor',
    head: ['run', 'events', 'wall (best)', 'events/s', 'MB/s', 'CPU', 'peak RSS', 'ratio'],
    rows: [
      row(r.floorSequential, '1.00x (sequential floor)'),
      row(r.floorReadAhead, `${fmtRatio(floorRa / floorSeq)} of sequential`),
      row(r.floorBlocking, `${fmtRatio(floorBlk / floorSeq)} of sequential`),
      row(
        r.replay,
        `${fmtRatio(single / floorBest)} of fastest floor, ${fmtRatio(single / floorSeq)} of sequential`,
      ),
      row(
        r.replayParseAll,
        `${fmtRatio(parseAll / floorBest)} of fastest floor, ${fmtRatio(parseAll / floorRa)} of read-ahead`,
      ),
      row(
        r.replayWorkers,
        `${fmtRatio(multi / floorBest)} of fastest floor, ${fmtRatio(multi / floorSeq)} of sequential`,
      ),
      row(r.replaySmall, 'memory at a smaller size'),
    ],
    notes: [
      `MB/s: uncompressed JSON. Best of ${r.floorSequential.runs.length} alternating runs each, every run a fresh process, wall time from spawn to exit (module loading included).`,
      `Targets are judged against the fastest single-core floor of the run (here the ${floorBestName} one, ${fmtInt(floorBest)} events/s).`,
      `Target: single-threaded replay >= 0.70x the floor's events/s: ${fmtRatio(single / floorBest)} (${ok(single / floorBest >= 0.7)}); with every record parsed (--parse-all) ${fmtRatio(parseAll / floorBest)}.`,
      `Target: worker threads on all cores >= 1.5x the single-core floor: ${fmtRatio(multi / floorBest)} with ${r.workers} threads on ${availableParallelism()} cores (${ok(multi / floorBest >= 1.5)}).`,
      `Target: peak RSS < 500 MB whatever the size: ${fmtInt(best(r.replaySmall).maxRssKb / 1024)} MB for ${fmtInt(r.replaySmall.events)} events, ${fmtInt(best(r.replay).maxRssKb / 1024)} MB for ${fmtInt(r.replay.events)}, ${fmtInt(best(r.replayWorkers).maxRssKb / 1024)} MB with worker threads (${ok(rssMax < 500 && best(r.replayWorkers).maxRssKb / 1024 < 500)}).`,
      `Replay parses only the records it may need: reads and data events no rule is about are recognised in the file's bytes (src/core/parse/trail-skim.ts) and skipped${skimmed === undefined ? '' : ` (${fmtInt(Number(skimmed))} of ${fmtInt(r.replay.events)} here)`}, which is how it can outrun a floor that parses every record. The floors are the issue's: read, gunzip, JSON.parse every record.`,
      `The blocking floor reads each file on the parsing thread (no thread pool), as replay's worker threads do; the read-ahead floor reads as replay --workers 1 does.`,
      `Findings of --parse-all byte for byte those of the skimming run: ${r.identicalParseAll ? 'yes' : 'NO'}.`,
      `Findings of --workers 1 and --workers auto byte for byte identical: ${r.identical ? 'yes' : 'NO'}.`,
      `Machine load (1-minute average) at the start of the runs: ${loads.map((l) => fmtNum(l, 2)).join(', ')} on ${availableParallelism()} cores.`,
      `Replay's summary: ${r.summaryLine.replace(/^cloudblame: /, '')}`,
    ],
  };
}
