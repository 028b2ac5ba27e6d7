/**
 * AWS Organizations: an account leaving or removed from the organization, the organization deleted, and the
 * organization's guardrails weakened (service and resource control policies, security services' trusted
 * access). Organizations records its events in us-east-1 (`organizations.amazonaws.com`); most of these calls
 * can only be made from the management account, LeaveOrganization from the member account that leaves.
 *
 * Calls that cut accounts off from the organization's controls as a whole alert when they fail too: an
 * attempt is a signal in itself, and nothing routine makes them. Changes to one policy, which IaC makes
 * every day, alert when they succeed.
 */
import type { JsonObject, TrailEvent } from '../../model.js';
import { requestScalars } from '../inspect.js';
import type { Rule } from '../model.js';
import { apiCall, SUCCEEDED } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Logic

function removedAccount(event: TrailEvent): JsonObject {
  return requestScalars(event, 'accountId');
}

function policyType(event: TrailEvent): JsonObject {
  return requestScalars(event, 'rootId', 'policyType');
}

function policyTarget(event: TrailEvent): JsonObject {
  return requestScalars(event, 'policyId', 'targetId');
}

function servicePrincipal(event: TrailEvent): JsonObject {
  return requestScalars(event, 'servicePrincipal');
}

// ---------------------------------------------------------------------------------------------------------
// Rules

/** The policy types that limit what principals can do or what can be done to resources. */
const GUARDRAIL_POLICY_TYPES = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] as const;

/**
 * The AWS managed policies that allow everything: every root, OU and account needs an SCP attached, and
 * replacing FullAWSAccess with an allow list means detaching it. Detaching one removes no guardrail.
 */
const ALLOW_ALL_POLICIES = ['p-FullAWSAccess', 'p-RCPFullAWSAccess'] as const;

/** Service principals of the security services that run organization-wide through trusted access. */
const SECURITY_SERVICES = [
  'access-analyzer.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'config.amazonaws.com',
  'config-multiaccountsetup.amazonaws.com',
  'detective.amazonaws.com',
  'fms.amazonaws.com',
  'guardduty.amazonaws.com',
  'inspector2.amazonaws.com',
  'macie.amazonaws.com',
  'malware-protection.guardduty.amazonaws.com',
  'securityhub.amazonaws.com',
  'securitylake.amazonaws.com',
] as const;

export const organizationsRules: readonly Rule[] = [
  {
    id: 'organizations.leave-organization',
    title: 'Account left its organization',
    severity: 'critical',
    description:
      "A member account called LeaveOrganization: once out, the organization's SCPs and RCPs no longer bind it, organization trails and delegated security services (GuardDuty, Security Hub, Config) stop covering it, and whoever controls the account answers to no one. Attackers do it to shed guardrails before acting. Failed attempts alert too. Check who made the call; if it was not a planned account closure or transfer, treat the account as compromised.",
    pattern: apiCall('organizations', ['LeaveOrganization']),
  },
  {
    id: 'organizations.remove-account',
    title: 'Account removed from the organization',
    severity: 'high',
    description:
      "The management account removed a member account (`accountId`) from the organization: the organization's policies, organization trails and delegated security services no longer cover it. Failed attempts alert too. Check that the removal was a planned offboarding, and who now controls the account.",
    pattern: apiCall('organizations', ['RemoveAccountFromOrganization']),
    details: removedAccount,
  },
  {
    id: 'organizations.delete-organization',
    title: 'Organization deleted',
    severity: 'high',
    description:
      'DeleteOrganization dissolves the organization (it must have no member accounts left): every organization policy, organization trail and delegated administrator goes with it. Failed attempts alert too. Check that this was planned, and look at the account removals that came before it.',
    pattern: apiCall('organizations', ['DeleteOrganization']),
  },
  {
    id: 'organizations.scp-policy-type-disabled',
    title: 'Service or resource control policies disabled in the organization',
    severity: 'critical',
    description:
      'DisablePolicyType turned off service control policies or resource control policies (`policyType`) in a root: every policy of that type is detached from every OU and account at once, and the guardrails they enforced (regions, disabling logging, leaving the organization, public access) are gone. Failed attempts alert too, and so does a request that does not name the type. Check who did it and re-enable the type and its policies unless this was planned.',
    pattern: apiCall('organizations', ['DisablePolicyType'], {
      $or: [
        { requestParameters: { policyType: [...GUARDRAIL_POLICY_TYPES] } },
        { requestParameters: { policyType: [{ exists: false }] } },
      ],
    }),
    details: policyType,
  },
  {
    id: 'organizations.policy-detached',
    title: 'Organization policy detached',
    severity: 'high',
    description:
      'A policy (`policyId`) was detached from a root, OU or account (`targetId`); when it is a service or resource control policy, the restrictions it enforced stop applying to every account below the target at once. The event does not say the policy type: look the policy up (`aws organizations describe-policy --policy-id ...`). Detaching the allow-all FullAWSAccess policies is not alerted. Check that the change was planned.',
    pattern: apiCall('organizations', ['DetachPolicy'], {
      ...SUCCEEDED,
      $or: [
        { requestParameters: { policyId: [{ 'anything-but': [...ALLOW_ALL_POLICIES] }] } },
        { requestParameters: { policyId: [{ exists: false }] } },
      ],
    }),
    details: policyTarget,
  },
  {
    id: 'organizations.policy-deleted',
    title: 'Organization policy deleted',
    severity: 'medium',
    description:
      'An organization policy (`policyId`) was deleted. A policy must be detached everywhere before it can be deleted, so its detachments came first (organizations.policy-detached); deleting it also removes the record of what it enforced. Check that the policy was retired on purpose, and keep a copy of its content.',
    pattern: apiCall('organizations', ['DeletePolicy'], { ...SUCCEEDED }),
    details: policyTarget,
  },
  {
    id: 'organizations.security-service-access-disabled',
    title: "Security service's organization access disabled",
    severity: 'high',
    description:
      'DisableAWSServiceAccess removed the trusted access of a security service (`servicePrincipal`: CloudTrail, Config, GuardDuty, Security Hub, ...) to the organization: it can no longer manage member accounts, and organization-wide trails, detectors or rules stop reaching them. Failed attempts alert too. Check that the service is being retired on purpose; otherwise re-enable trusted access from the service itself.',
    pattern: apiCall('organizations', ['DisableAWSServiceAccess'], {
      requestParameters: { servicePrincipal: [...SECURITY_SERVICES] },
    }),
    details: servicePrincipal,
  },
];
