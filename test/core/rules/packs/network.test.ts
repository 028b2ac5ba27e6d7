import { describe, expect, it } from 'vitest';
import type { TrailEvent } from '../../../../src/core/model.js';
import { networkRules } from '../../../../src/core/rules/packs/network.js';
import { validatePattern } from '../../../../src/core/rules/pattern.js';
import { alertOf, checkPack, fixture } from '../helpers.js';

describe('network pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack(['network', 'network-modify-rules'], networkRules, [
      ['authorize-ingress-ssh-world', ['network.security-group-open-to-world']],
      ['authorize-ingress-rdp-world-ipv6', ['network.security-group-open-to-world']],
      ['authorize-ingress-private', []],
      ['authorize-egress-world', []],
      ['authorize-ingress-world-denied', []],
      ['delete-flow-logs', ['network.flow-logs-deleted']],
      ['create-flow-logs', []],
      ['delete-resolver-query-log-config', ['network.dns-query-logging-deleted']],
      ['create-resolver-query-log-config', []],
      ['modify-rule-ssh-world', ['network.security-group-rule-modified-to-world']],
      ['modify-rules-world-ipv6-list', ['network.security-group-rule-modified-to-world']],
      ['modify-rule-flattened-keys', ['network.security-group-rule-modified-to-world']],
      ['modify-rule-private', []],
      ['modify-rule-world-denied', []],
      ['modify-rule-malformed', []],
      ['modify-rule-without-parameters', []],
    ]);
  });

  it('lists the open ranges and ports, once each', () => {
    expect(
      alertOf('network', 'authorize-ingress-ssh-world', 'network.security-group-open-to-world').details,
    ).toEqual({
      groupId: 'sg-0a1b2c3d4e5f67890',
      openRules: [{ cidr: '0.0.0.0/0', protocol: 'tcp', ports: '22' }],
    });
    expect(
      alertOf('network', 'authorize-ingress-rdp-world-ipv6', 'network.security-group-open-to-world').details,
    ).toMatchObject({ openRules: [{ cidr: '::/0', protocol: 'tcp', ports: '3389' }] });
  });

  it('needs no condition: the world-open check is an EventBridge pattern', () => {
    const [rule] = networkRules;
    expect(rule?.condition).toBeUndefined();
    expect(validatePattern(rule?.pattern)).toEqual([]);
  });

  it('names the deleted flow logs and query logging configuration', () => {
    expect(alertOf('network', 'delete-flow-logs', 'network.flow-logs-deleted').details).toEqual({
      flowLogIds: ['fl-0a1b2c3d4e5f60001'],
    });
    expect(
      alertOf('network', 'delete-resolver-query-log-config', 'network.dns-query-logging-deleted').details,
    ).toMatchObject({ resolverQueryLogConfigId: 'rqlc-0a1b2c3d4e5f6001' });
  });

  describe('ModifySecurityGroupRules', () => {
    const id = 'network.security-group-rule-modified-to-world';
    const rule = networkRules.find((candidate) => candidate.id === id);
    const conditionOn = (requestParameters: unknown) =>
      rule?.condition?.({
        ...fixture('network-modify-rules', 'modify-rule-ssh-world'),
        requestParameters: requestParameters as TrailEvent['requestParameters'],
      });

    it('names the group and the opened rules, with their ids, protocols and ports', () => {
      expect(alertOf('network-modify-rules', 'modify-rule-ssh-world', id).details).toEqual({
        groupId: 'sg-0a1b2c3d4e5f67890',
        openRules: [{ ruleId: 'sgr-0a1b2c3d4e5f60011', cidr: '0.0.0.0/0', protocol: 'tcp', ports: '22' }],
      });
      // Only the rule set to ::/0, not its private neighbour in the same request.
      expect(alertOf('network-modify-rules', 'modify-rules-world-ipv6-list', id).details).toEqual({
        groupId: 'sg-0a1b2c3d4e5f67890',
        openRules: [{ ruleId: 'sgr-0a1b2c3d4e5f60013', cidr: '::/0', protocol: '-1', ports: 'all' }],
      });
      expect(alertOf('network-modify-rules', 'modify-rule-flattened-keys', id).details).toEqual({
        groupId: 'sg-0a1b2c3d4e5f67890',
        openRules: [{ ruleId: 'sgr-0a1b2c3d4e5f60014', cidr: '0.0.0.0/0', protocol: 'tcp', ports: '3389' }],
      });
    });

    it('reads the rule without the request wrapper and in lower camel case', () => {
      expect(
        conditionOn({
          groupId: 'sg-1',
          securityGroupRules: {
            items: [
              {
                securityGroupRuleId: 'sgr-1',
                securityGroupRule: { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' },
              },
            ],
          },
        }),
      ).toEqual({
        outcome: 'match',
        details: {
          groupId: 'sg-1',
          openRules: [{ ruleId: 'sgr-1', cidr: '0.0.0.0/0', protocol: 'tcp', ports: '443' }],
        },
      });
      expect(
        conditionOn({
          ModifySecurityGroupRulesRequest: { GroupId: 'sg-2', SecurityGroupRule: { CidrIpv6: '::/0' } },
        }),
      ).toMatchObject({ outcome: 'match', details: { openRules: [{ cidr: '::/0', ports: 'all' }] } });
    });

    it('does not match, nor throw, on requests that name no open range', () => {
      let deep: unknown = { CidrIpv4: '0.0.0.0/0' };
      for (let i = 0; i < 10_000; i++) deep = { SecurityGroupRule: deep };
      for (const odd of [null, {}, { ModifySecurityGroupRulesRequest: 'x' }, [1, 2], { CidrIpv4: 0 }, deep]) {
        expect(conditionOn(odd)).toMatchObject({ outcome: 'no-match' });
      }
    });
  });
});
