/**
 * Changed properties as short human lines (`ingress tcp 22 from 0.0.0.0/0 added`), so a reviewer
 * sees what changed without opening the console. Values stay raw text: each target escapes them.
 */
import type { ChangedProperty, ChangeType } from '../model.js';
import { isObject } from '../rules/inspect.js';
import { compactValue } from './compact.js';
import { objectChange, pairReplacements } from './object-diff.js';
import { summarisePolicyProperty } from './summarise-policy.js';

export { compactValue } from './compact.js';

const PROTOCOLS: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

function strings(list: unknown, field?: string): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const value = field !== undefined && isObject(item) ? item[field] : item;
    return typeof value === 'string' ? [value] : [];
  });
}

/** One security group rule: `ingress tcp 22 from 0.0.0.0/0`. */
function permissionText(rule: unknown, egress: boolean): string | undefined {
  if (!isObject(rule) || rule['ipProtocol'] === undefined) return undefined;
  const raw = String(rule['ipProtocol']);
  const protocol = raw === '-1' ? 'all traffic' : (PROTOCOLS[raw] ?? raw);
  const from = typeof rule['fromPort'] === 'number' ? rule['fromPort'] : undefined;
  const to = typeof rule['toPort'] === 'number' ? rule['toPort'] : from;
  let ports = '';
  if (raw !== '-1' && from !== undefined && from !== -1) {
    if (from === 0 && to === 65535) ports = ' all ports';
    else ports = ` ${from === to ? from : `${from}-${to}`}`;
  }
  const peers = [
    ...strings(rule['ipv4Ranges'], 'cidrIp'),
    ...strings(rule['ipRanges']),
    ...strings(rule['ipRanges'], 'cidrIp'),
    ...strings(rule['ipv6Ranges'], 'cidrIpv6'),
    ...strings(rule['prefixListIds'], 'prefixListId'),
    ...strings(rule['userIdGroupPairs'], 'groupId'),
  ];
  const unique = [...new Set(peers)];
  const where = unique.length === 0 ? '' : ` ${egress ? 'to' : 'from'} ${unique.join(', ')}`;
  return `${egress ? 'egress' : 'ingress'} ${protocol}${ports}${where}`;
}

function permissionTexts(value: unknown, egress: boolean): string[] | undefined {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const texts = list.map((rule) => permissionText(rule, egress));
  return texts.every((text): text is string => text !== undefined) ? texts : undefined;
}

const VERB: Readonly<Record<ChangeType, string>> = { CREATE: 'added', DELETE: 'removed', UPDATE: 'changed' };

function summarisePermissions(property: ChangedProperty, egress: boolean): string | undefined {
  const before = permissionTexts(property.previousValue, egress);
  const after = permissionTexts(property.updatedValue, egress);
  if (before === undefined || after === undefined) return undefined;
  const added = after.filter((text) => !before.includes(text)).map((text) => `${text} added`);
  const removed = before.filter((text) => !after.includes(text)).map((text) => `${text} removed`);
  const lines = [...added, ...removed];
  return lines.length === 0 ? undefined : lines.join('; ');
}

function tagText(value: unknown): string | undefined {
  if (isObject(value) && typeof value['key'] === 'string') {
    return `${value['key']}=${compactValue(value['value'], 80)}`;
  }
  if (Array.isArray(value)) {
    const texts = value.map(tagText);
    return texts.every((text): text is string => text !== undefined) ? texts.join(', ') : undefined;
  }
  return undefined;
}

function summariseTag(property: ChangedProperty): string | undefined {
  const { previousValue: before, updatedValue: after, changeType } = property;
  if (changeType === 'UPDATE') {
    const [b, a] = [tagText(before), tagText(after)];
    return b === undefined || a === undefined ? undefined : `tag ${b} → ${a}`;
  }
  const text = tagText(changeType === 'CREATE' ? after : before);
  return text === undefined ? undefined : `tag ${text} ${VERB[changeType]}`;
}

function summariseRelationship(property: ChangedProperty): string | undefined {
  const value = property.changeType === 'DELETE' ? property.previousValue : property.updatedValue;
  if (!isObject(value) || typeof value['resourceId'] !== 'string') return undefined;
  const name = typeof value['name'] === 'string' ? value['name'] : 'relationship';
  return `relationship "${name}" ${value['resourceId']} ${VERB[property.changeType]}`;
}

function label(path: string): string {
  return path.replace(/^(Supplementary)?Configuration\./, '') || path;
}

const PERMISSIONS = /(?:^|\.)IpPermissions(Egress)?(?:\.\d+)?$/i;
const TAGS = /(?:^|\.)(?:Tags|TagSet)(?:\.\d+)?$/i;
const RELATIONSHIPS = /^Relationships(?:\.\d+)?$/;

/** Security group rules, tags and relationships are told as elements added and removed. */
function toldByElement(path: string): boolean {
  return PERMISSIONS.test(path) || TAGS.test(path) || RELATIONSHIPS.test(path);
}

/** One line for a changed property, e.g. `ingress tcp 22 from 0.0.0.0/0 added` or `Status: a → b`. */
export function summariseProperty(property: ChangedProperty): string {
  const permissions = PERMISSIONS.exec(property.path);
  let special: string | undefined;
  if (permissions) special = summarisePermissions(property, permissions[1] !== undefined);
  else if (TAGS.test(property.path)) special = summariseTag(property);
  else if (RELATIONSHIPS.test(property.path)) special = summariseRelationship(property);
  else special = summarisePolicyProperty(property);
  if (special !== undefined) return special;
  const name = label(property.path);
  switch (property.changeType) {
    case 'CREATE':
      return `${name}: added ${compactValue(property.updatedValue)}`;
    case 'DELETE':
      return `${name}: removed ${compactValue(property.previousValue)}`;
    default: {
      const inside = objectChange(property.previousValue, property.updatedValue);
      if (inside !== undefined) return `${name}: ${inside}`;
      return `${name}: ${compactValue(property.previousValue)} → ${compactValue(property.updatedValue)}`;
    }
  }
}

/** Rules and settings before tags, tags before relationships: what a reviewer needs first. */
function propertyRank(path: string): number {
  if (/IpPermissions|PolicyDocument|Policy\b|PolicyList|PolicyVersionList/i.test(path)) return 0;
  if (path.startsWith('Relationships')) return 3;
  if (/Tags|TagSet/.test(path)) return 2;
  return 1;
}

/**
 * The lines a finding shows for its changed properties, most important first: an element of a list
 * that Config reports removed and re-added (changed) is one line.
 */
export function describeProperties(properties: readonly ChangedProperty[]): string[] {
  const paired = pairReplacements(properties, (list) => !toldByElement(list));
  return orderProperties(paired).map(summariseProperty);
}

export function orderProperties(properties: readonly ChangedProperty[]): ChangedProperty[] {
  return properties
    .map((property, index) => ({ property, index }))
    .sort((a, b) => propertyRank(a.property.path) - propertyRank(b.property.path) || a.index - b.index)
    .map(({ property }) => property);
}
