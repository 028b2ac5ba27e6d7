/** Network exposure and network logging: security groups opened to the world, VPC flow logs and DNS query logs removed. */
import type { JsonObject, TrailEvent } from '../../model.js';
import { isObject, items, request, requestScalars, response, stringsIn, text, unique } from '../inspect.js';
import { isWholeInternet } from '../ip.js';
import type { Rule } from '../model.js';
import { apiCall, SUCCEEDED } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Logic

interface OpenRule {
  readonly cidr: string;
  readonly protocol: string;
  readonly ports: string;
}

function portsOf(entry: JsonObject): { protocol: string; ports: string } {
  const protocol = String(entry['ipProtocol'] ?? 'unknown');
  const from = entry['fromPort'];
  const to = entry['toPort'];
  if (protocol === '-1' || from === undefined || from === -1) return { protocol, ports: 'all' };
  return {
    protocol,
    ports: from === to || to === undefined ? String(from) : `${String(from)}-${String(to)}`,
  };
}

function add(out: OpenRule[], cidr: unknown, entry: JsonObject): void {
  if (typeof cidr === 'string' && isWholeInternet(cidr)) out.push({ cidr, ...portsOf(entry) });
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
  const seen = new Set<string>();
  const openRules = out.filter((rule) => {
    const key = `${rule.cidr} ${rule.protocol} ${rule.ports}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    ...requestScalars(event, 'groupId', 'groupName'),
    openRules: openRules.map((rule) => ({ ...rule })),
  };
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
