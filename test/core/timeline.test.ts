import { describe, expect, it } from 'vitest';
import { identifiersOf } from '../../src/core/identifiers.js';
import type { IndexedEvent, Principal } from '../../src/core/model.js';
import { principalOfEvent } from '../../src/core/principal.js';
import {
  groupByServiceAndResource,
  howOf,
  parseTimeSpec,
  primaryResourceOf,
  principalFacts,
  principalMatcher,
  REQUEST_SUMMARY_LIMITS,
  refersTo,
  resourceLookup,
  type StoredEvent,
  storedEventOf,
  summariseRequest,
  TimeSpecError,
  timelineOf,
} from '../../src/core/timeline.js';
import { stubPrincipal, trailEvent } from '../helpers/trail-event.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('parseTimeSpec', () => {
  it('reads durations back from now', () => {
    expect(parseTimeSpec('7d', NOW)).toBe(NOW - 7 * 86_400_000);
    expect(parseTimeSpec('36h', NOW)).toBe(NOW - 36 * 3_600_000);
    expect(parseTimeSpec('30m', NOW)).toBe(NOW - 30 * 60_000);
    expect(parseTimeSpec('2w', NOW)).toBe(NOW - 14 * 86_400_000);
    expect(parseTimeSpec('90s', NOW)).toBe(NOW - 90_000);
    expect(parseTimeSpec('1.5h', NOW)).toBe(NOW - 5_400_000);
  });

  it('reads ISO dates and times, UTC when no zone is given', () => {
    expect(parseTimeSpec('2026-11-01T00:00:00Z', NOW)).toBe(Date.parse('2026-11-01T00:00:00Z'));
    expect(parseTimeSpec('2026-11-01', NOW)).toBe(Date.parse('2026-11-01T00:00:00Z'));
    expect(parseTimeSpec('2026-11-01T09:30', NOW)).toBe(Date.parse('2026-11-01T09:30:00Z'));
    expect(parseTimeSpec('2026-11-01T10:30:00+01:00', NOW)).toBe(Date.parse('2026-11-01T09:30:00Z'));
  });

  it('names the bad value and the accepted forms', () => {
    for (const bad of ['7x', 'yesterday', '', '2026-13-01', '2026-02-30', '-3d']) {
      expect(() => parseTimeSpec(bad, NOW)).toThrow(TimeSpecError);
    }
    expect(() => parseTimeSpec('7x', NOW)).toThrow(/"7x".*30m, 36h, 7d, 2w.*2026-11-01T09:30:00Z/);
  });
});

describe('summariseRequest', () => {
  it('flattens list wrappers and keeps the values a person looks for', () => {
    const summary = summariseRequest({
      instanceId: 'i-1',
      blockDeviceMapping: { items: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 30 } }] },
    });
    expect(summary).toEqual({
      instanceId: 'i-1',
      'blockDeviceMapping.deviceName': '/dev/xvda',
      'blockDeviceMapping.ebs.volumeSize': 30,
    });
  });

  it('writes security group rules one after another, each port with its own addresses', () => {
    const summary = summariseRequest({
      groupId: 'sg-1',
      ipPermissions: {
        items: [
          {
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            ipRanges: { items: [{ cidrIp: '10.0.0.0/8' }, { cidrIp: '0.0.0.0/0' }] },
          },
          {
            ipProtocol: 'tcp',
            fromPort: 3389,
            toPort: 3389,
            ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] },
            ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] },
          },
          { ipProtocol: '-1', groups: { items: [{ groupId: 'sg-2' }] } },
          {
            ipProtocol: 'udp',
            fromPort: 1024,
            toPort: 65535,
            prefixListIds: { items: [{ prefixListId: 'pl-1' }] },
          },
        ],
      },
    });
    expect(summary).toEqual({
      groupId: 'sg-1',
      ipPermissions:
        'tcp 22: 10.0.0.0/8, 0.0.0.0/0; tcp 3389: 0.0.0.0/0, ::/0; all traffic: sg-2; udp 1024-65535: pl-1',
    });
  });

  it('joins repeated paths and writes tags as key=value', () => {
    const summary = summariseRequest({
      cidrs: [{ cidr: '10.0.0.0/8' }, { cidr: '0.0.0.0/0' }],
      tags: [
        { key: 'Name', value: 'web' },
        { Key: 'env', Value: 'prod' },
      ],
    });
    expect(summary).toEqual({ 'cidrs.cidr': '10.0.0.0/8, 0.0.0.0/0', tags: 'Name=web, env=prod' });
  });

  it('writes a policy document at a policy key as its statements', () => {
    const document = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: 'arn:aws:s3:::b/*' },
      ],
    };
    expect(summariseRequest({ roleName: 'r', policyDocument: JSON.stringify(document) })).toEqual({
      roleName: 'r',
      policyDocument: 'Allow s3:GetObject, s3:ListBucket on arn:aws:s3:::b/*',
    });
  });

  it('reads URL-encoded trust policies and policy objects (S3 PutBucketPolicy) the same way', () => {
    const trust = { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] };
    const bucket = { Statement: { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' } };
    expect(
      summariseRequest({
        assumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
        bucketPolicy: bucket,
      }),
    ).toEqual({
      assumeRolePolicyDocument: 'Allow sts:AssumeRole for anyone',
      bucketPolicy: 'Deny s3:* on * for anyone',
    });
  });

  it('keeps a policy document it cannot read (broken encoding, cut short) as text', () => {
    expect(
      summariseRequest({ policyDocument: '%7B%22Statement%22%3A%E0%A4%A', policy: '{"Statement":[{"Eff' }),
    ).toEqual({
      policyDocument: '%7B%22Statement%22%3A%E0%A4%A',
      policy: '{"Statement":[{"Eff',
    });
  });

  it('leaves JSON text at other keys, and policy keys without a policy, as they are', () => {
    const text = '{"Statement":[{"Effect":"Allow"}]}';
    expect(summariseRequest({ userData: text, policy: '{"not":"a policy"}' })).toEqual({
      userData: text,
      policy: '{"not":"a policy"}',
    });
  });

  it('is bounded in leaves and value length, and keeps __proto__ as data', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(summariseRequest(many))).toHaveLength(REQUEST_SUMMARY_LIMITS.maxLeaves);
    const long = summariseRequest({ policy: 'x'.repeat(10_000) });
    expect(String(long['policy']).length).toBe(REQUEST_SUMMARY_LIMITS.maxValueLength);
    const odd = summariseRequest(JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": "c"}'));
    expect(odd['__proto__.polluted']).toBe('yes');
    expect(odd['constructor']).toBe('c');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('is empty for no parameters', () => {
    expect(summariseRequest(null)).toEqual({});
  });
});

