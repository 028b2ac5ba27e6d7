import type { ChangeFinding, ChangedProperty } from '../../core/model.js';

export interface TableOptions {
  readonly width: number;
}

/** Event strings are attacker-controlled: no escape sequence, bidi override or newline may reach the terminal. */
export function terminalSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
}

function clip(text: string, max: number): string {
  const safe = terminalSafe(text);
  return safe.length <= max ? safe : `${safe.slice(0, Math.max(0, max - 1))}…`;
}

function label(f: ChangeFinding): string {
  if (f.verdict.outOfBand) return 'OUT-OF-BAND';
  if (f.attribution.status === 'unattributed') return 'UNATTRIBUTED';
  return f.verdict.action === 'suppress' ? 'suppressed' : 'CHANGE';
}

function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

function compact(value: unknown): string {
  if (value === undefined || value === null) return '∅';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describeProperty(p: ChangedProperty, max: number): string {
  if (p.changeType === 'CREATE') return clip(`+ ${p.path} ${compact(p.updatedValue)}`, max);
  if (p.changeType === 'DELETE') return clip(`- ${p.path} ${compact(p.previousValue)}`, max);
  return clip(`~ ${p.path} ${compact(p.previousValue)} -> ${compact(p.updatedValue)}`, max);
}

const SHOWN_PROPERTIES = 3;

function block(f: ChangeFinding, width: number): string[] {
  const c = f.change;
  const text = Math.max(40, width - 10);
  const name = c.resourceName && c.resourceName !== c.resourceId ? ` (${c.resourceName})` : '';
  const lines = [
    clip(
      `${label(f)} [${f.severity}] ${c.changeType} ${c.resourceType} ${c.resourceId}${name}  ${c.accountId} ${c.awsRegion}`,
      width,
    ),
  ];
  const a = f.attribution;
  if (a.status === 'attributed') {
    lines.push(`  who    ${clip(a.event.principal.display, text)}`);
    lines.push(`  event  ${clip(`${a.event.eventName} (${a.event.eventSource}) ${a.event.eventId}`, text)}`);
    lines.push(`  when   ${isoSeconds(a.event.eventTimeMs)}, captured ${isoSeconds(c.captureTimeMs)}`);
    if (a.others.length > 0) {
      const others = a.others.map((e) => `${e.eventName} ${e.eventId}`).join(', ');
      lines.push(`  also   ${clip(others, text)}`);
    }
  } else {
    lines.push(`  who    ${clip(a.reason, text)}`);
    lines.push(`  when   captured ${isoSeconds(c.captureTimeMs)}`);
  }
  const shown = c.changedProperties.slice(0, SHOWN_PROPERTIES);
  for (const p of shown) lines.push(`  what   ${describeProperty(p, text)}`);
  const rest = c.changedProperties.length - shown.length;
  if (rest > 0) lines.push(`  what   … and ${rest} more changed properties`);
  if (c.oversized) lines.push('  what   (oversized item: Config sent only a summary)');
  for (const reason of f.verdict.reasons) lines.push(`  why    ${clip(reason, text)}`);
  return lines;
}

/** A block per change, out-of-band first, readable at a glance on an 80-column terminal. */
export function formatFindingsTable(findings: readonly ChangeFinding[], options: TableOptions): string {
  if (findings.length === 0) return 'No configuration changes found in the input.\n';
  return `${findings.map((f) => block(f, options.width).join('\n')).join('\n\n')}\n`;
}
