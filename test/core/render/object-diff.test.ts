import { describe, expect, it } from 'vitest';
import type { ChangedProperty } from '../../../src/core/model.js';
import { objectChange, pairReplacements } from '../../../src/core/render/object-diff.js';
import { describeProperties, summariseProperty } from '../../../src/core/render/summarise.js';

/** An ENI's private address as Config records it, with the public address associated to it. */
const address = (publicIp: string) => ({
  association: {
    ipOwnerId: 'amazon',
    publicDnsName: `ec2-${publicIp.replaceAll('.', '-')}.compute`,
    publicIp,
  },
  primary: true,
  privateDnsName: 'ip-10-30-1-154.internal',
  privateIpAddress: '10.30.1.154',
});

const gone = (path: string, previousValue: unknown): ChangedProperty => ({
  path,
  changeType: 'DELETE',
  previousValue,
});
const came = (path: string, updatedValue: unknown): ChangedProperty => ({
  path,
  changeType: 'CREATE',
  updatedValue,
});

describe('objectChange', () => {
  it('names the leaves that changed, were added or were removed', () => {
    expect(objectChange({ a: { b: 1, c: 2 }, d: 'x' }, { a: { b: 1, c: 3, e: true }, f: null })).toBe(
      'a.c 2 → 3, a.e added true, f added (none), d removed x',
    );
  });

  it('tells an object that became (none) as one removal, not a line per leaf', () => {
    expect(objectChange(address('34.248.113.20'), { ...address('34.248.113.20'), association: null })).toBe(
      'association removed {"ipOwnerId":"amazon","publicDnsName":"ec2-34-248-113-20.compute","publicIp":"3…',
    );
  });

  it('tells an object that came in place of (none) or of a scalar as one change', () => {
    expect(objectChange({ a: null, b: 'x' }, { a: { c: 1, d: 2 }, b: { e: 3 } })).toBe(
      'a added {"c":1,"d":2}, b x → {"e":3}',
    );
  });

  it('names four changes and counts the rest', () => {
    const before = { a: 1, b: 1, c: 1, d: 1, e: 1, f: 1 };
    const after = { a: 2, b: 2, c: 2, d: 2, e: 2, f: 2 };
    expect(objectChange(before, after)).toBe('a 1 → 2, b 1 → 2, c 1 → 2, d 1 → 2 and 2 more');
  });

  it('reads lists by position', () => {
    expect(objectChange(['x', 'y'], ['x', 'z'])).toBe('1 y → z');
  });

  it('gives nothing for scalars or for values equal leaf by leaf', () => {
    expect(objectChange('a', 'b')).toBeUndefined();
    expect(objectChange({ a: 1 }, 'b')).toBeUndefined();
    expect(objectChange({ a: [1] }, { a: [1] })).toBeUndefined();
  });
});

describe('pairReplacements', () => {
  it('reads a list element removed and re-added elsewhere, mostly the same, as one change of the list', () => {
    const tag: ChangedProperty = { path: 'Configuration.Description', changeType: 'UPDATE' };
    const paired = pairReplacements([
      gone('Configuration.PrivateIpAddresses.0', address('34.248.113.20')),
      tag,
      came('Configuration.PrivateIpAddresses.1', address('54.217.40.12')),
    ]);
    expect(paired).toEqual([
      {
        path: 'Configuration.PrivateIpAddresses',
        changeType: 'UPDATE',
        previousValue: address('34.248.113.20'),
        updatedValue: address('54.217.40.12'),
      },
      tag,
    ]);
  });

  it('leaves a pair that is mostly different as an element removed and another added', () => {
    const properties = [
      gone('Configuration.RolePolicyList.0', { policyName: 'a', policyDocument: '%7B%7D' }),
      came('Configuration.RolePolicyList.1', { policyName: 'b', policyDocument: '%7B%22x%22%7D' }),
    ];
    expect(pairReplacements(properties)).toEqual(properties);
  });

  it('leaves lists with more than one element removed or added, and lists it is told to leave', () => {
    const three = [
      gone('Configuration.List.0', address('1.1.1.1')),
      gone('Configuration.List.1', address('2.2.2.2')),
      came('Configuration.List.2', address('3.3.3.3')),
    ];
    expect(pairReplacements(three)).toEqual(three);
    const two = [
      gone('Configuration.List.0', address('1.1.1.1')),
      came('Configuration.List.1', address('3.3.3.3')),
    ];
    expect(pairReplacements(two, () => false)).toEqual(two);
  });
});

describe('describeProperties', () => {
  it('gives a changed list element one line, with the leaves that changed', () => {
    expect(
      describeProperties([
        gone('Configuration.PrivateIpAddresses.0', address('34.248.113.20')),
        came('Configuration.PrivateIpAddresses.1', address('54.217.40.12')),
      ]),
    ).toEqual([
      'PrivateIpAddresses: association.publicDnsName ec2-34-248-113-20.compute → ec2-54-217-40-12.compute, association.publicIp 34.248.113.20 → 54.217.40.12',
    ]);
  });

  it('still tells security group rules one by one, added and removed', () => {
    const rule = (cidr: string) => ({ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [cidr] });
    expect(
      describeProperties([
        gone('Configuration.IpPermissions.0', rule('10.0.0.0/8')),
        came('Configuration.IpPermissions.1', rule('0.0.0.0/0')),
      ]),
    ).toEqual(['ingress tcp 22 from 10.0.0.0/8 removed', 'ingress tcp 22 from 0.0.0.0/0 added']);
  });
});

describe('summariseProperty on objects', () => {
  it('tells an updated object by the leaves that changed', () => {
    expect(
      summariseProperty({
        path: 'Configuration.LoggingConfig',
        changeType: 'UPDATE',
        previousValue: { logFormat: 'Text', logGroup: '/aws/lambda/fn' },
        updatedValue: { logFormat: 'JSON', logGroup: '/aws/lambda/fn' },
      }),
    ).toBe('LoggingConfig: logFormat Text → JSON');
  });
});
