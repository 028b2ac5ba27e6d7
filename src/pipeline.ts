import type { CloudBlameConfig } from './core/config/schema.js';
import { toIndexedEvent } from './core/identifiers.js';
import type { ChangeFinding, ConfigChange, IndexedEvent, TrailEvent } from './core/model.js';
import { decide, severityOf } from './core/policy.js';
import { principalOf } from './core/principal.js';
import { attributeChange } from './index/attribute.js';
import type { EventIndex } from './index/port.js';

/** The compact index form of a CloudTrail event, or undefined for reads and failed calls. */
export function indexable(event: TrailEvent): IndexedEvent | undefined {
  if (event.errorCode !== undefined || event.readOnly) return undefined;
  const principal = principalOf({
    userIdentity: event.userIdentity,
    userAgent: event.userAgent,
    sessionCredentialFromConsole: event.sessionCredentialFromConsole,
    sourceIPAddress: event.sourceIPAddress,
    eventSource: event.eventSource,
  });
  return toIndexedEvent(event, principal);
}

/** Attribute one Config change against the index and decide what to do about it. Never drops the change. */
export async function findingFor(
  change: ConfigChange,
  index: EventIndex,
  config: CloudBlameConfig,
): Promise<ChangeFinding> {
  const attribution = await attributeChange(change, index, {
    windowMs: config.correlation.windowMinutes * 60_000,
  });
  const verdict = decide({ change, attribution, config });
  return { kind: 'change', change, attribution, verdict, severity: severityOf(verdict, attribution) };
}

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 } as const;

/** Out-of-band changes first, then what will be notified by severity, then what is suppressed; oldest first within. */
export function compareFindings(a: ChangeFinding, b: ChangeFinding): number {
  const rank = (f: ChangeFinding): number =>
    (f.verdict.outOfBand ? 0 : f.verdict.action === 'notify' ? 10 : 20) + SEVERITY_RANK[f.severity];
  return rank(a) - rank(b) || a.change.captureTimeMs - b.change.captureTimeMs;
}
