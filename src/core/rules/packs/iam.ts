/**
 * IAM: new identities and credentials, administrator grants, role trust opened to other accounts or to any
 * holder of a web identity token, MFA removed.
 */
import type { JsonObject, TrailEvent } from '../../model.js';
import { request, requestScalars, response, text } from '../inspect.js';
import { type ConditionResult, matched, notMatched, type Rule, undetermined } from '../model.js';
import {
  allowsAction,
  allowsAssumeRole,
  conditionEntries,
  federatedPrincipalsOf,
  granteesOf,
  grantsEverything,
  parsePolicyDocument,
  statementsOf,
} from '../policy-document.js';
import { apiCall, SUCCEEDED } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Logic

function targetOf(event: TrailEvent): JsonObject {
  return requestScalars(event, 'userName', 'groupName', 'roleName', 'policyName', 'policyArn');
}

function createdUser(event: TrailEvent): JsonObject {
  const arn = text(response(event, 'user', 'arn'));
  return { ...requestScalars(event, 'userName', 'path'), ...(arn !== undefined && { userArn: arn }) };
}

function accessKey(event: TrailEvent): JsonObject {
  // Without a userName the key is for the caller; only an IAM user caller has a user name to compare.
  const caller = event.userIdentity['type'] === 'IAMUser' ? text(event.userIdentity['userName']) : undefined;
  const requested = text(request(event, 'userName'));
  const target = requested ?? caller;
  const keyId = text(response(event, 'accessKey', 'accessKeyId'));
  return {
    ...(target !== undefined && { userName: target }),
    ...(keyId !== undefined && { accessKeyId: keyId }),
    forAnotherUser: requested !== undefined && requested !== caller,
  };
}

function loginProfile(event: TrailEvent): JsonObject {
  return requestScalars(event, 'userName', 'passwordResetRequired');
}

/** The policy document grants every action on every resource. */
function grantsAdministrator(event: TrailEvent): ConditionResult {
  const parsed = parsePolicyDocument(request(event, 'policyDocument'));
  if (!parsed.ok) return undetermined(parsed.reason, targetOf(event));
  const admin = statementsOf(parsed.document).filter(grantsEverything);
  if (admin.length === 0) return notMatched('no statement allows every action on every resource');
  return matched({ ...targetOf(event), adminStatements: admin.map((statement) => statement['Sid'] ?? null) });
}

/** The trust policy of CreateRole (`assumeRolePolicyDocument`) or UpdateAssumeRolePolicy (`policyDocument`). */
function trustPolicyOf(event: TrailEvent): unknown {
  return request(event, event.eventName === 'CreateRole' ? 'assumeRolePolicyDocument' : 'policyDocument');
}

/** The role's trust policy lets anyone, or principals of another account, assume it. */
function trustsOutsiders(event: TrailEvent): ConditionResult {
  const roleName = requestScalars(event, 'roleName');
  const parsed = parsePolicyDocument(trustPolicyOf(event));
  if (!parsed.ok) return undetermined(parsed.reason, roleName);
  let anyone = false;
  const external = new Set<string>();
  const principals = new Set<string>();
  for (const statement of statementsOf(parsed.document).filter(allowsAssumeRole)) {
    const grantees = granteesOf(statement);
    if (grantees.anyone) anyone = true;
    for (const account of grantees.accounts) {
      if (account !== event.accountId) external.add(account);
    }
    for (const principal of grantees.principals) principals.add(principal);
  }
  if (!anyone && external.size === 0)
    return notMatched('only principals of this account or services are trusted');
  return matched({
    ...roleName,
    trustsAnyone: anyone,
    externalAccounts: [...external].sort(),
    principals: [...principals],
  });
}

const WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';

/**
 * OIDC issuers shared by every customer of a hosted service: their audience is the same for everyone (GitHub
 * Actions' is `sts.amazonaws.com`), so only the subject (`<issuer>:sub`: repository, project, workspace)
 * tells this role's pipelines from anybody else's.
 */
const SHARED_ISSUERS = [
  'token.actions.githubusercontent.com',
  'gitlab.com',
  'app.terraform.io',
  'agent.buildkite.com',
];

