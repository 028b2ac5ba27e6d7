import type { CloudBlameConfig } from './config/schema.js';
import type { Attribution, ConfigChange, Severity, Verdict } from './model.js';
import { type CheckResult, policyChecks } from './policy/checks.js';
import { iacStatusOf } from './policy/iac.js';
import { reasonText } from './policy/reasons.js';

/** Trusted principals, IaC tags and resource filters -> what to do about one change, with reasons. */

export { type CheckResult, type PolicyCheck, type PolicyContext, policyChecks } from './policy/checks.js';
export { type IacStatus, iacStatusOf, previousTags } from './policy/iac.js';
export { type Because, reasonText } from './policy/reasons.js';

export interface PolicyInput {
  readonly change: ConfigChange;
  readonly attribution: Attribution;
  readonly config: CloudBlameConfig;
}

export function decide({ change, attribution, config }: PolicyInput): Verdict {
  const iac = iacStatusOf(change, config.iac);
  const context = { change, attribution, config, iac };
  let result: CheckResult = { outcome: 'not-applicable' };
  for (const { check } of policyChecks) {
    result = check(context);
    if (result.outcome !== 'not-applicable') break;
  }
  const iacManaged = iac.managed === true;
  if (result.outcome === 'not-applicable') {
    // Unreachable while the last check always applies; a change is still never dropped.
    return { action: 'notify', outOfBand: false, iacManaged, reasons: ['no policy check applied'] };
  }
  return {
    action: result.outcome,
    outOfBand: result.outcome === 'notify' && result.outOfBand,
    iacManaged,
    reasons: result.because.map(reasonText),
  };
}

/** Root credentials should not be in daily use: any change by Root that is not suppressed is critical. */
export function severityOf(verdict: Verdict, attribution: Attribution): Severity {
  if (verdict.action === 'suppress') return 'info';
  if (attribution.status === 'unattributed') return 'medium';
  if (attribution.event.principal.type === 'Root') return 'critical';
  return verdict.outOfBand ? 'high' : 'low';
}
