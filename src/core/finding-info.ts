import type { Finding, Principal, Severity } from './model.js';

/** Most severe first. */
export const SEVERITIES = [
  'critical',
  'high',
  'medium',
  'low',
  'info',
] as const satisfies readonly Severity[];

/** Higher is more severe: critical = 4, info = 0. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(severity);
}

export function findingSeverity(finding: Finding): Severity {
  return finding.kind === 'change' ? finding.severity : finding.rule.severity;
}

/** Who did it, when it is known: the attributed event's principal, or the alert's. */
export function findingPrincipal(finding: Finding): Principal | undefined {
  if (finding.kind === 'alert') return finding.principal;
  return finding.attribution.status === 'attributed' ? finding.attribution.event.principal : undefined;
}

/** When it happened: the event time when there is an event, else the Config capture time. */
export function findingTimeMs(finding: Finding): number {
  if (finding.kind === 'alert') return finding.event.eventTimeMs;
  return finding.attribution.status === 'attributed'
    ? finding.attribution.event.eventTimeMs
    : finding.change.captureTimeMs;
}

/** The account the change or the call happened in. */
export function findingAccountId(finding: Finding): string {
  return finding.kind === 'change' ? finding.change.accountId : finding.event.accountId;
}

export function isOutOfBand(finding: Finding): boolean {
  return finding.kind === 'change' && finding.verdict.outOfBand;
}

/** Most severe first, then oldest first; stable for equal keys. */
export function compareFindings(a: Finding, b: Finding): number {
  const bySeverity = severityRank(findingSeverity(b)) - severityRank(findingSeverity(a));
  return bySeverity !== 0 ? bySeverity : findingTimeMs(a) - findingTimeMs(b);
}