/** `arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com` -> the issuer; names as they are. */
function issuerOf(provider: string): string {
  const marker = ':oidc-provider/';
  const index = provider.indexOf(marker);
  return (index < 0 ? provider : provider.slice(index + marker.length)).toLowerCase();
}

/** Operators under which a value narrows who may assume the role (not StringNotEquals, Null, ...). */
function narrows(operator: string): boolean {
  const name = operator.toLowerCase();
  return !name.includes('not') && name !== 'null';
}

/** A subject that names no one: `*`, or a field followed at once by a wildcard (`repo:*`, `organization:*`). */
function namesNoOne(subject: string): boolean {
  return /^(?:[\w-]+:)?[*?]/.test(subject);
}

/** Why a statement's conditions fail to tie `provider`'s tokens to this account's identities, if they do. */
function unconstrainedBy(statement: JsonObject, provider: string): string | undefined {
  const conditions = conditionEntries(statement);
  if (conditions.length === 0) return 'no condition';
  const issuer = issuerOf(provider);
  if (!SHARED_ISSUERS.includes(issuer)) return undefined;
  const subjectKey = `${issuer}:sub`;
  const subjects = conditions
    .filter(([operator, key]) => narrows(operator) && key.toLowerCase() === subjectKey)
    .flatMap(([, , values]) => values);
  if (subjects.length === 0) return `no condition on ${subjectKey}`;
  if (subjects.every(namesNoOne)) return `the ${subjectKey} condition matches every subject`;
  return undefined;
}

/**
 * The role trusts a web identity provider (OIDC, Cognito, Google, ...) for AssumeRoleWithWebIdentity without
 * a condition, or trusts a shared CI issuer without a subject condition. A document that does not parse does
 * not match here: iam.role-trusts-outsider already raises it as undetermined.
 */
function trustsAnyTokenHolder(event: TrailEvent): ConditionResult {
  const parsed = parsePolicyDocument(trustPolicyOf(event));
  if (!parsed.ok) return notMatched(parsed.reason);
  const providers: JsonObject[] = [];
  for (const statement of statementsOf(parsed.document)) {
    if (!allowsAction(statement, WEB_IDENTITY)) continue;
    for (const provider of federatedPrincipalsOf(statement)) {
      // SAML providers cannot issue web identity tokens, whatever the Action says.
      if (provider.includes(':saml-provider/')) continue;
      const problem = unconstrainedBy(statement, provider);
      if (problem !== undefined) providers.push({ provider, problem });
    }
  }
  if (providers.length === 0) return notMatched('every web identity trust has a limiting condition');
  return matched({ ...requestScalars(event, 'roleName'), providers });
}

function mfaDevice(event: TrailEvent): JsonObject {
  return requestScalars(event, 'userName', 'serialNumber');
}

// ---------------------------------------------------------------------------------------------------------
// Rules

