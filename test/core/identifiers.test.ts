import { describe, expect, it } from 'vitest';
import { isSubjectPath } from '../../src/core/correlate/heuristics.js';
import { describeArn } from '../../src/core/identifiers/arn.js';
import { idTypeOf, UNTYPED } from '../../src/core/identifiers/prefixes.js';
import {
  IDENTIFIER_LIMITS,
  identifiersOf,
  isIndexable,
  queueNameOfUrl,
  toIndexedEvent,
} from '../../src/core/identifiers.js';
import type { Identifier, JsonObject } from '../../src/core/model.js';
import { byName, fixtureEvents, stubPrincipal, trailEvent } from '../helpers/trail-event.js';

const sg = fixtureEvents('security-group.json');
const iam = fixtureEvents('iam-role.json');
const rds = fixtureEvents('rds.json');
const routes = fixtureEvents('route-table.json');
const s3 = fixtureEvents('s3.json');

const SG = 'sg-0a3f5c2e9b7d41e86';

function values(ids: readonly Identifier[]): string[] {
  return ids.map((i) => i.value);
}

function find(ids: readonly Identifier[], value: string): Identifier | undefined {
  return ids.find((i) => i.value === value);
}

function raw(eventName: string, eventSource: string, request: unknown, response: unknown = null): JsonObject {
  return {
    eventID: `id-${eventName}`,
    eventName,
    eventSource,
    eventTime: '2026-03-02T10:00:00Z',
    awsRegion: 'us-east-1',
    recipientAccountId: '111122223333',
    readOnly: false,
    userIdentity: { type: 'IAMUser', accountId: '111122223333' },
    requestParameters: request,
    responseElements: response,
  };
}

describe('idTypeOf', () => {
  it.each([
    ['sg-0a3f5c2e9b7d41e86', 'AWS::EC2::SecurityGroup'],
    ['vpc-0990dc6d', 'AWS::EC2::VPC'],
    ['i-0dbc91f429e48eeed', 'AWS::EC2::Instance'],
    ['rtb-0f1e2d3c4b5a69788', 'AWS::EC2::RouteTable'],
    ['eipalloc-09d58d8a1fc361502', 'AWS::EC2::EIP'],
    ['tgw-attach-0a1b2c3d4e5f60718', 'AWS::EC2::TransitGatewayAttachment'],
    ['db-PDUCDGLRGDVGNFIUKF4FRJGEGY', 'AWS::RDS::DBInstance'],
    ['AROA53G8Z8NGXMJ597G3E', 'AWS::IAM::Role'],
    ['AIDAL1XMLVWIUOK8KAF0', 'AWS::IAM::User'],
    ['ANPATFQR7NSC7MUPDSBS4', 'AWS::IAM::Policy'],
    ['rtbassoc-0c9d8e7f6a5b4c3d2', UNTYPED],
    ['sgr-09b3e3d2ca1edf2a2', UNTYPED],
  ])('%s is %s', (value, type) => {
    expect(idTypeOf(value)).toBe(type);
  });

  it.each([
    'i-love-cats-and-dogs',
    'vpc-main-network',
    'db-subnets-private',
    'AROA53G8Z8NGXMJ597G3E:session',
    'ASIAYTQFHXKPEXAMPLE1',
    'us-east-1a',
    'sg-',
  ])('%s is not an id', (value) => {
    expect(idTypeOf(value)).toBeUndefined();
  });
});

