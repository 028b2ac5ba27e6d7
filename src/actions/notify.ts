import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { CloudBlameConfig } from '../core/config/schema.js';
import type { Finding } from '../core/model.js';
import { type Delivery, planDeliveries } from '../core/notify/plan.js';
import type { RouteFilter } from '../core/notify/routing.js';
import { groupDeliveryItemsFor, type RoutedSink } from '../pipeline.js';
import { deliverAll } from '../sinks/deliver.js';
import { SinkConfigError } from '../sinks/errors.js';
import { FileSink } from '../sinks/file.js';
import { checkWebhookUrl } from '../sinks/http.js';
import { type IdempotencyStore, MemoryIdempotencyStore } from '../sinks/idempotency.js';
import type { Sink } from '../sinks/port.js';
import { type RenderTarget, renderPayload } from '../sinks/render-payload.js';
import { SlackSink } from '../sinks/slack.js';
import { TeamsSink } from '../sinks/teams.js';
import { WebhookSink } from '../sinks/webhook.js';

/** A `--notify kind=URL` target: every finding the policy says to notify goes there. */
export interface AdHocTarget {
  readonly kind: 'slack' | 'teams' | 'webhook';
  /** A secret: never printed. */
  readonly url: string;
}

export interface NotifyContext {
  readonly adHoc: readonly AdHocTarget[];
  readonly configured: CloudBlameConfig['notifications']['channels'];
  readonly groupWindowMinutes: number;
  /** Signing secret for webhook targets (X-CloudBlame-Signature). @default unsigned */
  readonly webhookSecret?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * What was delivered before, per channel and finding: findings found there are not sent again (a
   * replay run a second time, or over a grown archive). @default this run's memory only
   */
  readonly store?: IdempotencyStore;
}

export interface NotifyOutcome {
  /** Messages planned: one per session burst and channel. */
  readonly messages: number;
  /** Findings delivered, per channel (a message carries several). */
  readonly delivered: number;
  /** Findings delivered before (by this run or an earlier one): not sent again. */
  readonly skipped: number;
  /** Findings not delivered, per channel. */
  readonly failed: number;
  readonly problems: readonly string[];
}

const ALL: Omit<RouteFilter, 'name'> = {
  minSeverity: 'info',
  outOfBandOnly: false,
  kinds: ['change', 'alert'],
  includeSuppressed: false,
};

function httpSink(kind: AdHocTarget['kind'], name: string, url: string, secret?: string): Sink {
  if (kind === 'slack') return new SlackSink({ name, url });
  if (kind === 'teams') return new TeamsSink({ name, url });
  return new WebhookSink({ name, url, secret });
}

/** Sinks for the configured channels that can be reached from a workstation; the rest are problems. */
function configuredSinks(ctx: NotifyContext, problems: string[]): RoutedSink[] {
  const out: RoutedSink[] = [];
  for (const channel of ctx.configured) {
    if (channel.type === 'file') {
      out.push({ filter: channel, sink: new FileSink({ name: channel.name, path: channel.path }) });
    } else if (channel.type === 'sns') {
      problems.push(
        `channel ${channel.name}: SNS channels are delivered by the AWS deployment, not by replay`,
      );
    } else if ('env' in channel.url) {
      const url = ctx.env[channel.url.env];
      if (url === undefined || url === '') {
        problems.push(`channel ${channel.name}: environment variable ${channel.url.env} is not set`);
      } else {
        out.push({ filter: channel, sink: httpSink(channel.type, channel.name, url, ctx.webhookSecret) });
      }
    } else {
      problems.push(
        `channel ${channel.name}: Secrets Manager URLs are read by the AWS deployment; use { env: NAME } locally`,
      );
    }
  }
  return out;
}

/** The names `--notify` targets go by in messages: `slack-1`, `slack-2`, `webhook-1`... (their URLs are secrets). */
function adHocNames(targets: readonly AdHocTarget[]): string[] {
  const counts = new Map<string, number>();
  return targets.map((target) => {
    const n = (counts.get(target.kind) ?? 0) + 1;
    counts.set(target.kind, n);
    return `${target.kind}-${n}`;
  });
}

/**
 * What is wrong with `--notify` targets, checked before a run does its work: `slack-1: the webhook URL is
 * not a valid URL`. Empty when all can be sent to.
 */
export function adHocTargetProblems(targets: readonly AdHocTarget[]): string[] {
  const names = adHocNames(targets);
  const problems: string[] = [];
  targets.forEach((target, i) => {
    try {
      checkWebhookUrl(names[i]!, target.url);
    } catch (error) {
      if (!(error instanceof SinkConfigError)) throw error;
      problems.push(error.message);
    }
  });
  return problems;
}

function sinksFor(ctx: NotifyContext, problems: string[]): RoutedSink[] {
  const names = adHocNames(ctx.adHoc);
  const adHoc = ctx.adHoc.map((target, i) => {
    const name = names[i]!;
    return { filter: { name, ...ALL }, sink: httpSink(target.kind, name, target.url, ctx.webhookSecret) };
  });
  return [...adHoc, ...configuredSinks(ctx, problems)];
}

/**
 * Routes, groups, renders and delivers: one message per session burst and channel. Each finding is
 * delivered at most once per channel: a group whose members were sent before carries only the others.
 */
export async function notify(findings: readonly Finding[], ctx: NotifyContext): Promise<NotifyOutcome> {
  const problems: string[] = [];
  const sinks = sinksFor(ctx, problems);
  const items = groupDeliveryItemsFor(
    findings.map((finding) => ({ finding })),
    sinks,
    ctx.groupWindowMinutes * 60_000,
  );
  const report = await deliverAll(items, ctx.store ?? new MemoryIdempotencyStore());
  for (const failure of report.failed)
    problems.push(`delivery to ${failure.sink} failed: ${failure.error.message}`);
  return {
    messages: items.length,
    delivered: report.delivered.length,
    skipped: report.skipped.length,
    failed: report.failed.length,
    problems,
  };
}

/** `--render`: the payloads each message would carry, one file per message, for review without sending. */
export async function renderToDirectory(
  findings: readonly Finding[],
  target: RenderTarget,
  dir: string,
  groupWindowMinutes: number,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const plan: Delivery[] = planDeliveries(findings, {
    groupWindowMinutes,
    channels: [{ name: target, ...ALL }],
  });
  const written: string[] = [];
  for (const [i, delivery] of plan.entries()) {
    const payload = renderPayload(target, delivery.group.findings);
    const base = `${String(i + 1).padStart(3, '0')}-${target}`;
    const path = join(dir, payload.type === 'text' ? `${base}.txt` : `${base}.json`);
    const text =
      payload.type === 'text'
        ? `Subject: ${payload.subject}\n\n${payload.text}\n`
        : `${JSON.stringify(payload.json, null, 2)}\n`;
    await writeFile(path, text);
    written.push(path);
  }
  return written;
}

export function describeOutcome(outcome: NotifyOutcome, stderr: Writable): void {
  for (const problem of outcome.problems) stderr.write(`notify: ${problem}\n`);
  stderr.write(
    `cloudblame: notifications: ${outcome.delivered} findings delivered, ${outcome.skipped} delivered ` +
      `before, ${outcome.failed} not delivered (${outcome.messages} messages planned)\n`,
  );
}
