/** What every renderer shares: options, limits of what is shown, and the facts of a group. */
import { compareFindings, SEVERITIES } from '../finding-info.js';
import type { Finding, Severity } from '../model.js';
import {
  type FactField,
  type FactKey,
  type FactsCategory,
  type FactsOptions,
  type FindingFacts,
  findingFacts,
} from './facts.js';

export interface RenderOptions extends FactsOptions {
  /** Changed properties shown per finding before `and N more` (default 5). */
  readonly maxDetails?: number;
  /** Findings listed in a group message before `and N more` (default 50). */
  readonly maxItems?: number;
}

export const DEFAULT_MAX_DETAILS = 5;
export const DEFAULT_MAX_ITEMS = 50;

export const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = {
  critical: '🚨',
  high: '🔴',
  medium: '🟠',
  low: '🟡',
  info: '🔵',
};

export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The first `max` items and how many were left out. */
export function firstLines<T>(lines: readonly T[], max: number): { shown: readonly T[]; more: number } {
  const shown = lines.slice(0, Math.max(0, max));
  return { shown, more: lines.length - shown.length };
}

/** Renderers cut raw values to a bound before escaping, so one 10 KB name cannot eat a message. */
export { clip } from '../clip.js';

export interface GroupFacts {
  /** Most severe first, then oldest first. */
  readonly items: readonly FindingFacts[];
  readonly severity: Severity;
  /** Fields with the same value for every finding (who, principal, how, ...): said once. */
  readonly shared: readonly FactField[];
  readonly who?: string;
  readonly startMs: number;
  readonly endMs: number;
  /** E.g. `38 out-of-band changes, 2 critical actions`. */
  readonly summary: string;
}

const SHAREABLE: readonly FactKey[] = ['who', 'principal', 'how', 'userAgent', 'sourceIp', 'account'];

function sharedFields(items: readonly FindingFacts[]): FactField[] {
  const [first, ...rest] = items;
  if (first === undefined) return [];
  return first.fields.filter(
    (f) =>
      SHAREABLE.includes(f.key) &&
      rest.every((item) => item.fields.some((g) => g.key === f.key && g.value === f.value)),
  );
}

function plural(count: number, label: string): string {
  return `${count} ${label.toLowerCase()}${count === 1 ? '' : 's'}`;
}

export function groupFacts(findings: readonly Finding[], options: FactsOptions = {}): GroupFacts {
  const items = [...findings].sort(compareFindings).map((finding) => findingFacts(finding, options));
  const times = items.map((item) => item.timeMs);
  const counts = new Map<FactsCategory, { label: string; count: number }>();
  for (const item of items) {
    const entry = counts.get(item.category) ?? { label: item.kindLabel, count: 0 };
    counts.set(item.category, { ...entry, count: entry.count + 1 });
  }
  const shared = sharedFields(items);
  const who = shared.find((f) => f.key === 'who')?.value;
  return {
    items,
    severity: SEVERITIES.find((s) => items.some((item) => item.severity === s)) ?? 'info',
    shared,
    ...(who === undefined ? {} : { who }),
    startMs: times.reduce((min, t) => Math.min(min, t), times[0] ?? 0),
    endMs: times.reduce((max, t) => Math.max(max, t), times[0] ?? 0),
    summary: [...counts.values()].map(({ label, count }) => plural(count, label)).join(', '),
  };
}

/** `2024-05-01T10:00:00.000Z – 10:02:10.000Z`. */
export function spanText(startMs: number, endMs: number): string {
  const start = new Date(startMs).toISOString();
  if (endMs === startMs) return start;
  const end = new Date(endMs).toISOString();
  return `${start} – ${end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end}`;
}

/** One line naming a group: `40 findings by alice@example.com via ... (console)`. */
export function groupHeadline(group: GroupFacts): string {
  const by = group.who === undefined ? '' : ` by ${group.who}`;
  return `${group.summary}${by}`;
}