describe('describeArn', () => {
  it('reads IAM names through paths', () => {
    expect(describeArn('arn:aws:iam::111122223333:role/service/app-role')).toMatchObject({
      service: 'iam',
      account: '111122223333',
      type: 'AWS::IAM::Role',
      name: 'app-role',
    });
  });

  it('strips the random suffix of a secret', () => {
    expect(describeArn('arn:aws:secretsmanager:us-east-1:1:secret:db/password-ZgthLn')?.name).toBe(
      'db/password',
    );
  });

  it('types EC2 ARNs by the id they end with', () => {
    expect(describeArn('arn:aws:ec2:us-east-1:1:security-group/sg-0a3f5c2e9b7d41e86')).toMatchObject({
      type: 'AWS::EC2::SecurityGroup',
      name: 'sg-0a3f5c2e9b7d41e86',
    });
  });

  it('knows S3 buckets, RDS instances, Lambda functions and load balancers', () => {
    expect(describeArn('arn:aws:s3:::my-bucket')).toMatchObject({
      type: 'AWS::S3::Bucket',
      name: 'my-bucket',
    });
    expect(describeArn('arn:aws:rds:us-east-1:1:db:orders-db')).toMatchObject({ name: 'orders-db' });
    expect(describeArn('arn:aws:lambda:us-east-1:1:function:fn:live')?.name).toBe('fn');
    expect(
      describeArn('arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/268aa84731d32825'),
    ).toMatchObject({ type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', name: 'web' });
  });

  it('derives no name where the last segment is not one', () => {
    expect(describeArn('arn:aws:s3:::my-bucket/some/key')?.name).toBeUndefined();
    expect(describeArn('arn:aws:dynamodb:us-east-1:1:table/t/stream/2026')?.name).toBeUndefined();
  });

  it('rejects callers and non-ARNs', () => {
    expect(describeArn('arn:aws:sts::1:assumed-role/deploy/terraform')).toBeUndefined();
    expect(describeArn('arn:aws')).toBeUndefined();
    expect(describeArn('not-an-arn')).toBeUndefined();
  });
});

describe('identifiersOf', () => {
  it('reads a Terraform CreateSecurityGroup: name, vpc and the new id, tying name and id', () => {
    const { identifiers, aliases } = identifiersOf(byName(sg, 'CreateSecurityGroup'));
    expect(find(identifiers, 'web-sg')).toMatchObject({
      resourceType: 'AWS::EC2::SecurityGroup',
      path: 'requestParameters.groupName',
    });
    expect(find(identifiers, SG)).toMatchObject({
      resourceType: 'AWS::EC2::SecurityGroup',
      path: 'responseElements.groupId',
    });
    expect(find(identifiers, 'vpc-0e4b7d29c1a6f3580')?.resourceType).toBe('AWS::EC2::VPC');
    // Tags and descriptions are not identifiers.
    expect(values(identifiers)).not.toContain('terraform');
    expect(values(identifiers)).not.toContain('web tier, managed by terraform');
    expect(aliases).toContainEqual(['web-sg', SG]);
  });

  it('keeps the subject at the top and a referenced group deeper down', () => {
    const { identifiers } = identifiersOf(byName(sg, 'AuthorizeSecurityGroupIngress'));
    expect(find(identifiers, SG)?.path).toBe('requestParameters.groupId');
    // Found deep in the rule (breadth-first, so the shallower response copy is the one kept).
    const referenced = find(identifiers, 'sg-0c71d9e2a4b6f8013');
    expect(referenced?.path).toBe(
      'responseElements.securityGroupRuleSet.items[0].referencedGroupInfo.groupId',
    );
    expect(isSubjectPath(referenced?.path ?? '')).toBe(false);
    expect(isSubjectPath('requestParameters.groupId')).toBe(true);
    expect(find(identifiers, 'sgr-0d2c4e6f8a0b1c3d5')?.resourceType).toBeUndefined();
  });

  it('reads a CreateRole response and ties role id, name and ARN', () => {
    const { identifiers, aliases } = identifiersOf(byName(iam, 'CreateRole'));
    const arn = 'arn:aws:iam::111122223333:role/service/app-role';
    expect(find(identifiers, 'AROAYTQFHXKP7ROLE0001')?.resourceType).toBe('AWS::IAM::Role');
    expect(find(identifiers, 'app-role')?.resourceType).toBe('AWS::IAM::Role');
    expect(find(identifiers, arn)?.resourceType).toBe('AWS::IAM::Role');
    expect(aliases).toHaveLength(1);
    expect([...(aliases[0] ?? [])].sort()).toEqual([arn, 'AROAYTQFHXKP7ROLE0001', 'app-role'].sort());
    // The trust policy names the EC2 service; it is not mined.
    expect(values(identifiers).some((v) => v.includes('ec2.amazonaws.com'))).toBe(false);
  });

  it('indexes PutRolePolicy by the role name only: the inline policy name and document are not resources', () => {
    const { identifiers } = identifiersOf(byName(iam, 'PutRolePolicy'));
    expect(values(identifiers)).toEqual(['app-role']);
  });

  it('derives the managed policy name from its ARN', () => {
    const { identifiers } = identifiersOf(byName(iam, 'AttachRolePolicy'));
    expect(find(identifiers, 'AmazonSSMManagedInstanceCore')).toMatchObject({
      resourceType: 'AWS::IAM::Policy',
      path: 'requestParameters.policyArn#name',
    });
  });

  it('lower-cases RDS identifiers and ties the DbiResourceId Config uses to them', () => {
    const { identifiers, aliases } = identifiersOf(byName(rds, 'CreateDBInstance'));
    expect(find(identifiers, 'orders-db')).toMatchObject({
      resourceType: 'AWS::RDS::DBInstance',
      path: 'requestParameters.dBInstanceIdentifier',
    });
    expect(values(identifiers)).not.toContain('Orders-DB');
    expect(find(identifiers, 'db-7KQX2M4ZP5N3RYVWB6HJ2LCA4E')?.resourceType).toBe('AWS::RDS::DBInstance');
    expect(find(identifiers, 'orders-subnets')?.resourceType).toBe('AWS::RDS::DBSubnetGroup');
    expect(values(identifiers)).not.toContain('alias/aws/rds');
    expect(values(identifiers)).not.toContain('orders'); // masterUsername
    const group = aliases.find((g) => g.includes('db-7KQX2M4ZP5N3RYVWB6HJ2LCA4E'));
    expect(group).toEqual(
      expect.arrayContaining(['orders-db', 'arn:aws:rds:us-east-1:111122223333:db:orders-db']),
    );
  });

  it('ties a route table to the association id AssociateRouteTable returns', () => {
    const { aliases } = identifiersOf(byName(routes, 'AssociateRouteTable'));
    expect(aliases).toEqual([['rtb-0f1e2d3c4b5a69788', 'rtbassoc-0c9d8e7f6a5b4c3d2']]);
    const dis = identifiersOf(byName(routes, 'DisassociateRouteTable'));
    expect(values(dis.identifiers)).toEqual(['rtbassoc-0c9d8e7f6a5b4c3d2']);
  });

  it('finds the bucket of a PutBucketPolicy without resources, and not the ARNs its policy mentions', () => {
    const { identifiers } = identifiersOf(byName(s3, 'PutBucketPolicy'));
    expect(identifiers).toEqual([
      {
        value: 'app-config-111122223333',
        resourceType: 'AWS::S3::Bucket',
        path: 'requestParameters.bucketName',
      },
    ]);
  });

  it('reads resources[].ARN with its type, and the id at its end', () => {
    const event = trailEvent({
      ...raw('StopInstances', 'ec2.amazonaws.com', null),
      resources: [
        {
          ARN: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0dbc91f429e48eeed',
          type: 'AWS::EC2::Instance',
        },
      ],
    });
    const { identifiers } = identifiersOf(event);
    expect(find(identifiers, 'i-0dbc91f429e48eeed')).toMatchObject({
      resourceType: 'AWS::EC2::Instance',
      path: 'resources[0].ARN#name',
    });
  });

  it('reads an SQS queue URL and the queue name it ends with', () => {
    const url = 'https://sqs.us-east-1.amazonaws.com/111122223333/orders';
    const { identifiers } = identifiersOf(
      trailEvent(
        raw('SetQueueAttributes', 'sqs.amazonaws.com', { queueUrl: url, attributes: { DelaySeconds: '5' } }),
      ),
    );
    expect(values(identifiers)).toEqual([url, 'orders']);
    expect(queueNameOfUrl('not a url')).toBeUndefined();
  });

  it('ties a secret name to the ARN CreateSecret returns', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db/password-ZgthLn';
    const { identifiers, aliases } = identifiersOf(
      trailEvent(
        raw(
          'CreateSecret',
          'secretsmanager.amazonaws.com',
          { name: 'db/password', description: 'x' },
          { arn },
        ),
      ),
    );
    expect(find(identifiers, 'db/password')?.resourceType).toBe('AWS::SecretsManager::Secret');
    expect(aliases).toContainEqual(['db/password', arn]);
  });

  it('takes a generic `name` only at the top of the request', () => {
    const { identifiers } = identifiersOf(
      trailEvent(
        raw(
          'RunInstances',
          'ec2.amazonaws.com',
          { iamInstanceProfile: { name: 'profile' }, instanceType: 't3.micro' },
          {
            instancesSet: {
              items: [{ instanceId: 'i-0dbc91f429e48eeed', instanceState: { name: 'pending' } }],
            },
          },
        ),
      ),
    );
    expect(values(identifiers)).toEqual(['i-0dbc91f429e48eeed']);
  });

  it('keeps string arrays under a name key (security group ids)', () => {
    const { identifiers } = identifiersOf(
      trailEvent(raw('ModifyInstanceAttribute', 'ec2.amazonaws.com', { groupSet: ['sg-0a3f5c2e9b7d41e86'] })),
    );
    expect(find(identifiers, SG)?.path).toBe('requestParameters.groupSet[0]');
  });

  it('ignores IAM group and user names outside IAM', () => {
    const { identifiers } = identifiersOf(
      trailEvent(raw('CreateGroup', 'resource-groups.amazonaws.com', { groupName: 'g', userName: 'u' })),
    );
    expect(identifiers).toEqual([]);
  });
});

describe('identifiersOf on hostile input', () => {
  it('survives deep nesting without recursion', () => {
    let deep: JsonObject = { groupId: 'sg-0a3f5c2e9b7d41e86' };
    for (let i = 0; i < 100_000; i++) deep = { nested: deep };
    const started = performance.now();
    const { identifiers } = identifiersOf(trailEvent(raw('Modify', 'ec2.amazonaws.com', deep)));
    expect(identifiers).toEqual([]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('stops at its node and identifier budgets on huge requests', () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => `vol-${i.toString(16).padStart(17, '0')}`);
    const { identifiers } = identifiersOf(trailEvent(raw('CreateTags', 'ec2.amazonaws.com', { ids })));
    expect(identifiers.length).toBe(IDENTIFIER_LIMITS.maxIdentifiers);
    expect(identifiers[0]?.value).toBe(ids[0]);
  });

  it('skips very long values', () => {
    const long = `arn:aws:s3:::${'b'.repeat(3000)}`;
    const { identifiers } = identifiersOf(
      trailEvent(raw('PutBucketAcl', 's3.amazonaws.com', { bucketName: long })),
    );
    expect(identifiers).toEqual([]);
  });

  it('copes with absent request, response and resources', () => {
    expect(identifiersOf(trailEvent(raw('ConsoleLogin', 'signin.amazonaws.com', null)))).toEqual({
      identifiers: [],
      aliases: [],
    });
  });

  it('is not fooled by an event named after an Object.prototype member', () => {
    expect(identifiersOf(trailEvent(raw('constructor', 'constructor', { toString: 'x' })))).toEqual({
      identifiers: [],
      aliases: [],
    });
  });
});

describe('isIndexable and toIndexedEvent', () => {
  it('indexes successful management writes only', () => {
    expect(isIndexable(byName(sg, 'CreateSecurityGroup'))).toBe(true);
    expect(isIndexable(byName(sg, 'DescribeSecurityGroups'))).toBe(false);
    const failed = sg.find((e) => e.errorCode !== undefined);
    expect(failed?.errorCode).toBe('Client.UnauthorizedOperation');
    expect(failed && isIndexable(failed)).toBe(false);
    expect(isIndexable(byName(s3, 'PutObject'))).toBe(false);
  });

  it('builds the compact event with the principal given', () => {
    const event = byName(sg, 'CreateSecurityGroup');
    const indexed = toIndexedEvent(event, stubPrincipal);
    expect(indexed).toMatchObject({
      eventId: event.eventId,
      eventName: 'CreateSecurityGroup',
      eventSource: 'ec2.amazonaws.com',
      eventTimeMs: Date.parse('2026-03-02T10:00:05Z'),
      accountId: '111122223333',
      awsRegion: 'us-east-1',
      principal: stubPrincipal,
      sourceIPAddress: '203.0.113.17',
    });
    expect(indexed?.userAgent).toContain('Terraform');
    expect(indexed?.aliases).toContainEqual(['web-sg', SG]);
    expect(toIndexedEvent(byName(sg, 'DescribeSecurityGroups'), stubPrincipal)).toBeUndefined();
  });
});
