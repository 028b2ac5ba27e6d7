import { describe, expect, it } from 'vitest';
import { findingSeverity, findingTimeMs, severityRank } from '../../../src/core/finding-info.js';
import type { ChangeFinding, Finding } from '../../../src/core/model.js';
import { DEFAULT_GROUP_WINDOW_MS, groupFindings, sessionKey } from '../../../src/core/notify/group.js';
import { renderSlackGroup } from '../../../src/core/render/slack.js';
import { consoleBurst, loadChange, loadFinding } from '../../helpers/findings.js';

const MINUTE = 60_000;

function withPrincipalArn(finding: ChangeFinding, arn: string): ChangeFinding {
  if (finding.attribution.status !== 'attributed') throw new Error('fixture');
  const event = finding.attribution.event;
  return {
    ...finding,
    attribution: { ...finding.attribution, event: { ...event, principal: { ...event.principal, arn } } },
  };
}

function at(finding: ChangeFinding, timeMs: number): ChangeFinding {
  if (finding.attribution.status !== 'attributed') {
    return { ...finding, change: { ...finding.change, captureTimeMs: timeMs } };
  }
  const event = finding.attribution.event;
  return { ...finding, attribution: { ...finding.attribution, event: { ...event, eventTimeMs: timeMs } } };
}

describe('groupFindings', () => {
  it('makes one group of a 40-change console burst, most severe first, then oldest first', () => {
    const burst = consoleBurst(40);
    const groups = groupFindings([...burst].reverse(), { windowMs: DEFAULT_GROUP_WINDOW_MS });
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group?.findings).toHaveLength(40);
    const findings = group?.findings ?? [];
    for (let i = 1; i < findings.length; i++) {
      const [a, b] = [findings[i - 1] as Finding, findings[i] as Finding];
      const bySeverity = severityRank(findingSeverity(a)) - severityRank(findingSeverity(b));
      expect(bySeverity > 0 || (bySeverity === 0 && findingTimeMs(a) <= findingTimeMs(b))).toBe(true);
    }
    expect(group?.startMs).toBe(1_717_236_000_000);
    expect(group?.endMs).toBe(1_717_236_000_000 + 39 * 3_000);
    expect(group?.closesAtMs).toBe(1_717_236_000_000 + DEFAULT_GROUP_WINDOW_MS);
    // And it renders as one Slack message listing all 40 within 50 blocks.
    const message = renderSlackGroup(group?.findings ?? []);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.blocks[0]).toMatchObject({ text: { text: '🚨 40 findings in one session · CRITICAL' } });
  });

  it('anchors the window at the first finding of the group', () => {
    const base = loadChange('oob-sg-port22');
    const t0 = 1_717_236_000_000;
    // Every 2 minutes for 12 minutes: a sliding window would make one group; anchored makes three.
    const findings = [0, 2, 4, 6, 8, 10, 12].map((m) => at(base, t0 + m * MINUTE));
    const groups = groupFindings(findings, { windowMs: 5 * MINUTE });
    expect(groups.map((g) => g.findings.length)).toEqual([3, 3, 1]);
    expect(groups.map((g) => g.startMs)).toEqual([t0, t0 + 6 * MINUTE, t0 + 12 * MINUTE]);
  });

  it('keeps sessions, principals and accounts apart', () => {
    const base = loadChange('oob-sg-port22');
    const other = withPrincipalArn(
      base,
      'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/bob@example.com',
    );
    const elsewhere = { ...base, change: { ...base.change, accountId: '444455556666' } };
    const groups = groupFindings([base, other, elsewhere, base], { windowMs: DEFAULT_GROUP_WINDOW_MS });
    expect(groups.map((g) => g.findings.length)).toEqual([2, 1, 1]);
    expect(new Set(groups.map((g) => g.key)).size).toBe(3);
  });

  it('groups alerts with the changes of the same principal', () => {
    const alert = loadFinding('alert-stop-logging');
    const base = loadChange('oob-sg-port22');
    const mallory = withPrincipalArn(at(base, 1_717_243_100_000), 'arn:aws:iam::111122223333:user/mallory');
    const groups = groupFindings([mallory, alert], { windowMs: DEFAULT_GROUP_WINDOW_MS });
    expect(groups).toHaveLength(1);
    expect(groups[0]?.findings[0]?.kind).toBe('alert');
  });

  it('groups unattributed changes by account and dates them by capture time', () => {
    const unattributed = loadChange('unattributed-iam-role');
    expect(sessionKey(unattributed)).toBe('111122223333|unattributed');
    const later = at(unattributed, unattributed.change.captureTimeMs + MINUTE);
    const groups = groupFindings([unattributed, later], { windowMs: DEFAULT_GROUP_WINDOW_MS });
    expect(groups).toHaveLength(1);
    expect(groups[0]?.startMs).toBe(unattributed.change.captureTimeMs);
  });

  it('sends each finding alone with a zero window and rejects a negative one', () => {
    const burst = consoleBurst(3);
    expect(groupFindings(burst, { windowMs: 0 })).toHaveLength(3);
    expect(() => groupFindings(burst, { windowMs: -1 })).toThrow(RangeError);
    expect(groupFindings([], { windowMs: MINUTE })).toEqual([]);
  });
});
