import type { JsonObject } from '../model.js';

/** Where a top-level value sits: in requestParameters or responseElements. */
type Place = readonly [root: 'request' | 'response', key: string];

/**
 * Calls whose request and response together name one resource two ways. The later call on that
 * resource often carries only the second name (DisassociateRouteTable carries only the association
 * id), so the pair must be remembered.
 */
const EVENT_ALIASES: ReadonlyMap<string, readonly Place[]> = new Map<string, readonly Place[]>([
  [
    'AssociateRouteTable',
    [
      ['request', 'routeTableId'],
      ['response', 'associationId'],
    ],
  ],
  [
    'ReplaceRouteTableAssociation',
    [
      ['request', 'routeTableId'],
      ['response', 'newAssociationId'],
    ],
  ],
  [
    'AssociateAddress',
    [
      ['request', 'allocationId'],
      ['response', 'associationId'],
    ],
  ],
  [
    'ReplaceNetworkAclAssociation',
    [
      ['request', 'networkAclId'],
      ['response', 'newAssociationId'],
    ],
  ],
  [
    'CreateSecurityGroup',
    [
      ['request', 'groupName'],
      ['response', 'groupId'],
    ],
  ],
  [
    'CreateSecret',
    [
      ['request', 'name'],
      ['response', 'arn'],
    ],
  ],
]);

/** The alias group an event's name calls for, read from the top level of its request and response. */
export function eventAliases(
  eventName: string,
  request: JsonObject | null,
  response: JsonObject | null,
): string[] | undefined {
  const places = EVENT_ALIASES.get(eventName);
  if (places === undefined) return undefined;
  const group: string[] = [];
  for (const [root, key] of places) {
    const value = (root === 'request' ? request : response)?.[key];
    if (typeof value === 'string' && value !== '' && !group.includes(value)) group.push(value);
  }
  return group.length > 1 ? group : undefined;
}

const STEM_SUFFIXES = ['ResourceId', 'Identifier', 'Id', 'Name', 'Arn', 'ARN'] as const;

/** Stems that differ only by AWS's spelling: `dbiResourceId` belongs with `dBInstanceIdentifier`. */
const STEM_SYNONYMS: ReadonlyMap<string, string> = new Map([['dbi', 'dbinstance']]);

/**
 * The object a key's value identifies, judged by its name: `roleId` and `roleName` → `role`; a bare
 * `arn` → '' (it joins whichever object the response describes). Undefined for other keys.
 */
export function keyStem(key: string): string | undefined {
  if (key === 'arn' || key === 'Arn' || key === 'ARN') return '';
  for (const suffix of STEM_SUFFIXES) {
    if (key.length > suffix.length && key.endsWith(suffix)) {
      const stem = key.slice(0, key.length - suffix.length).toLowerCase();
      return STEM_SYNONYMS.get(stem) ?? stem;
    }
  }
  return undefined;
}

export interface StemmedValue {
  readonly stem: string;
  readonly value: string;
}

/**
 * Groups the identifiers found side by side in one response object by the object they name
 * (`role: { roleId, roleName, arn }` → one group). A bare `arn` joins the group named like the
 * object that holds it (`role`); elsewhere it may be any resource's ARN.
 */
export function stemGroups(values: readonly StemmedValue[], objectKey: string): string[][] {
  const byStem = new Map<string, string[]>();
  for (const { stem, value } of values) {
    const list = byStem.get(stem);
    if (list === undefined) byStem.set(stem, [value]);
    else if (!list.includes(value)) list.push(value);
  }
  const arns = byStem.get('');
  byStem.delete('');
  const own = objectKey === '' ? undefined : objectStem(objectKey);
  const groups: string[][] = [];
  for (const [stem, list] of byStem) {
    const group =
      stem === own && arns !== undefined ? [...list, ...arns.filter((a) => !list.includes(a))] : list;
    if (group.length > 1) groups.push(group);
  }
  return groups;
}

function objectStem(key: string): string {
  const stem = key.toLowerCase();
  return STEM_SYNONYMS.get(stem) ?? stem;
}
