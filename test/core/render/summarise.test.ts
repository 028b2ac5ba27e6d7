import { describe, expect, it } from 'vitest';
import type { ChangedProperty } from '../../../src/core/model.js';
import { compactValue, orderProperties, summariseProperty } from '../../../src/core/render/summarise.js';

const rule = (cidr: string, port = 22) => ({
  ipProtocol: 'tcp',
  fromPort: port,
  toPort: port,
  ipv4Ranges: [{ cidrIp: cidr }],
  ipRanges: [cidr],
  ipv6Ranges: [],
  prefixListIds: [],
  userIdGroupPairs: [],
});

describe('summariseProperty', () => {
  it('says which ingress rule was added, removed or changed', () => {
    expect(
      summariseProperty({
        path: 'Configuration.IpPermissions.0',
        changeType: 'CREATE',
        updatedValue: rule('0.0.0.0/0'),
      }),
    ).toBe('ingress tcp 22 from 0.0.0.0/0 added');
    expect(
      summariseProperty({
        path: 'Configuration.IpPermissions.3',
        changeType: 'DELETE',
        previousValue: rule('10.0.0.0/8', 443),
      }),
    ).toBe('ingress tcp 443 from 10.0.0.0/8 removed');
    expect(
      summariseProperty({
        path: 'Configuration.IpPermissions.1',
        changeType: 'UPDATE',
        previousValue: rule('10.0.0.0/8'),
        updatedValue: rule('0.0.0.0/0'),
      }),
    ).toBe('ingress tcp 22 from 0.0.0.0/0 added; ingress tcp 22 from 10.0.0.0/8 removed');
  });

  it('reads protocol numbers, port ranges, egress, groups and prefix lists', () => {
    expect(
      summariseProperty({
        path: 'Configuration.IpPermissionsEgress.0',
        changeType: 'CREATE',
        updatedValue: { ipProtocol: '-1', ipRanges: ['0.0.0.0/0'] },
      }),
    ).toBe('egress all traffic to 0.0.0.0/0 added');
    expect(
      summariseProperty({
        path: 'Configuration.IpPermissions',
        changeType: 'CREATE',
        updatedValue: [
          { ipProtocol: '6', fromPort: 1000, toPort: 2000, userIdGroupPairs: [{ groupId: 'sg-1' }] },
          { ipProtocol: 'udp', fromPort: 0, toPort: 65535, prefixListIds: [{ prefixListId: 'pl-1' }] },
        ],
      }),
    ).toBe('ingress tcp 1000-2000 from sg-1 added; ingress udp all ports from pl-1 added');
  });

  it('summarises tags and relationships', () => {
    expect(
      summariseProperty({
        path: 'SupplementaryConfiguration.Tags.0',
        changeType: 'CREATE',
        updatedValue: { key: 'Env', value: 'Dev' },
      }),
    ).toBe('tag Env=Dev added');
    expect(
      summariseProperty({
        path: 'SupplementaryConfiguration.Tags',
        changeType: 'DELETE',
        previousValue: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      }),
    ).toBe('tag a=1, b=2 removed');
    expect(
      summariseProperty({
        path: 'Relationships.0',
        changeType: 'DELETE',
        previousValue: {
          resourceId: 'sg-1',
          resourceType: 'AWS::EC2::SecurityGroup',
          name: 'Is associated with SecurityGroup',
        },
      }),
    ).toBe('relationship "Is associated with SecurityGroup" sg-1 removed');
  });

  it('shows other values as before -> after, compact and capped', () => {
    expect(
      summariseProperty({
        path: 'Configuration.Status',
        changeType: 'UPDATE',
        previousValue: 'available',
        updatedValue: 'in-use',
      }),
    ).toBe('Status: available → in-use');
    expect(
      summariseProperty({
        path: 'Configuration.Association',
        changeType: 'CREATE',
        updatedValue: { publicIp: '54.1.2.3', allocationId: null, carrierIp: null, tags: [] },
      }),
    ).toBe('Association: added {"publicIp":"54.1.2.3"}');
    const long = summariseProperty({
      path: 'Configuration',
      changeType: 'DELETE',
      previousValue: { x: 'y'.repeat(1000) },
    });
    expect(long.length).toBeLessThan(200);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('compactValue and orderProperties', () => {
  it('renders scalars plainly', () => {
    expect(compactValue(null)).toBe('(none)');
    expect(compactValue(3)).toBe('3');
    expect(compactValue('')).toBe('""');
    expect(compactValue({ a: null })).toBe('{"a":null}');
  });

  it('puts rules first and relationships last', () => {
    const properties: ChangedProperty[] = [
      { path: 'Relationships.0', changeType: 'CREATE' },
      { path: 'SupplementaryConfiguration.Tags.0', changeType: 'CREATE' },
      { path: 'Configuration.Description', changeType: 'UPDATE' },
      { path: 'Configuration.IpPermissions.0', changeType: 'CREATE' },
    ];
    expect(orderProperties(properties).map((p) => p.path)).toEqual([
      'Configuration.IpPermissions.0',
      'Configuration.Description',
      'SupplementaryConfiguration.Tags.0',
      'Relationships.0',
    ]);
  });
});
