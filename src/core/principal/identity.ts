import type { JsonObject, Principal, PrincipalType } from '../model.js';
import {
  accountOfArn,
  lastSegmentOfArn,
  parseAssumedRoleArn,
  parseFederatedUserArn,
  splitArn,
} from './arn.js';
import { permissionSetOfRole } from './identity-center.js';
import { asObject, objectField, stringField } from './read.js';

/** What userIdentity says about the caller, before the channel is known. */
export interface IdentityFacts extends Omit<Principal, 'channel' | 'display'> {
  /** userIdentity.type as written, kept for identities this module does not model (Directory, Role, ...). */
  readonly rawType?: string;
  /** SAML provider or web identity provider (accounts.google.com, cognito-identity.amazonaws.com, ...). */
  readonly identityProvider?: string;
  /** For federated users: the IAM user who called GetFederationToken. */
  readonly issuerName?: string;
}

const modelledTypes: ReadonlySet<string> = new Set<PrincipalType>([
  'Root',
  'IAMUser',
  'AssumedRole',
  'FederatedUser',
  'AWSService',
  'AWSAccount',
  'SAMLUser',
  'WebIdentityUser',
  'IdentityCenterUser',
]);

/** Trimmed or old records omit `type`; the ARN, or a lone invokedBy, still tells what the caller was. */
function inferType(arn: string | undefined, invokedBy: string | undefined): PrincipalType {
  const resource = arn === undefined ? undefined : splitArn(arn)?.resource;
  if (resource === 'root') return 'Root';
  if (resource?.startsWith('user/')) return 'IAMUser';
  if (resource?.startsWith('assumed-role/')) return 'AssumedRole';
  if (resource?.startsWith('federated-user/')) return 'FederatedUser';
  if (arn === undefined && invokedBy !== undefined && /\.amazonaws\.com$/i.test(invokedBy)) {
    return 'AWSService';
  }
  return 'Unknown';
}

function typeOf(
  rawType: string | undefined,
  arn: string | undefined,
  invokedBy: string | undefined,
): PrincipalType {
  if (rawType !== undefined && modelledTypes.has(rawType)) return rawType as PrincipalType;
  return rawType === undefined ? inferType(arn, invokedBy) : 'Unknown';
}

/** The part after the colon of `AROA...:session` or `123456789012:bob`. */
function afterColon(principalId: string | undefined): string | undefined {
  const index = principalId?.indexOf(':') ?? -1;
  const rest = index >= 0 ? principalId?.slice(index + 1) : undefined;
  return rest === '' ? undefined : rest;
}

function onBehalfOfFrom(userIdentity: JsonObject): Principal['onBehalfOf'] {
  const block = objectField(userIdentity, 'onBehalfOf');
  const userId = stringField(block, 'userId');
  const identityStoreArn = stringField(block, 'identityStoreArn');
  if (userId === undefined && identityStoreArn === undefined) return undefined;
  return { ...(userId && { userId }), ...(identityStoreArn && { identityStoreArn }) };
}

function assumedRoleFacts(arn: string | undefined, principalId: string | undefined, issuer?: JsonObject) {
  const parsed = arn === undefined ? undefined : parseAssumedRoleArn(arn);
  const issuerArn = stringField(issuer, 'arn');
  const roleArn = issuerArn?.includes(':role/') ? issuerArn : undefined;
  const roleName =
    stringField(issuer, 'userName') ?? (roleArn && lastSegmentOfArn(roleArn)) ?? parsed?.roleName;
  const sessionName = parsed?.sessionName ?? afterColon(principalId);
  const permissionSet = roleName === undefined ? undefined : permissionSetOfRole(roleName);
  return {
    ...(roleArn && { roleArn }),
    ...(roleName && { roleName }),
    ...(sessionName && { sessionName }),
    ...(permissionSet !== undefined && {
      identityCenter: { permissionSet, ...(sessionName && { user: sessionName }) },
    }),
  };
}

function userNameFacts(type: PrincipalType, userIdentity: JsonObject, arn: string | undefined) {
  const userName = stringField(userIdentity, 'userName');
  const principalId = stringField(userIdentity, 'principalId');
  if (type === 'IAMUser') {
    const name = userName ?? (arn && lastSegmentOfArn(arn));
    return name ? { userName: name } : {};
  }
  if (type === 'FederatedUser') {
    const name = (arn && parseFederatedUserArn(arn)) ?? afterColon(principalId) ?? userName;
    const issuerName = stringField(
      objectField(objectField(userIdentity, 'sessionContext'), 'sessionIssuer'),
      'userName',
    );
    return { ...(name && { userName: name }), ...(issuerName && { issuerName }) };
  }
  return userName ? { userName } : {};
}

