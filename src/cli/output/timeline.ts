/**
 * Output of `cloudblame who` and `cloudblame did`: a table for people, JSON Lines and CSV for tools.
 * Every string from an event is attacker-controlled: the table and CSV carry no escape sequence, control
 * character or bidi override; JSON Lines escapes them (`\u202e`), so the data stays exact; and a CSV cell
 * that a spreadsheet would run as a formula is prefixed with `'`.
 */

import { plainText } from '../../core/render/escape.js';
import type { RequestSummary, ServiceGroup, TimelineEntry } from '../../core/timeline.js';
import { isoSeconds, terminalText, wrap } from './text.js';

export type TimelineFormat = 'table' | 'jsonl' | 'csv';

export interface TimelineTableOptions {
  /** Terminal width. */
  readonly width: number;
}

/** A field is capped before it is laid out, so a 10 KB name cannot fill the screen. */
const FIELD_MAX = 400;

function safe(text: string, max = FIELD_MAX): string {
  return terminalText(text, max);
}

/** `groupId=sg-1 ipPermissions.fromPort=22`: the key request parameters on one line. */
export function requestText(request: RequestSummary): string {
  return Object.entries(request)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

const TIME_WIDTH = 21;
const HOW_WIDTH = 15;
const INDENT = ' '.repeat(TIME_WIDTH + 2);

/**
 * Two lines or more per event: time, how, event name and who; then, indented, where (account and region,
 * when the events span several), the failure if any, and the key request parameters, wrapped.
 */
function entryLines(
  entry: TimelineEntry,
  width: number,
  showWhere: boolean,
  showResource: boolean,
): string[] {
  const head =
    `${pad(isoSeconds(entry.timeMs), TIME_WIDTH)}  ${pad(entry.how, HOW_WIDTH)}` +
    `${safe(entry.eventName, 80)}${entry.readOnly ? ' (read)' : ''}  ${safe(entry.principal.display)}`;
  const lines = [head];
  const detail: string[] = [];
  if (showResource && entry.resource !== undefined) detail.push(safe(entry.resource.value, 200));
  if (showWhere) detail.push(`${entry.accountId}/${safe(entry.region, 40)}`);
  if (entry.errorCode !== undefined) detail.push(`FAILED ${safe(entry.errorCode, 80)}`);
  const params = safe(requestText(entry.request), 1000);
  if (params !== '') detail.push(params);
  const body = detail.join('  ');
  if (body !== '') {
    for (const line of wrap(body, Math.max(30, width - INDENT.length))) lines.push(`${INDENT}${line}`);
  }
  return lines;
}

function spans(entries: readonly TimelineEntry[]): boolean {
  const first = entries[0];
  return entries.some((e) => e.accountId !== first?.accountId || e.region !== first?.region);
}

/** The timeline of one resource, newest first, as given. */
export function formatTimelineTable(
  entries: readonly TimelineEntry[],
  options: TimelineTableOptions,
): string {
  const showWhere = spans(entries);
  const header = `${pad('TIME (UTC)', TIME_WIDTH)}  ${pad('HOW', HOW_WIDTH)}EVENT  WHO`;
  const rows = entries.flatMap((entry) => entryLines(entry, options.width, showWhere, false));
  return `${[header, ...rows].join('\n')}\n`;
}

/** `did`: a section per service, a block per resource, its calls newest first. */
export function formatDidTable(groups: readonly ServiceGroup[], options: TimelineTableOptions): string {
  const all = groups.flatMap((g) => g.resources.flatMap((r) => r.entries));
  const showWhere = spans(all);
  const out: string[] = [];
  for (const group of groups) {
    out.push(`${safe(group.service, 80)} (${group.count} call${group.count === 1 ? '' : 's'})`);
    for (const resource of group.resources) {
      const name =
        resource.resource === undefined
          ? '(no resource named)'
          : `${safe(resource.resource.value, 300)}${resource.resource.type === undefined ? '' : ` (${resource.resource.type})`}`;
      out.push(`  ${name}`);
      for (const entry of resource.entries) {
        out.push(...entryLines(entry, options.width - 4, showWhere, false).map((line) => `    ${line}`));
      }
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

// Bidi overrides, C1 controls and line separators are valid in JSON strings but not on a terminal.
const JSON_UNSAFE = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `JSON.stringify` whose output holds no character that reorders or controls a terminal. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** One JSON object per event (field names are stable). */
export function toTimelineLine(entry: TimelineEntry): Record<string, unknown> {
  return {
    time: entry.time,
    eventId: entry.eventId,
    eventName: entry.eventName,
    eventSource: entry.eventSource,
    service: entry.service,
    account: entry.accountId,
    region: entry.region,
    principal: {
      arn: entry.principal.arn ?? null,
      type: entry.principal.type,
      display: entry.principal.display,
      accessKeyId: entry.principal.accessKeyId ?? null,
    },
    how: entry.how,
    resource:
      entry.resource === undefined
        ? null
        : { value: entry.resource.value, type: entry.resource.type ?? null },
    request: entry.request,
    readOnly: entry.readOnly,
    errorCode: entry.errorCode ?? null,
    source: entry.source,
  };
}

export function formatTimelineJsonl(entries: readonly TimelineEntry[]): string {
  return entries.map((entry) => `${safeJson(toTimelineLine(entry))}\n`).join('');
}

export const CSV_COLUMNS = [
  'time',
  'account',
  'region',
  'service',
  'event',
  'principal',
  'principal_arn',
  'access_key_id',
  'how',
  'resource',
  'resource_type',
  'parameters',
  'error',
  'read_only',
  'event_id',
  'source',
] as const;

/**
 * One CSV cell (RFC 4180): single-line plain text (tabs and line breaks become spaces), quoted when it
 * holds a comma or a quote or starts or ends with a space; a cell that starts with `=`, `+`, `-` or `@`
 * (after any spaces) is prefixed with `'` so that a spreadsheet shows it instead of running it.
 */
export function csvCell(value: string): string {
  let text = plainText(value, { singleLine: true });
  // Tabs and line breaks are spaces by now; a formula behind leading spaces still runs in some spreadsheets.
  if (/^\s*[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\n\r]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(entry: TimelineEntry): string {
  const cells = [
    entry.time,
    entry.accountId,
    entry.region,
    entry.service,
    entry.eventName,
    entry.principal.display,
    entry.principal.arn ?? '',
    entry.principal.accessKeyId ?? '',
    entry.how,
    entry.resource?.value ?? '',
    entry.resource?.type ?? '',
    requestText(entry.request),
    entry.errorCode ?? '',
    entry.readOnly ? 'true' : 'false',
    entry.eventId,
    entry.source,
  ];
  return cells.map(csvCell).join(',');
}

/** A header row, then one row per event (CRLF line ends, as RFC 4180 says). */
export function formatTimelineCsv(entries: readonly TimelineEntry[]): string {
  return [CSV_COLUMNS.join(','), ...entries.map(csvRow)].map((line) => `${line}\r\n`).join('');
}

export function formatTimeline(
  entries: readonly TimelineEntry[],
  format: TimelineFormat,
  options: TimelineTableOptions,
): string {
  if (format === 'jsonl') return formatTimelineJsonl(entries);
  if (format === 'csv') return formatTimelineCsv(entries);
  return formatTimelineTable(entries, options);
}
