/**
 * Email through SNS: a subject SNS accepts (one line, no control characters, under 100 characters)
 * and a plain-text body with the same facts and links, within SNS's 256 KB message limit.
 */
import type { Finding } from '../model.js';
import {
  byteLength,
  clip,
  DEFAULT_MAX_DETAILS,
  DEFAULT_MAX_ITEMS,
  firstLines,
  type GroupFacts,
  groupFacts,
  groupHeadline,
  type RenderOptions,
  spanText,
} from './common.js';
import { plainText, truncate } from './escape.js';
import { type FactField, type FindingFacts, findingFacts } from './facts.js';

export interface EmailMessage {
  readonly subject: string;
  readonly body: string;
}

export const EMAIL_SUBJECT_MAX = 99;
/** SNS allows 256 KB per message; the rest is left for SNS's own email framing. */
export const EMAIL_BODY_MAX_BYTES = 250_000;

const VALUE_MAX = 2000;

function line(text: string): string {
  return plainText(text, { singleLine: true });
}

/** `[cloudblame] HIGH Out-of-band change: ...`, one line, cut with `…` to SNS's limit. */
export function emailSubject(text: string): string {
  const oneLine = line(text).replace(/\s+/g, ' ').trim();
  return oneLine.length <= EMAIL_SUBJECT_MAX
    ? oneLine
    : `${oneLine.slice(0, EMAIL_SUBJECT_MAX - 1).trimEnd()}…`;
}

function fieldLines(fields: readonly FactField[]): string[] {
  const width = Math.max(0, ...fields.map((f) => f.label.length)) + 2;
  return fields.map((f) => `${`${f.label}:`.padEnd(width)}${line(clip(f.value, VALUE_MAX))}`);
}

function bulletList(lines: readonly string[], max: number): string[] {
  const { shown, more } = firstLines(lines, max);
  const out = shown.map((text) => `  - ${line(clip(text, VALUE_MAX))}`);
  if (more > 0) out.push(`  ... and ${more} more`);
  return out;
}

function findingBody(f: FindingFacts, maxDetails: number): string[] {
  const out = [
    `${f.kindLabel.toUpperCase()} (${f.severity.toUpperCase()})`,
    line(clip(f.title, VALUE_MAX)),
    '',
    ...fieldLines(f.fields),
    '',
    `${f.detailsHeading}:`,
    ...bulletList(f.details, maxDetails),
  ];
  if (f.reasons.length > 0) out.push('', 'Why:', ...bulletList(f.reasons, f.reasons.length));
  if (f.links.length > 0) out.push('', 'Links:', ...f.links.map((link) => `  ${link.label}: ${link.url}`));
  return out;
}

function finish(subject: string, lines: readonly string[]): EmailMessage {
  const body = `${lines.join('\n')}\n\n-- \nSent by cloudblame\n`;
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so this many units always fit.
  const fitted =
    byteLength(body) <= EMAIL_BODY_MAX_BYTES ? body : truncate(body, Math.floor(EMAIL_BODY_MAX_BYTES / 3));
  return { subject: emailSubject(subject), body: fitted };
}

export function renderEmail(finding: Finding, options: RenderOptions = {}): EmailMessage {
  const f = findingFacts(finding, options);
  return finish(
    `[cloudblame] ${f.severity.toUpperCase()} ${f.kindLabel}: ${f.name}${f.who === undefined ? '' : ` by ${f.who}`}`,
    findingBody(f, options.maxDetails ?? DEFAULT_MAX_DETAILS),
  );
}

function groupBody(group: GroupFacts, options: RenderOptions): string[] {
  const { shown, more } = firstLines(group.items, options.maxItems ?? DEFAULT_MAX_ITEMS);
  const out = [
    `${group.items.length} FINDINGS IN ONE SESSION (MOST SEVERE: ${group.severity.toUpperCase()})`,
    '',
    ...fieldLines(group.shared),
    `When:  ${spanText(group.startMs, group.endMs)}`,
    `Findings:  ${group.summary}`,
  ];
  shown.forEach((item, index) => {
    out.push('', `${'='.repeat(8)} ${index + 1} of ${group.items.length} ${'='.repeat(8)}`);
    out.push(...findingBody(item, options.maxDetails ?? DEFAULT_MAX_DETAILS));
  });
  if (more > 0) out.push('', `... and ${more} more findings not listed here`);
  return out;
}

/** One email for a group of findings, most severe first. */
export function renderEmailGroup(findings: readonly Finding[], options: RenderOptions = {}): EmailMessage {
  const [only] = findings;
  if (findings.length === 1 && only !== undefined) return renderEmail(only, options);
  const group = groupFacts(findings, options);
  return finish(
    `[cloudblame] ${group.severity.toUpperCase()} ${groupHeadline(group)}`,
    groupBody(group, options),
  );
}
