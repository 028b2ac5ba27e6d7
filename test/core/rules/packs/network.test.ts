import { describe, expect, it } from 'vitest';
import { networkRules } from '../../../../src/core/rules/packs/network.js';
import { validatePattern } from '../../../../src/core/rules/pattern.js';
import { alertOf, checkPack } from '../helpers.js';

describe('network pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('network', networkRules, [
      ['authorize-ingress-ssh-world', ['network.security-group-open-to-world']],
      ['authorize-ingress-rdp-world-ipv6', ['network.security-group-open-to-world']],
      ['authorize-ingress-private', []],
      ['authorize-egress-world', []],
      ['authorize-ingress-world-denied', []],
      ['delete-flow-logs', ['network.flow-logs-deleted']],
      ['create-flow-logs', []],
      ['delete-resolver-query-log-config', ['network.dns-query-logging-deleted']],
      ['create-resolver-query-log-config', []],
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
});
