import type { AlertFinding, ChangeFinding, Finding } from '../../core/model.js';

/** The JSONL contract other tools read: one line per configuration change. Field names are stable. */
export interface ChangeLine {
  readonly kind: 'change';
  readonly resource: {
    readonly type: string;
    readonly id: string;
    readonly name: string | null;
    readonly arn: string | null;
    readonly account: string;
    readonly region: string;
  };
  readonly captureTime: string;
  readonly changeType: string;
  readonly changedProperties: readonly {
    readonly path: string;
    readonly changeType: string;
    readonly previousValue?: unknown;
    readonly updatedValue?: unknown;
  }[];
  readonly oversized: boolean;
  readonly severity: string;
  readonly attribution: {
    readonly status: 'attributed' | 'unattributed';
    readonly eventId: string | null;
    readonly eventName: string | null;
    readonly eventSource: string | null;
    readonly eventTime: string | null;
    readonly principal: {
      readonly arn: string | null;
      readonly type: string;
      readonly display: string;
    } | null;
    readonly channel: string | null;
    readonly matchedOn: readonly string[];
    readonly otherEventIds: readonly string[];
    /** Why the event is a weaker match; empty for a clean one (and when unattributed). */
    readonly caveats: readonly string[];
    readonly reason: string | null;
  };
  readonly verdict: {
    readonly action: string;
    readonly outOfBand: boolean;
    readonly reasons: readonly string[];
  };
  readonly source: { readonly file: string; readonly record: number | null };
}

export function toChangeLine(finding: ChangeFinding): ChangeLine {
  const { change, attribution, verdict } = finding;
  const attributed = attribution.status === 'attributed' ? attribution : undefined;
  return {
    kind: 'change',
    resource: {
      type: change.resourceType,
      id: change.resourceId,
      name: change.resourceName ?? null,
      arn: change.arn ?? null,
      account: change.accountId,
      region: change.awsRegion,
    },
    captureTime: new Date(change.captureTimeMs).toISOString(),
    changeType: change.changeType,
    changedProperties: change.changedProperties,
    oversized: change.oversized,
    severity: finding.severity,
    attribution: {
      status: attribution.status,
      eventId: attributed?.event.eventId ?? null,
      eventName: attributed?.event.eventName ?? null,
      eventSource: attributed?.event.eventSource ?? null,
      eventTime: attributed ? new Date(attributed.event.eventTimeMs).toISOString() : null,
      principal: attributed
        ? {
            arn: attributed.event.principal.arn ?? null,
            type: attributed.event.principal.type,
            display: attributed.event.principal.display,
          }
        : null,
      channel: attributed?.event.principal.channel ?? null,
      matchedOn: attributed?.matchedOn ?? [],
      otherEventIds: attributed?.others.map((e) => e.eventId) ?? [],
      caveats: attributed?.caveats ?? [],
      reason: attribution.status === 'unattributed' ? attribution.reason : null,
    },
    verdict: { action: verdict.action, outOfBand: verdict.outOfBand, reasons: verdict.reasons },
    source: { file: change.ref.source, record: change.ref.record ?? null },
  };
}

/** The JSONL contract for a critical-action alert. */
export interface AlertLine {
  readonly kind: 'alert';
  readonly rule: { readonly id: string; readonly severity: string; readonly title: string };
  readonly event: {
    readonly eventId: string;
    readonly eventName: string;
    readonly eventSource: string;
    readonly eventTime: string;
    readonly awsRegion: string;
    readonly recipientAccountId: string;
  };
  readonly principal: { readonly arn: string | null; readonly type: string; readonly display: string };
  readonly details: Readonly<Record<string, unknown>>;
}

export function toAlertLine(alert: AlertFinding): AlertLine {
  const { rule, event, principal } = alert;
  return {
    kind: 'alert',
    rule: { id: rule.id, severity: rule.severity, title: rule.title },
    event: {
      eventId: event.eventId,
      eventName: event.eventName,
      eventSource: event.eventSource,
      eventTime: new Date(event.eventTimeMs).toISOString(),
      awsRegion: event.awsRegion,
      recipientAccountId: event.accountId,
    },
    principal: { arn: principal.arn ?? null, type: principal.type, display: principal.display },
    details: alert.details,
  };
}

export function formatJsonl(finding: Finding): string {
  return JSON.stringify(finding.kind === 'alert' ? toAlertLine(finding) : toChangeLine(finding));
}
