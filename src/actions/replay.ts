import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { formatJsonl } from '../cli/output/jsonl.js';
import { outputOrder } from '../cli/output/order.js';
import { ProgressLine } from '../cli/output/progress.js';
import { formatFindingsTable } from '../cli/output/table.js';
import { loadConfigFile } from '../config/load.js';
import { type CloudBlameConfig, defaultConfig } from '../core/config/schema.js';
import { changeKeys } from '../core/correlate.js';
import { CloudBlameError, type InputError } from '../core/errors.js';
import type {
  AlertFinding,
  ChangeFinding,
  ConfigChange,
  Finding,
  IndexedEvent,
  TrailEvent,
} from '../core/model.js';
import { parseDocument } from '../core/parse/document.js';
import { resolveRuleSet } from '../core/rules/config.js';
import { MemoryEventIndex } from '../index/memory.js';
import { readDocuments } from '../io/read-documents.js';
import { alertsFor, findingFor, indexable } from '../pipeline.js';
import type { RenderTarget } from '../sinks/render-payload.js';
import { type AdHocTarget, describeOutcome, notify, renderToDirectory } from './notify.js';

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
  /** `--render TARGET`: write each message's payload under `out` (a directory) instead of sending. */
  readonly render?: RenderTarget;
  /** Environment for `{ env: NAME }` channel URLs and the webhook signing secret. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface ReplayStreams {
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
}

export interface ReplaySummary {
  files: number;
  bytes: number;
  events: number;
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

  const ruleSet = resolveRuleSet(config.rules);
  const alerts: AlertFinding[] = [];
  const progress = new ProgressLine(streams.stderr, ctx.progress);
  let printedErrors = 0;
  const reportError = (error: InputError): void => {
    summary.errors += 1;
    if (ctx.maxErrors === 0 || printedErrors < ctx.maxErrors) {
      progress.clear();
      streams.stderr.write(`error: ${error.message}\n`);
      printedErrors += 1;
    }
  };

  const changes: ConfigChange[] = [];
  const index = new MemoryEventIndex();
  const wanted = new Set<string>();
  const pending: IndexedEvent[] = [];
  const seenFiles = new Set<string>();
  let readable = 0;

  const onEvent = (event: TrailEvent): void => {
    summary.events += 1;
    const evaluation = alertsFor(event, ruleSet);
    alerts.push(...evaluation.alerts);
    summary.suppressedAlerts += evaluation.suppressed.length;
    if (wanted.size === 0) return;
    const compact = indexable(event);
    if (compact === undefined || !explainsSomeChange(compact, wanted)) return;
    pending.push(compact);
  };

  const pass = async (paths: readonly string[]): Promise<void> => {
    for await (const read of readDocuments([...paths])) {
      const file = fileOf(read.source);
      if (!seenFiles.has(file)) {
        seenFiles.add(file);
        summary.files += 1;
      }
      if ('error' in read) {
        reportError(read.error);
        continue;
      }
      readable += 1;
      summary.bytes += read.bytes;
      const parsed = parseDocument(read.doc, read.source);
      for (const error of parsed.errors) reportError(error);
      for (const [type, count] of Object.entries(parsed.skipped)) {
        summary.skipped[type] = (summary.skipped[type] ?? 0) + count;
      }
      for (const change of parsed.changes) {
        changes.push(change);
        for (const key of changeKeys(change)) wanted.add(key);
      }
      for (const event of parsed.events) onEvent(event);
      if (pending.length > 0) await index.put(pending.splice(0));
      progress.update(`${summary.files} files, ${summary.events} events, ${changes.length} changes`);
    }
  };

  await pass(ctx.configPaths);
  await pass(ctx.cloudtrailPaths);
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
    await writeFindings(findings, { ...ctx, out: undefined }, streams.stdout);
    streams.stderr.write(`cloudblame: wrote ${written.length} ${ctx.render} payloads to ${ctx.out}\n`);
  } else {
    await writeFindings(findings, ctx, streams.stdout);
  }
  streams.stderr.write(`${formatSummary(summary)}\n`);

  let deliveryFailed = false;
  const env = ctx.env ?? process.env;
  if ((ctx.notify?.length ?? 0) > 0 || config.notifications.channels.length > 0) {
    const outcome = await notify(findings, {
      adHoc: ctx.notify ?? [],
      configured: config.notifications.channels,
      groupWindowMinutes,
      webhookSecret: env['CLOUDBLAME_WEBHOOK_SECRET'],
      env,
    });
    describeOutcome(outcome, streams.stderr);
    deliveryFailed = outcome.failed > 0;
  }
  const nothingRead = readable === 0;
  if (nothingRead) streams.stderr.write('cloudblame: no input could be read\n');
  return { exitCode: nothingRead ? 1 : deliveryFailed ? 3 : 0, summary, findings };
}

/** Keeps an event that names a wanted key, learning the other names its alias groups give that resource. */
function explainsSomeChange(event: IndexedEvent, wanted: Set<string>): boolean {
  let hit = event.identifiers.some((id) => wanted.has(id.value));
  for (const group of event.aliases) {
    if (group.some((key) => wanted.has(key))) {
      for (const key of group) wanted.add(key);
      hit = true;
    }
  }
  return hit;
}

function fileOf(source: string): string {
  const at = source.lastIndexOf(':');
  return at > 0 && /^\d+$/.test(source.slice(at + 1)) ? source.slice(0, at) : source;
}

async function writeFindings(
  findings: readonly Finding[],
  ctx: ReplayContext,
  stdout: Writable,
): Promise<void> {
  const target = ctx.out === undefined ? stdout : createWriteStream(ctx.out);
  const text =
    ctx.format === 'jsonl'
      ? findings.map((f) => `${formatJsonl(f)}\n`).join('')
      : formatFindingsTable(findings, { width: 'columns' in stdout ? Number(stdout.columns) || 120 : 120 });
  await new Promise<void>((resolve, reject) => {
    target.write(text, (error) => (error ? reject(error) : resolve()));
  });
  if (target !== stdout) await new Promise<void>((resolve) => target.end(resolve));
}

export function formatSummary(s: ReplaySummary): string {
  const skipped = Object.entries(s.skipped)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
  return (
    `cloudblame: ${s.files} files, ${s.events} events, ${s.changes} changes, ` +
    `${s.attributed} attributed, ${s.unattributed} unattributed, ${s.outOfBand} out-of-band, ` +
    `${s.alerts} alerts${s.suppressedAlerts > 0 ? ` (${s.suppressedAlerts} suppressed)` : ''}, ${s.errors} errors` +
    (skipped ? ` (skipped: ${skipped})` : '')
  );
}
