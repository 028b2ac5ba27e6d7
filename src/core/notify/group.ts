/**
 * Noise control: the findings of one principal's session close together in time become one message.
 *
 * The window is anchored, not sliding: a finding joins a group when it is within `windowMs` of the
 * group's FIRST finding. A sliding window would let a long, steady session grow one group forever;
 * an anchored one bounds every group to `windowMs`, so a sender that holds findings back to group
 * them knows when to flush (`closesAtMs`). A session longer than the window becomes several messages.
 */
import { compareFindings, findingAccountId, findingPrincipal, findingTimeMs } from '../finding-info.js';
import type { Finding, Principal } from '../model.js';

export interface GroupOptions {
  /** Findings within this long of a group's first finding join it; 0 turns grouping off. */
  readonly windowMs: number;
}

export interface FindingGroup {
  /** `<account>|<principal>` (the principal ARN carries the session for assumed roles), or `<account>|unattributed`. */
  readonly key: string;
  /** Most severe first, then oldest first. */
  readonly findings: readonly Finding[];
  /** Time of the group's first finding: where its window starts. */
  readonly startMs: number;
  /** Time of its latest finding. */
  readonly endMs: number;
  /** When the window closes: no later finding can join. */
  readonly closesAtMs: number;
}

export const DEFAULT_GROUP_WINDOW_MS = 5 * 60_000;

function principalKey(principal: Principal): string {
  if (principal.arn !== undefined) return principal.arn;
  if (principal.invokedBy !== undefined) return `service:${principal.invokedBy}`;
  if (principal.principalId !== undefined) return `id:${principal.principalId}`;
  return `display:${principal.display}`;
}

/**
 * Findings with no principal (unattributed changes) group by account: a burst of them usually has
 * one cause (missing CloudTrail delivery, an index outage) and reads better as one message.
 */
export function sessionKey(finding: Finding): string {
  const principal = findingPrincipal(finding);
  return `${findingAccountId(finding)}|${principal === undefined ? 'unattributed' : principalKey(principal)}`;
}

interface OpenGroup {
  readonly key: string;
  readonly startMs: number;
  endMs: number;
  readonly findings: Finding[];
}

/** Groups in order of their first finding; the input order does not matter. */
export function groupFindings(findings: readonly Finding[], options: GroupOptions): FindingGroup[] {
  const { windowMs } = options;
  if (!Number.isFinite(windowMs) || windowMs < 0)
    throw new RangeError(`windowMs must be >= 0, got ${windowMs}`);
  const byTime = findings
    .map((finding, index) => ({ finding, index, timeMs: findingTimeMs(finding) }))
    .sort((a, b) => a.timeMs - b.timeMs || a.index - b.index);
  const groups: OpenGroup[] = [];
  const open = new Map<string, OpenGroup>();
  for (const { finding, timeMs } of byTime) {
    const key = sessionKey(finding);
    const current = open.get(key);
    if (windowMs > 0 && current !== undefined && timeMs - current.startMs <= windowMs) {
      current.findings.push(finding);
      current.endMs = timeMs;
      continue;
    }
    const started: OpenGroup = { key, startMs: timeMs, endMs: timeMs, findings: [finding] };
    groups.push(started);
    open.set(key, started);
  }
  return groups.map((group) => ({
    key: group.key,
    findings: [...group.findings].sort(compareFindings),
    startMs: group.startMs,
    endMs: group.endMs,
    closesAtMs: group.startMs + windowMs,
  }));
}
