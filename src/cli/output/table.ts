import type { AlertFinding, ChangeFinding, Finding } from '../../core/model.js';
import { detailText } from '../../core/render/compact.js';
import { configTimelineUrl } from '../../core/render/links.js';
import { describeProperties } from '../../core/render/summarise.js';
import { isoSeconds, terminalText, wrap } from './text.js';

export interface TableOptions {
  readonly width: number;
}

const LABEL_WIDTH = 9;
const SHOWN_PROPERTIES = 3;
/** A pathological value (a 10 KB name) must not fill the screen: each field is capped before wrapping. */
const FIELD_MAX = 600;

function safe(text: string): string {
  return terminalText(text, FIELD_MAX);
}

function field(label: string, text: string, width: number): string[] {
  const body = wrap(safe(text), Math.max(30, width - LABEL_WIDTH));
  return body.map((line, i) => `${(i === 0 ? `  ${label}` : '').padEnd(LABEL_WIDTH)}${line}`);
}

function label(f: ChangeFinding): string {
  if (f.verdict.outOfBand) return 'OUT-OF-BAND';
  if (f.attribution.status === 'unattributed') return 'UNATTRIBUTED';
  return f.verdict.action === 'suppress' ? 'suppressed' : 'CHANGE';
}

function block(f: ChangeFinding, width: number): string[] {
  const c = f.change;
  const name = c.resourceName && c.resourceName !== c.resourceId ? ` (${c.resourceName})` : '';
  const lines = [
    terminalText(
      `${label(f)} [${f.severity}] ${c.changeType} ${c.resourceType} ${c.resourceId}${name}`,
      width,
    ),
    ...field('where', `account ${c.accountId}, ${c.awsRegion}`, width),
  ];
  const a = f.attribution;
  if (a.status === 'attributed') {
    lines.push(...field('who', a.event.principal.display, width));
    lines.push(...field('event', `${a.event.eventName} (${a.event.eventSource}) ${a.event.eventId}`, width));
    lines.push(
      ...field('when', `${isoSeconds(a.event.eventTimeMs)}, captured ${isoSeconds(c.captureTimeMs)}`, width),
    );
    if (a.caveats !== undefined) lines.push(...field('note', `weaker match: ${a.caveats.join('; ')}`, width));
    if (a.others.length > 0) {
      lines.push(...field('also', a.others.map((e) => `${e.eventName} ${e.eventId}`).join(', '), width));
    }
  } else {
    lines.push(...field('when', `captured ${isoSeconds(c.captureTimeMs)}`, width));
  }
  const described = describeProperties(c.changedProperties);
  for (const line of described.slice(0, SHOWN_PROPERTIES)) lines.push(...field('what', line, width));
  const rest = described.length - SHOWN_PROPERTIES;
  if (rest > 0) lines.push(...field('what', `… and ${rest} more changed properties`, width));
  if (c.oversized) lines.push(...field('what', 'oversized item: Config sent only a summary', width));
  for (const reason of f.verdict.reasons) lines.push(...field('why', reason, width));
  // Unwrapped, so that the terminal still sees one clickable URL.
  if (f.verdict.action === 'notify') lines.push(`${'  link'.padEnd(LABEL_WIDTH)}${configTimelineUrl(c)}`);
  return lines;
}

const SHOWN_DETAILS = 4;

function alertBlock(a: AlertFinding, width: number): string[] {
  const e = a.event;
  const lines = [
    terminalText(`ALERT [${a.rule.severity}] ${a.rule.id}: ${a.rule.title}`, width),
    ...field('where', `account ${e.accountId}, ${e.awsRegion}`, width),
    ...field('who', a.principal.display, width),
    ...field('event', `${e.eventName} (${e.eventSource}) ${e.eventId}`, width),
    ...field('when', isoSeconds(e.eventTimeMs), width),
  ];
  const details = Object.entries(a.details).slice(0, SHOWN_DETAILS);
  for (const [key, value] of details) lines.push(...field('detail', `${key}: ${detailText(value)}`, width));
  return lines;
}

/** A block per finding, in the order given, readable at a glance on an 80-column terminal. */
export function formatFindingsTable(findings: readonly Finding[], options: TableOptions): string {
  if (findings.length === 0) return 'No configuration changes or alerts found in the input.\n';
  const blocks = findings.map((f) =>
    f.kind === 'alert' ? alertBlock(f, options.width) : block(f, options.width),
  );
  return `${blocks.map((b) => b.join('\n')).join('\n\n')}\n`;
}
