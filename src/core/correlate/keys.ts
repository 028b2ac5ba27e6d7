import { describeArn } from '../identifiers/arn.js';
import { queueNameOfUrl } from '../identifiers.js';
import type { ConfigChange } from '../model.js';

/** How a key was obtained from the change; it says how much a match on it is worth. */
export type ChangeKeyKind = 'resourceId' | 'arn' | 'resourceName' | 'derived' | 'association' | 'alias';

export interface ChangeKey {
  readonly value: string;
  readonly kind: ChangeKeyKind;
}

/** Association ids name a link, not the resource; association calls often carry nothing else. */
const ASSOCIATION_PREFIXES = ['rtbassoc-', 'eipassoc-', 'aclassoc-'] as const;

const ASSOCIATION_LIMITS = { maxDepth: 6, maxNodes: 2000, maxKeys: 50 } as const;

function isAssociationId(value: string): boolean {
  if (value.length > 64) return false;
  for (const prefix of ASSOCIATION_PREFIXES) if (value.startsWith(prefix)) return true;
  return false;
}

/**
 * Association ids in the configuration item and its changed properties. A disassociation removes
 * the id from the route table, so it is found in the previous value Config reports.
 */
function associationIds(change: ConfigChange): string[] {
  const roots: unknown[] = [];
  for (const p of change.changedProperties) roots.push(p.previousValue, p.updatedValue);
  if (change.item !== undefined) roots.push(change.item['configuration']);
  const found: string[] = [];
  const stack: { node: unknown; depth: number }[] = roots.map((node) => ({ node, depth: 0 }));
  let nodes = 0;
  while (
    stack.length > 0 &&
    nodes < ASSOCIATION_LIMITS.maxNodes &&
    found.length < ASSOCIATION_LIMITS.maxKeys
  ) {
    const { node, depth } = stack.pop()!;
    nodes++;
    if (typeof node === 'string') {
      if (isAssociationId(node) && !found.includes(node)) found.push(node);
    } else if (node !== null && typeof node === 'object' && depth < ASSOCIATION_LIMITS.maxDepth) {
      const values = Array.isArray(node) ? node : Object.values(node);
      for (const child of values) stack.push({ node: child, depth: depth + 1 });
    }
  }
  return found;
}

class KeyList {
  public readonly keys: ChangeKey[] = [];

  public add(value: string | undefined, kind: ChangeKeyKind): void {
    if (value === undefined || value === '' || this.keys.some((k) => k.value === value)) return;
    this.keys.push({ value, kind });
  }
}

/** Forms of the change's own identifiers that events use instead (an SQS queue's name for its URL). */
function deriveKeys(change: ConfigChange, out: KeyList): void {
  for (const arn of [change.arn, change.resourceId]) {
    if (arn?.startsWith('arn:')) out.add(describeArn(arn)?.name, 'derived');
  }
  switch (change.resourceType) {
    case 'AWS::S3::Bucket':
      out.add(`arn:aws:s3:::${change.resourceId}`, 'derived');
      break;
    case 'AWS::SQS::Queue': {
      const name = queueNameOfUrl(change.resourceId) ?? change.resourceName;
      out.add(name, 'derived');
      if (name !== undefined)
        out.add(`arn:aws:sqs:${change.awsRegion}:${change.accountId}:${name}`, 'derived');
      break;
    }
    case 'AWS::RDS::DBInstance':
    case 'AWS::RDS::DBCluster':
      out.add(change.resourceName?.toLowerCase(), 'derived');
      break;
  }
}

/** The change's keys, strongest first: resourceId and ARN, then the name, then derived forms. */
export function changeKeyList(change: ConfigChange): ChangeKey[] {
  const out = new KeyList();
  out.add(change.resourceId, 'resourceId');
  out.add(change.arn, 'arn');
  out.add(change.resourceName, 'resourceName');
  deriveKeys(change, out);
  for (const id of associationIds(change)) out.add(id, 'association');
  return out.keys;
}

/** The identifiers to look the change up by: resourceId, name, ARN and the forms derived from them. */
export function changeKeys(change: ConfigChange): string[] {
  return changeKeyList(change).map((k) => k.value);
}

/** Keys that name this resource and nothing else; only these may pull in alias groups. */
export function isStrongKey(key: ChangeKey): boolean {
  return key.kind === 'resourceId' || key.kind === 'arn' || key.kind === 'association';
}
