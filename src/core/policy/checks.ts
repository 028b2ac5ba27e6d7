import type { CloudBlameConfig } from '../config/schema.js';
import { firstMatchingGlob, matchesGlob } from '../glob.js';
import type { Attribution, ConfigChange, IndexedEvent } from '../model.js';
import type { IacStatus } from './iac.js';
import type { Because } from './reasons.js';

export interface PolicyContext {
  readonly change: ConfigChange;
  readonly attribution: Attribution;
  readonly config: CloudBlameConfig;
  readonly iac: IacStatus;
}

/** Like a cdk-nag rule: an outcome, with the facts behind it kept as data rather than prose. */
export type CheckResult =
  | { readonly outcome: 'not-applicable' }
  | { readonly outcome: 'suppress'; readonly because: readonly Because[] }
  | { readonly outcome: 'notify'; readonly outOfBand: boolean; readonly because: readonly Because[] };

export interface PolicyCheck {
  readonly id: string;
  readonly check: (context: PolicyContext) => CheckResult;
}

const notApplicable: CheckResult = { outcome: 'not-applicable' };

function eventOf(context: PolicyContext): IndexedEvent | undefined {
  return context.attribution.status === 'attributed' ? context.attribution.event : undefined;
}

/** What is at stake when nobody can be blamed: whether the resource is IaC-managed, or unknown. */
function iacNote(iac: IacStatus): Because[] {
  return iac.managed === false ? [] : [{ kind: 'iac-status', iac }];
}

export function resourceTypeFilter({ change, config }: PolicyContext): CheckResult {
  const { resourceType } = change;
  const excludedBy = firstMatchingGlob(resourceType, config.resourceTypes.exclude);
  if (excludedBy !== undefined) {
    return {
      outcome: 'suppress',
      because: [{ kind: 'resource-type-excluded', resourceType, pattern: excludedBy }],
    };
  }
  if (firstMatchingGlob(resourceType, config.resourceTypes.include) === undefined) {
    return {
      outcome: 'suppress',
      because: [{ kind: 'resource-type-not-included', resourceType, include: config.resourceTypes.include }],
    };
  }
  return notApplicable;
}

/** A change is never dropped for want of an event: it is reported, with why nothing matched. */
export function unattributedChange({ attribution, iac }: PolicyContext): CheckResult {
  if (attribution.status !== 'unattributed') return notApplicable;
  return {
    outcome: 'notify',
    outOfBand: false,
    because: [{ kind: 'unattributed', reason: attribution.reason }, ...iacNote(iac)],
  };
}

export function awsServiceChange(context: PolicyContext): CheckResult {
  const event = eventOf(context);
  if (event === undefined || !context.config.ignoreAwsServiceChanges) return notApplicable;
  const { principal } = event;
  if (principal.type !== 'AWSService' && principal.channel !== 'aws-service') return notApplicable;
  const service = principal.invokedBy ?? event.userAgent ?? principal.display;
  return { outcome: 'suppress', because: [{ kind: 'aws-service', service }] };
}

/** A trusted ARN glob is tried on the session ARN and on the role ARN, so either form can be listed. */
export function trustedCaller(context: PolicyContext): CheckResult {
  const event = eventOf(context);
  if (event === undefined) return notApplicable;
  const { principal, userAgent } = event;
  const arns = [principal.arn, principal.roleArn].filter((arn) => arn !== undefined);
  for (const trusted of context.config.trustedPrincipals) {
    const arn = arns.find((candidate) => matchesGlob(candidate, trusted.arn));
    if (arn !== undefined) {
      return {
        outcome: 'suppress',
        because: [{ kind: 'trusted-principal', arn, pattern: trusted.arn, reason: trusted.reason }],
      };
    }
  }
  if (userAgent === undefined) return notApplicable;
  const agent = context.config.trustedUserAgents.find((trusted) => matchesGlob(userAgent, trusted.pattern));
  if (agent === undefined) return notApplicable;
  return {
    outcome: 'suppress',
    because: [{ kind: 'trusted-user-agent', userAgent, pattern: agent.pattern, reason: agent.reason }],
  };
}

export function outOfBandChange(context: PolicyContext): CheckResult {
  const event = eventOf(context);
  const { iac } = context;
  if (event === undefined || iac.managed !== true) return notApplicable;
  return {
    outcome: 'notify',
    outOfBand: true,
    because: [
      { kind: 'out-of-band', tag: iac.tag, before: iac.before === true, by: event.principal.display },
    ],
  };
}

export function untrustedChange(context: PolicyContext): CheckResult {
  const event = eventOf(context);
  if (event === undefined) return notApplicable;
  return {
    outcome: 'notify',
    outOfBand: false,
    because: [{ kind: 'untrusted', by: event.principal.display, iac: context.iac }],
  };
}

/** In order: the first check that applies decides. */
export const policyChecks: readonly PolicyCheck[] = [
  { id: 'resource-type-filter', check: resourceTypeFilter },
  { id: 'unattributed', check: unattributedChange },
  { id: 'aws-service', check: awsServiceChange },
  { id: 'trusted-caller', check: trustedCaller },
  { id: 'out-of-band', check: outOfBandChange },
  { id: 'untrusted', check: untrustedChange },
];
