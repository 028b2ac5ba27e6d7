import { clip } from '../clip.js';
import type { Channel } from '../model.js';
import type { IdentityFacts } from './identity.js';

// Session names and user names come from untrusted records: keep a display on one line and bounded.
const maxPieceLength = 120;

function clean(text: string): string {
  return clip(text.replace(/\p{Cc}+/gu, ' ').trim(), maxPieceLength);
}

/** The short name of a SAML provider ARN (`arn:aws:iam::123:saml-provider/Okta` -> `Okta`). */
function providerName(provider: string): string {
  return provider.startsWith('arn:') ? (provider.split('/').at(-1) ?? provider) : provider;
}

function roleWho(facts: IdentityFacts): string | undefined {
  const permissionSet = facts.identityCenter?.permissionSet;
  const session = facts.sessionName;
  if (permissionSet !== undefined) {
    return `${session ?? 'unknown user'} via AWSReservedSSO_${permissionSet}`;
  }
  if (facts.roleName !== undefined) {
    return session === undefined ? `role ${facts.roleName}` : `${session} via role ${facts.roleName}`;
  }
  return facts.arn;
}

function who(facts: IdentityFacts): string {
  const best = facts.arn ?? facts.userName ?? facts.principalId ?? facts.invokedBy ?? facts.accountId;
  const provider = facts.identityProvider === undefined ? '' : ` via ${providerName(facts.identityProvider)}`;
  switch (facts.type) {
    case 'Root':
      return 'root';
    case 'IAMUser':
      return facts.userName === undefined ? `IAM user ${best ?? 'unknown'}` : `IAM user ${facts.userName}`;
    case 'AssumedRole':
      return roleWho(facts) ?? `assumed role ${best ?? 'unknown'}`;
    case 'FederatedUser': {
      const issuer = facts.issuerName === undefined ? '' : ` via IAM user ${facts.issuerName}`;
      return `federated user ${facts.userName ?? best ?? 'unknown'}${issuer}`;
    }
    case 'AWSService':
      return facts.invokedBy === undefined ? 'AWS service' : `AWS service ${facts.invokedBy}`;
    case 'AWSAccount':
      return `account ${facts.accountId ?? facts.principalId ?? 'unknown'}`;
    case 'SAMLUser':
      return `SAML user ${facts.userName ?? best ?? 'unknown'}${provider}`;
    case 'WebIdentityUser':
      return `web identity user ${facts.userName ?? best ?? 'unknown'}${provider}`;
    case 'IdentityCenterUser':
      return `Identity Center user ${facts.identityCenter?.user ?? best ?? 'unknown'}`;
    case 'Unknown':
      return best === undefined ? 'unknown identity' : `${facts.rawType ?? 'unknown'} identity ${best}`;
  }
}

const channelLabels: Record<Exclude<Channel, 'aws-service' | 'unknown'>, string> = {
  console: 'console',
  cli: 'AWS CLI',
  sdk: 'AWS SDK',
  terraform: 'Terraform',
  cloudformation: 'CloudFormation',
};

function channelLabel(facts: IdentityFacts, channel: Channel): string | undefined {
  if (channel === 'unknown') return undefined;
  if (channel !== 'aws-service') return channelLabels[channel];
  if (facts.type === 'AWSService') return undefined;
  return facts.invokedBy === undefined ? 'AWS service' : `invoked by ${facts.invokedBy}`;
}

/** e.g. `alice@example.com via AWSReservedSSO_Admin (console)` or `root (account 123456789012, console)`. */
export function displayOf(facts: IdentityFacts, channel: Channel): string {
  const notes = [
    facts.type === 'Root' && facts.accountId !== undefined ? `account ${facts.accountId}` : undefined,
    channelLabel(facts, channel),
    facts.sourceIdentity === undefined ? undefined : `source identity ${clean(facts.sourceIdentity)}`,
    facts.onBehalfOf?.userId === undefined || facts.type === 'IdentityCenterUser'
      ? undefined
      : `on behalf of Identity Center user ${clean(facts.onBehalfOf.userId)}`,
  ].filter((note): note is string => note !== undefined);
  const base = clean(who(facts)) || 'unknown identity';
  return notes.length === 0 ? base : `${base} (${notes.join(', ')})`;
}