describe('principalMatcher', () => {
  const role: Principal = {
    ...stubPrincipal,
    arn: 'arn:aws:sts::111122223333:assumed-role/terraform-deploy/terraform-run-8812',
    roleArn: 'arn:aws:iam::111122223333:role/terraform-deploy',
    sessionName: 'terraform-run-8812',
  };
  const user: Principal = {
    type: 'IAMUser',
    arn: 'arn:aws:iam::111122223333:user/bob',
    userName: 'bob',
    channel: 'cli',
    display: 'IAM user bob (AWS CLI)',
  };

  it('tells access keys, ARN globs and names apart', () => {
    expect(principalMatcher('AKIARZ5DKQ7XMS4TQ2PL').kind).toBe('access-key');
    expect(principalMatcher('ASIARZ5DKQ7XTJ2MVB6Q').kind).toBe('access-key');
    expect(principalMatcher('arn:aws:sts::*:assumed-role/terraform-*/*').kind).toBe('arn');
    expect(principalMatcher('alice@example.com').kind).toBe('name');
  });

  it('matches an ARN glob, and a role ARN names its sessions', () => {
    const facts = principalFacts(role);
    expect(principalMatcher('arn:aws:sts::*:assumed-role/terraform-*/*').matches(facts)).toBe(true);
    expect(principalMatcher('arn:aws:iam::111122223333:role/terraform-deploy').matches(facts)).toBe(true);
    expect(principalMatcher('arn:aws:iam::111122223333:role/other').matches(facts)).toBe(false);
    expect(principalMatcher('arn:aws:iam::*:user/bob').matches(principalFacts(user))).toBe(true);
  });

  it('matches session and user names exactly, or as a glob', () => {
    expect(principalMatcher('terraform-run-8812').matches(principalFacts(role))).toBe(true);
    expect(principalMatcher('terraform-run').matches(principalFacts(role))).toBe(false);
    expect(principalMatcher('terraform-*').matches(principalFacts(role))).toBe(true);
    expect(principalMatcher('bob').matches(principalFacts(user))).toBe(true);
  });

  it('matches the access key that signed the call', () => {
    const m = principalMatcher('AKIARZ5DKQ7XMS4TQ2PL');
    expect(m.matches(principalFacts(user, 'AKIARZ5DKQ7XMS4TQ2PL'))).toBe(true);
    expect(m.matches(principalFacts(user, 'AKIARZ5DKQ7XMS4TQ2PX'))).toBe(false);
  });
});

function indexed(partial: Partial<IndexedEvent> & { eventId: string; eventTimeMs: number }): StoredEvent {
  return {
    eventName: 'AuthorizeSecurityGroupIngress',
    eventSource: 'ec2.amazonaws.com',
    awsRegion: 'eu-west-1',
    accountId: '111122223333',
    principal: stubPrincipal,
    identifiers: [],
    aliases: [],
    change: true,
    readOnly: false,
    request: {},
    ...partial,
  };
}

