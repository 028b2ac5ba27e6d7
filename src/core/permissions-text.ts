/**
 * EC2's `ipPermissions` (AuthorizeSecurityGroupIngress and its kin) for people, one rule after another:
 * `tcp 22: 10.0.0.0/8, 0.0.0.0/0; tcp 3389: 0.0.0.0/0`. Flattened leaf by leaf, the ports of one rule and
 * the sources of another ran together, and which address was open on which port could not be told.
 * Ingress and egress share the shape, so the text names the addresses, not a direction.
 */
import { joinFirst } from './clip.js';
import type { JsonObject } from './model.js';
import { isObject, items } from './rules/inspect.js';
import { portRange } from './rules/ports.js';

/** Rules and addresses per rule written out; the rest are counted. */
const MAX_RULES = 8;
const MAX_SOURCES = 6;

function sourcesOf(permission: JsonObject): string[] {
  const out: string[] = [];
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value !== '') out.push(value);
  };
  for (const range of items(permission['ipRanges'])) add(range['cidrIp']);
  for (const range of items(permission['ipv6Ranges'])) add(range['cidrIpv6']);
  for (const group of items(permission['groups'])) add(group['groupId'] ?? group['groupName']);
  for (const list of items(permission['prefixListIds'])) add(list['prefixListId']);
  return out;
}

function ruleText(permission: JsonObject): string {
  const { protocol, ports } = portRange(
    permission['ipProtocol'],
    permission['fromPort'],
    permission['toPort'],
  );
  const head =
    protocol === '-1' ? 'all traffic' : ports === 'all' ? `${protocol} all ports` : `${protocol} ${ports}`;
  const sources = sourcesOf(permission);
  return sources.length === 0 ? head : `${head}: ${joinFirst(sources, { shown: MAX_SOURCES })}`;
}

/** The text of an `ipPermissions` value (`{items: [...]}` or a list), or undefined when it holds no rule. */
export function permissionsText(value: unknown): string | undefined {
  if (!isObject(value) && !Array.isArray(value)) return undefined;
  const rules = items(value);
  if (rules.length === 0) return undefined;
  // Only the rules named are made into text: the request is untrusted, and may hold thousands.
  const texts = rules.slice(0, MAX_RULES).map(ruleText);
  return joinFirst(texts, { shown: MAX_RULES, separator: '; ', noun: 'rules', total: rules.length });
}
