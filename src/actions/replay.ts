import { type FileHandle, open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { formatJsonl } from '../cli/output/jsonl.js';
import { outputOrder } from '../cli/output/order.js';
import { errorReporter, ProgressLine } from '../cli/output/progress.js';
import { formatFindingsTable } from '../cli/output/table.js';
import { loadConfigFile } from '../config/load.js';
import { type CloudBlameConfig, defaultConfig } from '../core/config/schema.js';
import { changeKeys } from '../core/correlate.js';
import { CloudBlameError } from '../core/errors.js';
import type { AlertFinding, ChangeFinding, ConfigChange, Finding } from '../core/model.js';
import { resolveRuleSet } from '../core/rules/config.js';
import { RuleGate } from '../core/rules/gate.js';
import { MemoryEventIndex } from '../index/memory.js';
import { readDocuments } from '../io/read-documents.js';
import { walkFiles } from '../io/walk.js';
import { findingFor } from '../pipeline.js';
import type { RenderTarget } from '../sinks/render-payload.js';
import type { SqliteIdempotencyStore } from '../sinks/sqlite-idempotency.js';
import {
  type AdHocTarget,
  adHocTargetProblems,
  describeOutcome,
  notify,
  renderToDirectory,
} from './notify.js';
import { type DocumentScan, explainsSomeChange, Scanner } from './replay-scan.js';
import { parallelPass, startWorkers, workerCount } from './replay-workers.js';

export interface ReplayContext {
  readonly cloudtrailPaths: readonly string[];
  readonly configPaths: readonly string[];
  /** @default the built-in defaults (see schema/cloudblame.schema.json) */
  readonly configFile?: string;
  readonly format: 'table' | 'jsonl';
  /** Where findings go. @default stdout */
  readonly out?: string;
  /** Draw a progress line on stderr. @default stderr is a terminal */
  readonly progress: boolean;
  /** How many input errors to print before only counting them; 0 prints all. @default 100 */
  readonly maxErrors: number;
  /** `--notify kind=URL` targets, on top of the config file's channels. @default none */
  readonly notify?: readonly AdHocTarget[];
  /**
   * `--notify-state FILE`: the record of findings delivered, kept across runs, so that a run over the
   * same or a grown archive sends each finding once per channel. @default this run's memory only
   */
  readonly notifyState?: string;
  /** `--render TARGET`: write each message's payload under `out` (a directory) instead of sending. */
  readonly render?: RenderTarget;
  /** Environment for `{ env: NAME }` channel URLs and the webhook signing secret. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Threads for the CloudTrail pass: 1 reads on the main thread; N > 1 starts N worker threads; 0 starts
   * one per core. The findings are the same whatever the number. @default 1
   */
  readonly workers?: number;
  /**
   * Parse every CloudTrail record, also those replay has no use for (reads and data events no rule is
   * about), so that each bad record is reported. Otherwise those are recognised in the file's bytes and
   * skipped.
   * @default false
   */
  readonly parseAll?: boolean;
}

export interface ReplayStreams {
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
}

export interface ReplaySummary {
  files: number;
  bytes: number;
  events: number;
  /** Events recognised in the bytes as of no use and not parsed (see `ReplayContext.parseAll`). */
  unparsed: number;
  changes: number;
  attributed: number;
  unattributed: number;
  outOfBand: number;
  alerts: number;
  suppressedAlerts: number;
  errors: number;
  skipped: Record<string, number>;
}

export interface ReplayResult {
  readonly exitCode: number;
  readonly summary: ReplaySummary;
  /** In output order: out-of-band changes, then alerts, then the other changes. */
  readonly findings: readonly Finding[];
}

/**
 * Reads Config changes first (they are few), so that the much larger CloudTrail pass keeps only events
 * that can explain one of them: memory grows with the number of changes, not with the archive.
 */
export async function replay(ctx: ReplayContext, streams: ReplayStreams): Promise<ReplayResult> {
  const summary: ReplaySummary = {
    files: 0,
    bytes: 0,
    events: 0,
    unparsed: 0,
    changes: 0,
    attributed: 0,
    unattributed: 0,
    outOfBand: 0,
    alerts: 0,
    suppressedAlerts: 0,
    errors: 0,
    skipped: {},
  };
  let config: CloudBlameConfig;
  try {
    config = ctx.configFile === undefined ? defaultConfig() : await loadConfigFile(ctx.configFile);
  } catch (error) {
    if (!(error instanceof CloudBlameError)) throw error;
    streams.stderr.write(`cloudblame: invalid config file: ${error.message}\n`);
    return { exitCode: 2, summary, findings: [] };
  }

  // What would fail at the end is checked before the work: a run of many minutes is not lost to a typo.
  const targetProblems = adHocTargetProblems(ctx.notify ?? []);
  if (targetProblems.length > 0) {
    for (const problem of targetProblems) streams.stderr.write(`cloudblame: --notify ${problem}\n`);
    return { exitCode: 2, summary, findings: [] };
  }
  let out: FileHandle | undefined;
  if (ctx.out !== undefined && ctx.render === undefined) {
    try {
      out = await open(ctx.out, 'w');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      streams.stderr.write(`cloudblame: cannot write --out ${ctx.out}: ${reason}\n`);
      return { exitCode: 2, summary, findings: [] };
    }
  }
  try {
    return await replayInto(ctx, streams, config, summary, out);
  } finally {
    await out?.close();
  }
}

async function replayInto(
  ctx: ReplayContext,
  streams: ReplayStreams,
  config: CloudBlameConfig,
  summary: ReplaySummary,
  out: FileHandle | undefined,
): Promise<ReplayResult> {
  const ruleSet = resolveRuleSet(config.rules);
  const alerts: AlertFinding[] = [];
  const progress = new ProgressLine(streams.stderr, ctx.progress);
  const reportError = errorReporter(streams.stderr, progress, ctx.maxErrors, () => {
    summary.errors += 1;
  });

  // Only a terminal shows the bar, so only then is the input walked once beforehand to know its size.
  const totalFiles = ctx.progress
    ? await countFiles([...ctx.configPaths, ...ctx.cloudtrailPaths])
    : undefined;
  const changes: ConfigChange[] = [];
  const index = new MemoryEventIndex();
  const wanted = new Set<string>();
  const scanner = new Scanner(new RuleGate(ruleSet), wanted);
  const seenFiles = new Set<string>();
  let readable = 0;

  /**
   * Adds one document's scan to the run. `learn` is given for scans made elsewhere (worker threads):
   * the scan's changes and kept events are then checked against `wanted` here, in file order, exactly as
   * the scanner does it, and each key this adds to `wanted` is passed to `learn`.
   */
  const apply = async (scan: DocumentScan, learn?: (key: string) => void): Promise<void> => {
    if (!seenFiles.has(scan.file)) {
      seenFiles.add(scan.file);
      summary.files += 1;
    }
    if (scan.readError !== undefined) {
      reportError(scan.readError);
      return;
    }
    readable += 1;
    summary.bytes += scan.bytes;
    for (const error of scan.errors) reportError(error);
    for (const [type, count] of Object.entries(scan.skipped)) {
      summary.skipped[type] = (summary.skipped[type] ?? 0) + count;
    }
    for (const change of scan.changes) {
      changes.push(change);
      if (learn === undefined) continue;
      for (const key of changeKeys(change)) {
        if (!wanted.has(key)) learn(key);
        wanted.add(key);
      }
    }
    summary.events += scan.events;
    summary.unparsed += scan.unparsed;
    for (const alert of scan.alerts) alerts.push(alert);
    summary.suppressedAlerts += scan.suppressedAlerts;
    const kept =
      learn === undefined ? scan.kept : scan.kept.filter((e) => explainsSomeChange(e, wanted, learn));
    if (kept.length > 0) await index.put(kept);
    const rate = Math.round(summary.events / Math.max(0.001, progress.elapsedSeconds()));
    progress.update(
      `${summary.files}/${totalFiles ?? '?'} files, ${summary.events} events (${rate}/s), ${changes.length} changes`,
      totalFiles === undefined || totalFiles === 0 ? undefined : summary.files / totalFiles,
    );
  };

  const skim = ctx.parseAll !== true;
  const pass = async (paths: readonly string[]): Promise<void> => {
    for await (const read of readDocuments([...paths], { skim })) {
      for (const scan of scanner.scan(read)) await apply(scan);
    }
  };

  const workers = workerCount(ctx.workers ?? 1);
  // Started now, so that their start overlaps the Config pass.
  const pool =
    workers > 1 && ctx.cloudtrailPaths.length > 0
      ? startWorkers({
          count: workers,
          skim,
          ...(ctx.configFile !== undefined && { configFile: ctx.configFile }),
        })
      : undefined;
  try {
    // Config first (it is small), so that the CloudTrail pass keeps only the events that can explain a change.
    await pass(ctx.configPaths);
    if (pool !== undefined) {
      await parallelPass({
        pool,
        paths: ctx.cloudtrailPaths,
        wanted,
        apply: async (docs) => {
          const learned: string[] = [];
          const learn = (key: string): void => {
            learned.push(key);
          };
          for (const scan of docs) await apply(scan, learn);
          return learned;
        },
      });
    } else {
      await pass(ctx.cloudtrailPaths);
    }
  } finally {
    await pool?.close();
  }
  progress.clear();

  const changeFindings: ChangeFinding[] = [];
  for (const change of changes) changeFindings.push(await findingFor(change, index, config));
  for (const finding of changeFindings) {
    summary.changes += 1;
    if (finding.attribution.status === 'attributed') summary.attributed += 1;
    else summary.unattributed += 1;
    if (finding.verdict.outOfBand) summary.outOfBand += 1;
  }
  summary.alerts = alerts.length;
  const findings = outputOrder(changeFindings, alerts);

  const groupWindowMinutes = config.notifications.groupWindowMinutes;
  if (ctx.render !== undefined && ctx.out !== undefined) {
    const written = await renderToDirectory(findings, ctx.render, ctx.out, groupWindowMinutes);
    await writeFindings(findings, ctx.format, streams.stdout);
    streams.stderr.write(`cloudblame: wrote ${written.length} ${ctx.render} payloads to ${ctx.out}\n`);
  } else {
    await writeFindings(findings, ctx.format, out ?? streams.stdout);
  }
  streams.stderr.write(`${formatSummary(summary)}\n`);

  let deliveryFailed = false;
  const env = ctx.env ?? process.env;
  if ((ctx.notify?.length ?? 0) > 0 || config.notifications.channels.length > 0) {
    // Loaded only to notify: SQLite is no part of a plain replay.
    const { NotifyStateError, SqliteIdempotencyStore: StateFile } = await import(
      '../sinks/sqlite-idempotency.js'
    );
    let store: SqliteIdempotencyStore | undefined;
    try {
      if (ctx.notifyState !== undefined) store = StateFile.open(ctx.notifyState);
      const outcome = await notify(findings, {
        adHoc: ctx.notify ?? [],
        configured: config.notifications.channels,
        groupWindowMinutes,
        webhookSecret: env['CLOUDBLAME_WEBHOOK_SECRET'],
        env,
        ...(store !== undefined && { store }),
      });
      describeOutcome(outcome, streams.stderr);
      deliveryFailed = outcome.failed > 0;
    } catch (error) {
      if (!(error instanceof NotifyStateError)) throw error;
      // Sending without the record could send twice what an earlier run sent: nothing is sent.
      streams.stderr.write(`cloudblame: ${error.message}; no notification was sent\n`);
      deliveryFailed = true;
    } finally {
      store?.close();
    }
  }
  const nothingRead = readable === 0;
  if (nothingRead) streams.stderr.write('cloudblame: no input could be read\n');
  else if (ctx.cloudtrailPaths.length === 0 && summary.changes > 0)
    streams.stderr.write(
      'cloudblame: no --cloudtrail input was given, so no change could be attributed; add the CloudTrail logs of the same time (e.g. --cloudtrail ./AWSLogs)\n',
    );
  return { exitCode: nothingRead ? 1 : deliveryFailed ? 3 : 0, summary, findings };
}

/** How many files the reader will open, for the progress bar (the same walk, without reading). */
async function countFiles(paths: readonly string[]): Promise<number> {
  let files = 0;
  for await (const entry of walkFiles(paths)) if (!('failed' in entry)) files += 1;
  return files;
}

/** Writes the findings to standard output or to the `--out` file opened at the start. */
async function writeFindings(
  findings: readonly Finding[],
  format: ReplayContext['format'],
  target: Writable | FileHandle,
): Promise<void> {
  const columns = 'columns' in target ? Number(target.columns) || 120 : 120;
  const text =
    format === 'jsonl'
      ? findings.map((f) => `${formatJsonl(f)}\n`).join('')
      : formatFindingsTable(findings, { width: columns });
  if ('writeFile' in target) {
    await target.writeFile(text);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    target.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

export function formatSummary(s: ReplaySummary): string {
  const skipped = Object.entries(s.skipped)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
  return (
    `cloudblame: ${s.files} files, ${s.events} events, ${s.changes} changes, ` +
    `${s.attributed} attributed, ${s.unattributed} unattributed, ${s.outOfBand} out-of-band, ` +
    `${s.alerts} alerts${s.suppressedAlerts > 0 ? `, ${s.suppressedAlerts} suppressed` : ''}, ${s.errors} errors` +
    (s.unparsed > 0 ? `, ${s.unparsed} events skimmed` : '') +
    (skipped ? ` (skipped: ${skipped})` : '')
  );
}