/** A value of `identityKeyValues`: a string or number as written; anything else reads as absent. */
export type IdentityKeyValue = string | number | undefined;

function keyValue(value: unknown): IdentityKeyValue {
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

/**
 * Every value of a userIdentity block that `identityFacts` reads, as written, in a fixed order: two
 * blocks with the same values have the same facts (the per-session noise of a real block, such as
 * `accessKeyId` and `sessionContext.attributes`, is left out). Values are taken raw (`stringField` would
 * trim them): two spellings of one value only make two keys. A string and a number stay apart (`stringField`
 * reads both). For caching; keep it in step with `identityFacts` and the functions it calls, which read
 * nothing else.
 */
export function identityKeyValues(userIdentityInput: unknown): IdentityKeyValue[] {
  const userIdentity = asObject(userIdentityInput) ?? {};
  const sessionContext = asObject(userIdentity['sessionContext']);
  const issuer = asObject(sessionContext?.['sessionIssuer']);
  const onBehalfOf = asObject(userIdentity['onBehalfOf']);
  return [
    keyValue(userIdentity['type']),
    keyValue(userIdentity['arn']),
    keyValue(userIdentity['invokedBy']),
    keyValue(userIdentity['principalId']),
    keyValue(userIdentity['accountId']),
    keyValue(userIdentity['userName']),
    keyValue(userIdentity['sourceIdentity']),
    keyValue(userIdentity['identityProvider']),
    keyValue(sessionContext?.['sourceIdentity']),
    keyValue(issuer?.['arn']),
    keyValue(issuer?.['userName']),
    keyValue(onBehalfOf?.['userId']),
    keyValue(onBehalfOf?.['identityStoreArn']),
  ];
}

/** `identityKeyValues` in one string, each value length-prefixed so that no value can pass for several. */
export function identityKeyOf(userIdentityInput: unknown): string {
  return identityKeyValues(userIdentityInput).map(part).join('');
}

/**
 * One value of a key, so that no value can pass for several: a string with its length first, a number
 * marked as one, anything else as absent.
 */
function part(value: IdentityKeyValue): string {
  if (typeof value === 'string') return `${value.length}:${value}`;
  return typeof value === 'number' ? `#${value};` : '-';
}

/** Reads a CloudTrail userIdentity block of any shape; never throws. */
export function identityFacts(userIdentityInput: unknown): IdentityFacts {
  const userIdentity = asObject(userIdentityInput) ?? {};
  const rawType = stringField(userIdentity, 'type');
  const arn = stringField(userIdentity, 'arn');
  const invokedBy = stringField(userIdentity, 'invokedBy');
  const principalId = stringField(userIdentity, 'principalId');
  const type = typeOf(rawType, arn, invokedBy);
  const sessionContext = objectField(userIdentity, 'sessionContext');
  const accountId = stringField(userIdentity, 'accountId') ?? (arn && accountOfArn(arn));
  const sourceIdentity =
    stringField(sessionContext, 'sourceIdentity') ?? stringField(userIdentity, 'sourceIdentity');
  const identityProvider = stringField(userIdentity, 'identityProvider');
  const onBehalfOf = onBehalfOfFrom(userIdentity);
  const role =
    type === 'AssumedRole'
      ? assumedRoleFacts(arn, principalId, objectField(sessionContext, 'sessionIssuer'))
      : undefined;
  const identityCenterUser =
    type === 'IdentityCenterUser' && onBehalfOf?.userId
      ? { identityCenter: { user: onBehalfOf.userId } }
      : {};
  return {
    type,
    ...(rawType !== undefined && type === 'Unknown' && { rawType }),
    ...(arn && { arn }),
    ...(accountId && { accountId }),
    ...(principalId && { principalId }),
    ...userNameFacts(type, userIdentity, arn),
    ...role,
    ...identityCenterUser,
    ...(invokedBy && { invokedBy }),
    ...(sourceIdentity && { sourceIdentity }),
    ...(onBehalfOf && { onBehalfOf }),
    ...(identityProvider && { identityProvider }),
  };
}
