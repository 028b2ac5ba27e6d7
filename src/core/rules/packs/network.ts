/** Network exposure and network logging: security groups opened to the world, VPC flow logs and DNS query logs removed. */
import type { JsonObject, TrailEvent } from '../../model.js';
import { isObject, items, request, requestScalars, response, stringsIn, text, unique } from '../inspect.js';
import { isWholeInternet } from '../ip.js';
import { type ConditionResult, matched, notMatched, type Rule } from '../model.js';
import { portRange } from '../ports.js';
import { apiCall, SUCCEEDED } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Logic

interface OpenRule {
  /** The security group rule (`sgr-...`) a ModifySecurityGroupRules request changed. */
  readonly ruleId?: string;
  readonly cidr: string;
  readonly protocol: string;
  readonly ports: string;
}

function portsOf(entry: JsonObject): { protocol: string; ports: string } {
  return portRange(entry['ipProtocol'], entry['fromPort'], entry['toPort']);
}

function add(out: OpenRule[], cidr: unknown, entry: JsonObject): void {
  if (typeof cidr === 'string' && isWholeInternet(cidr)) out.push({ cidr, ...portsOf(entry) });
}

/** The rules once each, as JSON for an alert's details. */
function distinct(rules: readonly OpenRule[]): JsonObject[] {
  const seen = new Set<string>();
  return rules
    .filter((rule) => {
      const key = `${rule.ruleId ?? ''} ${rule.cidr} ${rule.protocol} ${rule.ports}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((rule) => ({ ...rule }));
}

/** The ingress rules of the request (and of the response's securityGroupRuleSet) that admit every address. */
function openToWorld(event: TrailEvent): JsonObject {
  const out: OpenRule[] = [];
  const parameters = event.requestParameters ?? {};
  add(out, parameters['cidrIp'], parameters);
  for (const permission of items(request(event, 'ipPermissions'))) {
    for (const range of items(permission['ipRanges'])) add(out, range['cidrIp'], permission);
    for (const range of items(permission['ipv6Ranges'])) add(out, range['cidrIpv6'], permission);
  }
  for (const rule of items(response(event, 'securityGroupRuleSet'))) {
    if (rule['isEgress'] === true) continue;
    add(out, rule['cidrIpv4'], rule);
    add(out, rule['cidrIpv6'], rule);
  }
  return { ...requestScalars(event, 'groupId', 'groupName'), openRules: distinct(out) };
}

/** How deep modifiedRules looks into a request: the documented shape is four levels deep. */
const MAX_DEPTH = 12;

/**
 * The rules of a ModifySecurityGroupRules request whose new range is a whole address space. CloudTrail
 * records the request as `ModifySecurityGroupRulesRequest.SecurityGroupRule[].SecurityGroupRule.CidrIpv4`
 * (one rule: an object; several: a list); this also reads it without the wrapper, in lower camel case, with
 * `items` lists, and flattened to query-string keys (`SecurityGroupRule.1.SecurityGroupRule.CidrIpv4`).
 */
function modifiedRules(node: unknown, ruleId: string | undefined, out: OpenRule[], depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(node)) {
    for (const item of node) modifiedRules(item, ruleId, out, depth + 1);
    return;
  }
  if (!isObject(node)) return;
  // Keys grouped by what precedes their last dot: "" for plain keys, "SecurityGroupRule.1.SecurityGroupRule"
  // for flattened ones; names compared case-insensitively.
  const groups = new Map<string, Map<string, unknown>>();
  for (const [key, value] of Object.entries(node)) {
    const dot = key.lastIndexOf('.');
    const prefix = dot < 0 ? '' : key.slice(0, dot);
    const fields = groups.get(prefix) ?? new Map<string, unknown>();
    fields.set(key.slice(dot + 1).toLowerCase(), value);
    groups.set(prefix, fields);
  }
  const own = text(groups.get('')?.get('securitygroupruleid')) ?? ruleId;
  for (const [prefix, fields] of groups) {
    // The id sits next to the inner SecurityGroupRule: "SecurityGroupRule.1.SecurityGroupRuleId".
    const parent = prefix.replace(/\.?[^.]*$/, '');
    const id =
      text(fields.get('securitygroupruleid')) ?? text(groups.get(parent)?.get('securitygroupruleid'));
    for (const cidr of [fields.get('cidripv4'), fields.get('cidripv6')]) {
      if (typeof cidr !== 'string' || !isWholeInternet(cidr)) continue;
      const resolved = prefix === '' ? own : (id ?? ruleId);
      out.push({
        ...(resolved !== undefined && { ruleId: resolved }),
        cidr,
        ...portRange(fields.get('ipprotocol'), fields.get('fromport'), fields.get('toport')),
      });
    }
  }
  for (const value of Object.values(node)) modifiedRules(value, own, out, depth + 1);
}

/** A ModifySecurityGroupRules request sets at least one rule's range to every address. */
function modifiedToWorld(event: TrailEvent): ConditionResult {
  const out: OpenRule[] = [];
  modifiedRules(event.requestParameters, undefined, out);
  if (out.length === 0) return notMatched('no modified rule covers every address');
  const groupId =
    text(request(event, 'ModifySecurityGroupRulesRequest', 'GroupId')) ??
    text(request(event, 'GroupId')) ??
    text(request(event, 'groupId'));
  return matched({ ...(groupId !== undefined && { groupId }), openRules: distinct(out) });
}

function flowLogIds(event: TrailEvent): JsonObject {
  return {
    flowLogIds: unique(stringsIn(event.requestParameters).filter((value) => value.startsWith('fl-'))),
  };
}

function queryLogConfig(event: TrailEvent): JsonObject {
  const arn = text(response(event, 'resolverQueryLogConfig', 'arn'));
  const association = response(event, 'resolverQueryLogConfigAssociation');
  const vpc = isObject(association) ? text(association['resourceId']) : undefined;
  return {
    ...requestScalars(event, 'resolverQueryLogConfigId', 'resourceId'),
    ...(arn !== undefined && { arn }),
    ...(vpc !== undefined && { resourceId: vpc }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Rules

const WORLD = [{ suffix: '/0' }] as const;

export const networkRules: readonly Rule[] = [
  {
    id: 'network.security-group-open-to-world',
    title: 'Security group opened to the internet',
    severity: 'high',
    description:
      'An ingress rule admits every address (0.0.0.0/0 or ::/0): whatever listens on those ports (`openRules`) is reachable from the whole internet, and SSH, RDP and database ports are scanned within minutes. Check that the group is meant to be public (a load balancer on 80/443), otherwise narrow the source range.',
    // Any "/0" block is the whole address space. The pattern covers the classic request (cidrIp), the
    // ipPermissions form, and the response's securityGroupRuleSet, so it deploys without a condition.
    pattern: apiCall('ec2', ['AuthorizeSecurityGroupIngress'], {
      ...SUCCEEDED,
      $or: [
        { requestParameters: { cidrIp: WORLD } },
        { requestParameters: { ipPermissions: { items: { ipRanges: { items: { cidrIp: WORLD } } } } } },
        { requestParameters: { ipPermissions: { items: { ipv6Ranges: { items: { cidrIpv6: WORLD } } } } } },
        { responseElements: { securityGroupRuleSet: { items: { isEgress: [false], cidrIpv4: WORLD } } } },
        { responseElements: { securityGroupRuleSet: { items: { isEgress: [false], cidrIpv6: WORLD } } } },
      ],
    }),
    details: openToWorld,
  },
  {
    id: 'network.security-group-rule-modified-to-world',
    title: 'Security group rule changed to admit the internet',
    severity: 'high',
    description:
      "ModifySecurityGroupRules set an existing rule's range to every address (0.0.0.0/0 or ::/0; `openRules` lists the rule ids, protocols and ports). Unlike AuthorizeSecurityGroupIngress, the event does not say whether the rule is inbound or outbound: look the rule up (`aws ec2 describe-security-group-rules --security-group-rule-ids ...`). An inbound rule open to the world exposes whatever listens on those ports; narrow it unless the group is meant to be public.",
    // The request nests the rule in varying shapes (see modifiedRules), so the range is checked by the condition.
    pattern: apiCall('ec2', ['ModifySecurityGroupRules'], { ...SUCCEEDED }),
    condition: modifiedToWorld,
  },
  {
    id: 'network.flow-logs-deleted',
    title: 'VPC flow logs deleted',
    severity: 'medium',
    description:
      'Flow logs record the network traffic of a VPC, subnet or interface; deleting them hides exfiltration and lateral movement. Failed attempts alert too. Check that the deletion was planned and that the network is still covered by other flow logs.',
    pattern: apiCall('ec2', ['DeleteFlowLogs']),
    details: flowLogIds,
  },
  {
    id: 'network.dns-query-logging-deleted',
    title: 'Route 53 Resolver query logging removed',
    severity: 'medium',
    description:
      'A Resolver query logging configuration was deleted or detached from a VPC: DNS lookups from that VPC (often the first sign of malware or exfiltration over DNS) are no longer recorded. Failed attempts alert too. Check that it was planned and that the VPC is still logged.',
    pattern: apiCall('route53resolver', [
      'DeleteResolverQueryLogConfig',
      'DisassociateResolverQueryLogConfig',
    ]),
    details: queryLogConfig,
  },
];
