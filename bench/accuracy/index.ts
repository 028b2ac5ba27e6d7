/**
 * Part 3: attribution accuracy on labelled corpora.
 *
 * - The generated corpus: every configuration item the generator wrote, with the event that caused it
 *   (or none), scored against the findings of the throughput run's `replay --workers 1`.
 * - examples/expected.json: the bundled demo account's answer key.
 * - The published designs' method on the same generated corpus, as a model (see bench/README.md): one
 *   `LookupEvents` with `ResourceName` = the Config resourceId, in the region the Config notification came
 *   from, over the 15 minutes before the capture time, and the most recent event returned is blamed.
 *
 * A wrong attribution (another event blamed) is worse than an honest "unattributed"; both are counted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Label } from '../gen/episodes.js';
import { runNode } from '../lib/child.js';
import { fmtInt, getOrCreate, type Table } from '../lib/format.js';
import { type LookupRecord, lookupNames } from '../lib/lookup-names.js';

export interface Score {
  correct: number;
  wrong: number;
  /** Reported unattributed although an event caused the change. */
  unattributed: number;
  /** Of the wrong ones: blamed an event placed as a trap (a read, a failed call, another account...). */
  wrongTrap: number;
  total: number;
}

function emptyScore(): Score {
  return { correct: 0, wrong: 0, unattributed: 0, wrongTrap: 0, total: 0 };
}

function tally(score: Score, expected: string | null, got: string | null, traps: readonly string[]): void {
  score.total += 1;
  if (got === expected) score.correct += 1;
  else if (got === null) score.unattributed += 1;
  else {
    score.wrong += 1;
    if (traps.includes(got)) score.wrongTrap += 1;
  }
}

type LabelLine = Label & { readonly day: number };

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

interface ChangeLine {
  readonly kind: string;
  readonly resource: { readonly type: string; readonly id: string; readonly account: string };
  readonly captureTime: string;
  readonly attribution: { readonly status: string; readonly eventId: string | null };
}

function keyOf(account: string, type: string, id: string, captureTime: string): string {
  return `${account}|${type}|${id}|${new Date(captureTime).toISOString()}`;
}

export interface CorpusResult {
  readonly cloudblame: Score;
  readonly published: Score;
  readonly publishedWrites: Score;
  /** Per scenario: cloudblame's and the published model's score. */
  readonly byScenario: Map<string, { cloudblame: Score; published: Score; publishedWrites: Score }>;
  missing: number;
}

// ---------------------------------------------------------------------------------------------------------
// The published designs' lookup, modelled

const WINDOW_MS = 15 * 60_000;

/**
 * The event the published designs blame for `label`, or null. `writesOnly`: a kinder variant that also
 * drops read-only and failed calls from what LookupEvents returns.
 */
function publishedAttribution(
  label: Label,
  byName: Map<string, LookupRecord[]>,
  writesOnly: boolean,
): string | null {
  const toMs = Date.parse(label.captureTime);
  let bestRecord: LookupRecord | undefined;
  for (const rec of byName.get(label.resourceId) ?? []) {
    const t = Date.parse(rec.eventTime);
    // LookupEvents: this account, the region the function runs in, management events only.
    if (rec.recipientAccountId !== label.accountId || rec.awsRegion !== label.recordingRegion) continue;
    if (rec.eventCategory === 'Data' || t < toMs - WINDOW_MS || t > toMs) continue;
    if (writesOnly && (rec.readOnly === true || rec.errorCode !== undefined)) continue;
    if (bestRecord === undefined || t > Date.parse(bestRecord.eventTime)) bestRecord = rec;
  }
  return bestRecord?.eventID ?? null;
}