export const iamRules: readonly Rule[] = [
  {
    id: 'iam.create-user',
    title: 'IAM user created',
    severity: 'medium',
    description:
      'A new IAM user is a new long-lived identity in the account, and a common way to keep access after a compromise. Check that the user was requested and is managed by your usual process (Identity Center, IaC), and look at what was attached to it next: access keys, a console password, policies.',
    pattern: apiCall('iam', ['CreateUser'], { ...SUCCEEDED }),
    details: createdUser,
  },
  {
    id: 'iam.create-access-key',
    title: 'IAM access key created',
    severity: 'high',
    description:
      'An access key is a long-lived credential that works from anywhere until it is deleted. A key created for another user is how attackers backdoor an existing identity. Check who asked for it and why, whether `forAnotherUser` is true, and deactivate the key if nobody owns it.',
    pattern: apiCall('iam', ['CreateAccessKey'], { ...SUCCEEDED }),
    details: accessKey,
  },
  {
    id: 'iam.create-login-profile',
    title: 'Console password set for an IAM user',
    severity: 'high',
    description:
      'CreateLoginProfile gives an IAM user a console password; on a user that had none (often a service user) it opens a new way in. Check that the user is a person who needs the console, and that MFA is enforced for them.',
    pattern: apiCall('iam', ['CreateLoginProfile'], { ...SUCCEEDED }),
    details: loginProfile,
  },
  {
    id: 'iam.update-login-profile',
    title: "IAM user's console password changed by someone else",
    severity: 'high',
    description:
      "UpdateLoginProfile resets another user's console password (users change their own with ChangePassword). Whoever did it can now sign in as that user. Check that the reset was requested by the user, and that the caller is an administrator who does this routinely.",
    pattern: apiCall('iam', ['UpdateLoginProfile'], { ...SUCCEEDED }),
    details: loginProfile,
  },
  {
    id: 'iam.attach-admin-policy',
    title: 'AdministratorAccess attached',
    severity: 'critical',
    description:
      'The AWS managed AdministratorAccess policy was attached to a user, group or role: it allows every action on every resource. Check that the target is a break-glass or administrator identity that is expected to hold it; otherwise detach it and find out who can use that identity.',
    pattern: apiCall('iam', ['AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy'], {
      requestParameters: { policyArn: [{ wildcard: 'arn:*:iam::aws:policy/AdministratorAccess' }] },
      ...SUCCEEDED,
    }),
    details: targetOf,
  },
  {
    id: 'iam.put-admin-inline-policy',
    title: 'Inline policy granting full access',
    severity: 'critical',
    description:
      'An inline policy that allows "*" (or "*:*") on "*" was put on a user, group or role: the same power as AdministratorAccess, but invisible in the list of attached managed policies. Check the target and the policy, and remove it unless it is an expected administrator grant.',
    pattern: apiCall('iam', ['PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy'], { ...SUCCEEDED }),
    condition: grantsAdministrator,
  },
  {
    id: 'iam.create-admin-policy',
    title: 'Managed policy granting full access',
    severity: 'high',
    description:
      'A customer managed policy (or a new version of one) allows "*" on "*". Anyone it is attached to, now or later, becomes an administrator, and a new default version changes every identity that already has it. Check which identities use the policy and whether full access was intended.',
    pattern: apiCall('iam', ['CreatePolicy', 'CreatePolicyVersion'], { ...SUCCEEDED }),
    condition: grantsAdministrator,
  },
  {
    id: 'iam.role-trusts-outsider',
    title: 'Role trusts another account or anyone',
    severity: 'high',
    description:
      'A role was created or its trust policy changed so that principals outside this account (`externalAccounts`) or anyone (`trustsAnyone`) can assume it: a classic backdoor that survives password and key rotation. Check that each external account is one you own or a vendor you chose, and that trusts to "*" are limited by conditions.',
    pattern: apiCall('iam', ['UpdateAssumeRolePolicy', 'CreateRole'], { ...SUCCEEDED }),
    condition: trustsOutsiders,
  },
  {
    id: 'iam.role-trusts-web-identity-without-condition',
    title: 'Role can be assumed with any web identity token',
    severity: 'high',
    description:
      'A role was created or its trust policy changed so that it trusts a web identity provider (`providers`) for AssumeRoleWithWebIdentity without a condition, or trusts a shared CI issuer such as GitHub Actions without a condition on the subject (`<issuer>:sub`). Anyone who can get a token from that provider, for example any workflow in any GitHub repository, can then assume the role. Add conditions on the audience and the subject (repository and branch, service account, identity pool) that name your own identities.',
    // The wildcard only skips trust policies without a federated principal; the condition reads the rest.
    pattern: apiCall('iam', ['CreateRole', 'UpdateAssumeRolePolicy'], {
      ...SUCCEEDED,
      $or: [
        { requestParameters: { assumeRolePolicyDocument: [{ wildcard: '*Federated*' }] } },
        { requestParameters: { policyDocument: [{ wildcard: '*Federated*' }] } },
      ],
    }),
    condition: trustsAnyTokenHolder,
  },
  {
    id: 'iam.deactivate-mfa',
    title: 'MFA device deactivated',
    severity: 'high',
    description:
      "An IAM user's MFA device was deactivated: the user can now sign in with a password alone, and an attacker who knows it no longer needs the second factor. Check that the user asked for it (lost device) and that a new device is enrolled soon after.",
    pattern: apiCall('iam', ['DeactivateMFADevice'], { ...SUCCEEDED }),
    details: mfaDevice,
  },
];