describe('resourceLookup and refersTo', () => {
  it('looks an ARN up by itself and by the name events also use', () => {
    const lookup = resourceLookup(' arn:aws:iam::111122223333:role/service-role/Web-Role ');
    expect(lookup.keys).toEqual([
      'arn:aws:iam::111122223333:role/service-role/Web-Role',
      'Web-Role',
      'web-role',
      'arn:aws:iam::111122223333:role/service-role/web-role',
    ]);
    const role = indexed({
      eventId: 'a',
      eventTimeMs: 1,
      identifiers: [
        { value: 'Web-Role', resourceType: 'AWS::IAM::Role', path: 'requestParameters.roleName' },
      ],
    });
    const profile = indexed({
      eventId: 'b',
      eventTimeMs: 1,
      identifiers: [
        { value: 'Web-Role', resourceType: 'AWS::IAM::InstanceProfile', path: 'requestParameters.x' },
      ],
    });
    const otherAccount = { ...role, eventId: 'c', accountId: '444455556666' };
    expect(refersTo(role, lookup)).toBe(true);
    expect(refersTo(profile, lookup)).toBe(false);
    expect(refersTo(otherAccount, lookup)).toBe(false);
  });

  it('takes any event for a plain id', () => {
    expect(resourceLookup('sg-0123456789abcdef0').keys).toEqual(['sg-0123456789abcdef0']);
    expect(refersTo(indexed({ eventId: 'a', eventTimeMs: 1 }), resourceLookup('sg-1'))).toBe(true);
  });
});

describe('timelines', () => {
  it('orders newest first, each event once', () => {
    const a = indexed({ eventId: 'a', eventTimeMs: 1000 });
    const b = indexed({ eventId: 'b', eventTimeMs: 3000 });
    const c = indexed({ eventId: 'c', eventTimeMs: 2000 });
    expect(timelineOf([a, b, c, b], 'index').map((e) => e.eventId)).toEqual(['b', 'c', 'a']);
  });

  it('says how in words people use', () => {
    expect(howOf('terraform')).toBe('Terraform');
    expect(howOf('aws-service')).toBe('service');
    expect(howOf('cli')).toBe('CLI');
  });

  it('picks the created resource of a create call, else the subject of the request', () => {
    const run = trailEvent({
      eventID: 'r',
      eventName: 'RunInstances',
      eventSource: 'ec2.amazonaws.com',
      eventTime: '2026-11-18T09:07:02Z',
      recipientAccountId: '111122223333',
      requestParameters: { subnetId: 'subnet-0b8f2e1d4c3a59687', imageId: 'ami-0abcdef1234567890' },
      responseElements: { instancesSet: { items: [{ instanceId: 'i-0f1e2d3c4b5a69788' }] } },
    });
    const stored = storedEventOf(run, principalOfEvent(run), identifiersOf(run));
    expect(primaryResourceOf(stored)).toEqual({ value: 'i-0f1e2d3c4b5a69788', type: 'AWS::EC2::Instance' });
    const modify = indexed({
      eventId: 'm',
      eventTimeMs: 1,
      eventName: 'ModifyVpcAttribute',
      identifiers: [{ value: 'vpc-1', resourceType: 'AWS::EC2::VPC', path: 'requestParameters.vpcId' }],
    });
    expect(primaryResourceOf(modify)).toEqual({ value: 'vpc-1', type: 'AWS::EC2::VPC' });
  });

  it('groups by service, then resource (most recent first, unnamed last)', () => {
    const sg = { value: 'sg-1', resourceType: 'AWS::EC2::SecurityGroup', path: 'requestParameters.groupId' };
    const vpc = { value: 'vpc-1', resourceType: 'AWS::EC2::VPC', path: 'requestParameters.vpcId' };
    const entries = timelineOf(
      [
        indexed({ eventId: '1', eventTimeMs: 1, identifiers: [vpc] }),
        indexed({ eventId: '2', eventTimeMs: 2, identifiers: [sg] }),
        indexed({ eventId: '3', eventTimeMs: 3, identifiers: [vpc] }),
        indexed({ eventId: '4', eventTimeMs: 4, eventSource: 'iam.amazonaws.com' }),
        indexed({ eventId: '5', eventTimeMs: 5 }),
      ],
      'index',
    );
    const groups = groupByServiceAndResource(entries);
    expect(groups.map((g) => [g.service, g.count])).toEqual([
      ['ec2', 4],
      ['iam', 1],
    ]);
    expect(groups[0]!.resources.map((r) => [r.resource?.value, r.entries.map((e) => e.eventId)])).toEqual([
      ['vpc-1', ['3', '1']],
      ['sg-1', ['2']],
      [undefined, ['5']],
    ]);
  });
});