export function scoreCorpus(dataDir: string, findingsPath: string): CorpusResult {
  const labels = readJsonl<LabelLine>(join(dataDir, 'labels.jsonl'));
  const byKey = new Map<string, ChangeLine>();
  for (const line of readJsonl<ChangeLine>(findingsPath)) {
    if (line.kind !== 'change') continue;
    byKey.set(keyOf(line.resource.account, line.resource.type, line.resource.id, line.captureTime), line);
  }
  const byName = new Map<string, LookupRecord[]>();
  for (const rec of readJsonl<LookupRecord>(join(dataDir, 'scenario-events.jsonl'))) {
    for (const name of lookupNames(rec)) {
      getOrCreate(byName, name, (): LookupRecord[] => []).push(rec);
    }
  }
  const result: CorpusResult = {
    cloudblame: emptyScore(),
    published: emptyScore(),
    publishedWrites: emptyScore(),
    byScenario: new Map(),
    missing: 0,
  };
  for (const label of labels) {
    let scenario = result.byScenario.get(label.scenario);
    if (scenario === undefined) {
      scenario = { cloudblame: emptyScore(), published: emptyScore(), publishedWrites: emptyScore() };
      result.byScenario.set(label.scenario, scenario);
    }
    const finding = byKey.get(
      keyOf(label.accountId, label.resourceType, label.resourceId, label.captureTime),
    );
    if (finding === undefined) result.missing += 1;
    const got = finding?.attribution.status === 'attributed' ? finding.attribution.eventId : null;
    tally(result.cloudblame, label.expectedEventId, got, label.traps);
    tally(scenario.cloudblame, label.expectedEventId, got, label.traps);
    const published = publishedAttribution(label, byName, false);
    tally(result.published, label.expectedEventId, published, label.traps);
    tally(scenario.published, label.expectedEventId, published, label.traps);
    const writes = publishedAttribution(label, byName, true);
    tally(result.publishedWrites, label.expectedEventId, writes, label.traps);
    tally(scenario.publishedWrites, label.expectedEventId, writes, label.traps);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// examples/expected.json

interface Expected {
  readonly changes: readonly {
    readonly resourceType: string;
    readonly resourceId: string;
    readonly accountId: string;
    readonly captureTime: string;
    readonly attribution: {
      readonly eventId: string | null;
      readonly allowedOtherEventIds: readonly string[];
    };
  }[];
  readonly neverBlamed: readonly { readonly eventId: string }[];
}

export interface ExamplesResult {
  readonly score: Score;
  /** Other candidates listed that the answer key does not allow. */
  readonly badOthers: number;
}

export async function scoreExamples(root: string): Promise<ExamplesResult> {
  const expected = JSON.parse(readFileSync(join(root, 'examples', 'expected.json'), 'utf8')) as Expected;
  const run = await runNode(
    [
      join(root, 'dist', 'bench', 'throughput', 'replay-child.js'),
      'replay',
      '--cloudtrail',
      'examples/cloudtrail',
      '--config',
      'examples/config',
      '--config-file',
      'examples/cloudblame.yaml',
      '--format',
      'jsonl',
      '--no-progress',
    ],
    { cwd: root },
  );
  if (run.code !== 0) throw new Error(`replay on examples/ failed: ${run.stderr}`);
  const lines = run.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ChangeLine & { attribution: { otherEventIds?: string[] } });
  const never = expected.neverBlamed.map((n) => n.eventId);
  const score = emptyScore();
  let badOthers = 0;
  for (const change of expected.changes) {
    const line = lines.find(
      (l) =>
        l.kind === 'change' &&
        l.resource.id === change.resourceId &&
        l.resource.type === change.resourceType &&
        new Date(l.captureTime).getTime() === new Date(change.captureTime).getTime(),
    );
    const got = line?.attribution.status === 'attributed' ? line.attribution.eventId : null;
    tally(score, change.attribution.eventId, got, never);
    for (const other of line?.attribution.otherEventIds ?? []) {
      if (!change.attribution.allowedOtherEventIds.includes(other)) badOthers += 1;
    }
  }
  return { score, badOthers };
}

// ---------------------------------------------------------------------------------------------------------

function cells(s: Score): string[] {
  const pct = (n: number): string => (s.total === 0 ? '' : ` (${((100 * n) / s.total).toFixed(1)}%)`);
  return [
    fmtInt(s.total),
    `${fmtInt(s.correct)}${pct(s.correct)}`,
    `${fmtInt(s.wrong)}${pct(s.wrong)}`,
    `${fmtInt(s.unattributed)}${pct(s.unattributed)}`,
  ];
}

export function accuracyTables(corpus: CorpusResult, examples: ExamplesResult): Table[] {
  const summary: Table = {
    title: '3. Attribution accuracy',
    head: ['corpus, method', 'changes', 'correct', 'wrong', 'unattributed'],
    rows: [
      ['generated corpus, cloudblame replay', ...cells(corpus.cloudblame)],
      ['generated corpus, published design (modelled)', ...cells(corpus.published)],
      ['generated corpus, published design, writes only (modelled)', ...cells(corpus.publishedWrites)],
      ['examples/expected.json, cloudblame replay', ...cells(examples.score)],
    ],
    notes: [
      'correct: the labelled event was blamed, or none was and the change was reported unattributed. wrong: another event was blamed. unattributed: an event caused the change but none was blamed.',
      'Published design (modelled): one LookupEvents on ResourceName = the resourceId, in the region the Config notification came from, 15 minutes before the capture, newest event blamed; the "writes only" variant also drops read-only and failed calls. The name matching is generous (any string in the request or response), see bench/README.md.',
      `Of the wrong ones, blamed a trap (a read, a failed call, a same-named resource in another account, a data event): cloudblame ${corpus.cloudblame.wrongTrap}, published design ${corpus.published.wrongTrap}, writes only ${corpus.publishedWrites.wrongTrap}.`,
      `examples/: other candidates listed that the answer key does not allow: ${examples.badOthers}. Labelled changes with no finding in the output: ${corpus.missing}.`,
    ],
  };
  const rows: string[][] = [];
  for (const [scenario, s] of [...corpus.byScenario.entries()].sort(
    (a, b) => b[1].cloudblame.total - a[1].cloudblame.total,
  )) {
    const c = s.cloudblame;
    const p = s.published;
    const w = s.publishedWrites;
    rows.push([
      scenario,
      fmtInt(c.total),
      `${c.correct} / ${c.wrong} / ${c.unattributed}`,
      `${p.correct} / ${p.wrong} / ${p.unattributed}`,
      `${w.correct} / ${w.wrong} / ${w.unattributed}`,
    ]);
  }
  const detail: Table = {
    title: '3b. By scenario (correct / wrong / unattributed)',
    head: ['scenario', 'changes', 'cloudblame', 'published design (modelled)', 'writes only'],
    rows,
  };
  return [summary, detail];
}
