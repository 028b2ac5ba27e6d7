/** S3 made public: bucket policies and ACLs granting everyone, public access blocks removed or weakened. */
import type { JsonObject, TrailEvent } from '../../model.js';
import { isObject, list, request, requestScalars, stringsIn, text, unique } from '../inspect.js';
import { type ConditionResult, matched, notMatched, type Rule, undetermined } from '../model.js';
import type { EventPattern } from '../pattern.js';
import { granteesOf, isAllow, parsePolicyDocument, statementsOf, stringsOf } from '../policy-document.js';
import { apiCall, SUCCEEDED } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Logic

function bucket(event: TrailEvent): JsonObject {
  return requestScalars(event, 'bucketName');
}

/** A statement allows `*` (or `{"AWS": "*"}`) and no condition limits who (best effort: conditions on other keys are ignored). */
function publicPolicy(event: TrailEvent): ConditionResult {
  const parsed = parsePolicyDocument(request(event, 'bucketPolicy'));
  if (!parsed.ok) return undetermined(parsed.reason, bucket(event));
  const allows = statementsOf(parsed.document).filter(isAllow);
  const open = allows.filter((statement) => granteesOf(statement).anyone);
  if (open.length === 0) {
    const restricted = allows.some((statement) => granteesOf(statement).restrictedAnyone);
    return notMatched(
      restricted ? 'statements for "*" are limited by conditions' : 'no statement allows "*"',
    );
  }
  return matched({
    ...bucket(event),
    publicActions: unique(open.flatMap((statement) => stringsOf(statement, 'Action'))),
    publicStatements: open.map((statement) => statement['Sid'] ?? null),
  });
}

const GROUPS = ['AllUsers', 'AuthenticatedUsers'];
const PUBLIC_CANNED_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];

/** Grants to the AllUsers or AuthenticatedUsers groups, in the ACL document, a grant header or a canned ACL. */
function publicAcl(event: TrailEvent): ConditionResult {
  const strings = stringsIn(event.requestParameters);
  const grantees = GROUPS.filter((group) =>
    strings.some((value) => value.includes(`acs.amazonaws.com/groups/global/${group}`)),
  );
  const canned = list(request(event, 'x-amz-acl'))
    .map(text)
    .filter((value): value is string => value !== undefined && PUBLIC_CANNED_ACLS.includes(value));
  if (grantees.length === 0 && canned.length === 0)
    return notMatched('no grant to AllUsers or AuthenticatedUsers');
  return matched({ ...bucket(event), grantees, ...(canned.length > 0 && { cannedAcl: canned[0] }) });
}

const FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'];

/** Which of the four settings a Put leaves off (an omitted setting is false), or that the block was deleted. */
function accessBlockChange(event: TrailEvent): JsonObject {
  const base = { ...bucket(event), ...requestScalars(event, 'x-amz-account-id') };
  if (event.eventName.startsWith('Delete')) return { ...base, removed: true };
  const configuration = request(event, 'PublicAccessBlockConfiguration');
  const off = FLAGS.filter((flag) => {
    const value = isObject(configuration) ? configuration[flag] : undefined;
    return value !== true && value !== 'true';
  });
  return { ...base, disabled: off };
}

/** A Delete, or a Put whose configuration leaves any of the four settings false or unset. */
function weakensBlock(scope: 'Bucket' | 'Account'): EventPattern {
  const offOrUnset = [false, 'false', { exists: false }] as const;
  return apiCall('s3', [`Put${scope}PublicAccessBlock`, `Delete${scope}PublicAccessBlock`], {
    ...SUCCEEDED,
    $or: [
      { eventName: [`Delete${scope}PublicAccessBlock`] },
      ...FLAGS.map((flag) => ({
        requestParameters: { PublicAccessBlockConfiguration: { [flag]: offOrUnset } },
      })),
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------
// Rules

export const s3Rules: readonly Rule[] = [
  {
    id: 's3.bucket-policy-public',
    title: 'Bucket policy grants access to everyone',
    severity: 'high',
    description:
      'A bucket policy allows "*" without a condition that limits who (such as aws:PrincipalOrgID, aws:SourceVpce or aws:SourceIp): anyone on the internet can perform `publicActions`, unless a public access block stops it. Check that the bucket is meant to be public (a website behind CloudFront usually is not), and what it holds.',
    pattern: apiCall('s3', ['PutBucketPolicy'], { ...SUCCEEDED }),
    condition: publicPolicy,
  },
  {
    id: 's3.bucket-acl-public',
    title: 'Bucket ACL grants access to everyone',
    severity: 'high',
    description:
      'A bucket ACL grants the AllUsers group (anyone) or AuthenticatedUsers (anyone with an AWS account) access, directly or through a canned ACL such as public-read. Check that the bucket is meant to be public; prefer bucket policies and keep Object Ownership set to "bucket owner enforced".',
    pattern: apiCall('s3', ['PutBucketAcl'], { ...SUCCEEDED }),
    condition: publicAcl,
  },
  {
    id: 's3.bucket-public-access-block-removed',
    title: "Bucket's public access block removed or weakened",
    severity: 'medium',
    description:
      "A bucket's public access block was deleted, or set with some of its four settings off (`disabled`): public policies and ACLs on the bucket are no longer blocked at the bucket level. The account-level block still applies if it is on. Check why the bucket needs public access.",
    pattern: weakensBlock('Bucket'),
    details: accessBlockChange,
  },
  {
    id: 's3.account-public-access-block-removed',
    title: "Account's S3 public access block removed or weakened",
    severity: 'high',
    description:
      'The account-wide S3 public access block was deleted or some of its settings turned off (`disabled`): every bucket in the account can now be made public by a policy or an ACL. Check who did it and restore the block unless the account deliberately serves public buckets.',
    pattern: weakensBlock('Account'),
    details: accessBlockChange,
  },
];
