import { describe, expect, it } from 'vitest';
import { lifecycleOf, verbClassOf } from '../../src/core/correlate/verbs.js';
import {
  changeKeyList,
  changeKeys,
  correlate,
  DEFAULT_WINDOW_MS,
  expandAliases,
  rankCandidates,
} from '../../src/core/correlate.js';
import { toIndexedEvent } from '../../src/core/identifiers.js';
import type { Attribution, IndexedEvent, TrailEvent } from '../../src/core/model.js';
import { configChange } from '../helpers/config-change.js';
import { fixtureEvents, stubPrincipal } from '../helpers/trail-event.js';

function indexed(events: readonly TrailEvent[]): IndexedEvent[] {
  return events.flatMap((e) => toIndexedEvent(e, stubPrincipal) ?? []);
}

const sgEvents = indexed(fixtureEvents('security-group.json'));
const iamEvents = indexed(fixtureEvents('iam-role.json'));
const rdsEvents = indexed(fixtureEvents('rds.json'));
const routeEvents = indexed(fixtureEvents('route-table.json'));
const s3Events = indexed(fixtureEvents('s3.json'));

const window = { windowMs: DEFAULT_WINDOW_MS };
const ACCOUNT = '111122223333';
const SG = 'sg-0a3f5c2e9b7d41e86';
const SG_ARN = `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/${SG}`;
const ROLE_ID = 'AROAYTQFHXKP7ROLE0001';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service/app-role`;

const id = (suffix: string, prefix = '5b1f7c7e-3f7a-4c55-9d0e-1a2b3c4d5e'): string => `${prefix}${suffix}`;
const iamId = (suffix: string): string => id(suffix, '6c2a8d8f-4a8b-4d66-8e1f-2b3c4d5e6f');

function sgChange(captureTime: string, extra: Partial<Parameters<typeof configChange>[0]> = {}) {
  return configChange({
    resourceType: 'AWS::EC2::SecurityGroup',
    resourceId: SG,
    resourceName: 'web-sg',
    arn: SG_ARN,
    captureTime,
    ...extra,
  });
}

function attributedOrFail(attribution: Attribution) {
  if (attribution.status !== 'attributed') throw new Error(`unattributed: ${attribution.reason}`);
  return attribution;
}

describe('changeKeys', () => {
  it('lists id, ARN and name, strongest first, without duplicates', () => {
    expect(changeKeys(sgChange('2026-03-02T10:01:10Z'))).toEqual([SG, SG_ARN, 'web-sg']);
  });

  it('derives the name from an IAM ARN and keys the role by its unique id', () => {
    const keys = changeKeyList(
      configChange({
        resourceType: 'AWS::IAM::Role',
        resourceId: ROLE_ID,
        arn: ROLE_ARN,
        captureTime: '2026-03-02T11:00:30Z',
      }),
    );
    expect(keys).toEqual([
      { value: ROLE_ID, kind: 'resourceId' },
      { value: ROLE_ARN, kind: 'arn' },
      { value: 'app-role', kind: 'derived' },
    ]);
  });

  it('derives an SQS queue name and ARN from the queue URL', () => {
    const keys = changeKeys(
      configChange({
        resourceType: 'AWS::SQS::Queue',
        resourceId: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/orders`,
        captureTime: '2026-03-02T10:00:00Z',
      }),
    );
    expect(keys).toContain('orders');
    expect(keys).toContain(`arn:aws:sqs:us-east-1:${ACCOUNT}:orders`);
  });

  it('derives an S3 bucket ARN and a secret name', () => {
    expect(
      changeKeys(
        configChange({
          resourceType: 'AWS::S3::Bucket',
          resourceId: 'b1',
          captureTime: '2026-03-02T10:00:00Z',
        }),
      ),
    ).toEqual(['b1', 'arn:aws:s3:::b1']);
    const secretArn = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:db/password-ZgthLn`;
    expect(
      changeKeys(
        configChange({
          resourceType: 'AWS::SecretsManager::Secret',
          resourceId: secretArn,
          captureTime: '2026-03-02T10:00:00Z',
        }),
      ),
    ).toEqual([secretArn, 'db/password']);
  });

  it('finds association ids in the changed properties', () => {
    const keys = changeKeyList(routeChange([{ routeTableAssociationId: 'rtbassoc-0c9d8e7f6a5b4c3d2' }]));
    expect(keys).toContainEqual({ value: 'rtbassoc-0c9d8e7f6a5b4c3d2', kind: 'association' });
  });
});

describe('expandAliases', () => {
  it('adds the members of groups that hold a key, one hop only', () => {
    const event = {
      ...(sgEvents[0] as IndexedEvent),
      aliases: [
        ['a', 'b'],
        ['b', 'c'],
        ['x', 'y'],
      ],
    };
    expect(expandAliases(['a'], [event])).toEqual(['a', 'b']);
    expect(expandAliases(['b'], [event])).toEqual(['b', 'a', 'c']);
  });
});

describe('verbs', () => {
  it.each([
    ['CreateSecurityGroup', 'AWS::EC2::SecurityGroup', 'create'],
    ['RunInstances', 'AWS::EC2::Instance', 'create'],
    ['TerminateInstances', 'AWS::EC2::Instance', 'delete'],
    ['CreateFunction20150331', 'AWS::Lambda::Function', 'create'],
    ['ReleaseAddress', 'AWS::EC2::EIP', 'delete'],
    ['ScheduleKeyDeletion', 'AWS::KMS::Key', 'delete'],
    ['CreateDBInstanceReadReplica', 'AWS::RDS::DBInstance', 'create'],
    ['CreateRoute', 'AWS::EC2::RouteTable', 'none'],
    ['CreatePolicyVersion', 'AWS::IAM::Policy', 'none'],
    ['CreateTags', 'AWS::EC2::SecurityGroup', 'none'],
  ])('%s on %s: %s', (eventName, type, lifecycle) => {
    expect(lifecycleOf(eventName, type)).toBe(lifecycle);
  });

  it('classes verbs', () => {
    expect(verbClassOf('PutBucketPolicy')).toBe('put');
    expect(verbClassOf('RemoveRoleFromInstanceProfile')).toBe('remove');
    expect(verbClassOf('AuthorizeSecurityGroupIngress')).toBe('update');
  });
});

describe('correlate: security group (Terraform)', () => {
  it('attributes a CREATE to CreateSecurityGroup and lists the rule changes that followed', () => {
    const result = attributedOrFail(
      correlate(sgChange('2026-03-02T10:01:10Z', { changeType: 'CREATE' }), sgEvents, window),
    );
    expect(result.event.eventName).toBe('CreateSecurityGroup');
    expect(result.event.accountId).toBe(ACCOUNT);
    expect(result.via).toBe('index');
    expect(result.matchedOn).toEqual([`resourceId=${SG}`, 'resourceName=web-sg']);
    expect(result.others.map((e) => e.eventName).sort()).toEqual([
      'AuthorizeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
    ]);
  });

  it('picks the rule change for an UPDATE and lists the tagging after it, ignoring later calls', () => {
    const change = sgChange('2026-03-02T10:21:45Z', {
      changedProperties: [{ path: 'Configuration.IpPermissions.1', changeType: 'CREATE' }],
    });
    const result = attributedOrFail(correlate(change, sgEvents, window));
    expect(result.event.eventId).toBe(id('06'));
    expect(result.others.map((e) => e.eventId)).toEqual([id('07')]);
  });

  it('prefers the tagging call when only tags changed', () => {
    const change = sgChange('2026-03-02T10:21:45Z', {
      changedProperties: [{ path: 'SupplementaryConfiguration.Tags', changeType: 'UPDATE' }],
    });
    expect(attributedOrFail(correlate(change, sgEvents, window)).event.eventName).toBe('CreateTags');
  });

  it('prefers DeleteSecurityGroup for a DELETE over rule changes, even closer ones', () => {
    const change = sgChange('2026-03-02T10:40:30Z', { changeType: 'DELETE' });
    const wide = { windowMs: 60 * 60 * 1000 };
    const result = attributedOrFail(correlate(change, sgEvents, wide));
    expect(result.event.eventName).toBe('DeleteSecurityGroup');
    expect(result.others.map((e) => e.eventName)).not.toContain('CreateSecurityGroup');

    const authorize = sgEvents.find((e) => e.eventId === id('06')) as IndexedEvent;
    const closer = { ...authorize, eventTimeMs: Date.parse('2026-03-02T10:40:25Z') };
    const again = attributedOrFail(correlate(change, [closer, ...sgEvents], wide));
    expect(again.event.eventName).toBe('DeleteSecurityGroup');
    expect(again.others[0]?.eventId).toBe(id('06'));
  });

  it('never sees failed or read-only calls, and says what the index saw instead', () => {
    const change = sgChange('2026-03-02T10:13:00Z');
    const result = correlate(change, sgEvents, { windowMs: 5 * 60 * 1000 });
    expect(result).toEqual({
      status: 'unattributed',
      reason: `no write event in the index refers to ${SG} (or ${SG_ARN}, web-sg) between 2026-03-02T10:08:00.000Z and 2026-03-02T10:13:00.000Z (5-minute window); 4 events referring to it came after the capture time; 3 events referring to it came before the window, the latest at 2026-03-02T10:00:06.000Z; 1 event referring to it was in other accounts (444455556666)`,
    });
  });

  it('says so when the only matching event came after the capture time', () => {
    const change = sgChange('2026-03-02T10:39:00Z', { changeType: 'DELETE' });
    const deleteOnly = sgEvents.filter((e) => e.eventName === 'DeleteSecurityGroup');
    const result = correlate(change, deleteOnly, window);
    expect(result.status).toBe('unattributed');
    if (result.status === 'unattributed') {
      expect(result.reason).toContain(
        'between 2026-03-02T10:24:00.000Z and 2026-03-02T10:39:00.000Z (15-minute window)',
      );
      expect(result.reason).toContain('1 event referring to it came after the capture time');
    }
  });

  it('ignores events of other accounts and names them in the reason', () => {
    const change = sgChange('2026-03-02T10:01:10Z', { accountId: '999988887777' });
    const result = correlate(change, sgEvents, window);
    expect(result.status).toBe('unattributed');
    if (result.status === 'unattributed') {
      expect(result.reason).toContain('referring to it were in other accounts (111122223333, 444455556666)');
    }
  });

  it('does not take the same name in another account for this resource', () => {
    const other = configChange({
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-0b9e1d3f5a7c2e4d6',
      resourceName: 'web-sg',
      accountId: '444455556666',
      captureTime: '2026-03-02T10:01:00Z',
      changeType: 'CREATE',
    });
    const result = attributedOrFail(correlate(other, sgEvents, window));
    expect(result.event.eventId).toBe(id('0a'));
    expect(result.others).toEqual([]);
  });

  it('follows relatedEvents from Config over its own ranking', () => {
    const change = sgChange('2026-03-02T10:21:45Z', {
      changedProperties: [{ path: 'Configuration.IpPermissions.1', changeType: 'CREATE' }],
      relatedEvents: [id('07')],
    });
    const result = attributedOrFail(correlate(change, sgEvents, window));
    expect(result.via).toBe('related-event');
    expect(result.event.eventId).toBe(id('07'));
    expect(result.matchedOn).toContain(`relatedEvent=${id('07')}`);
    expect(result.others.map((e) => e.eventId)).toEqual([id('06')]);
  });

  it('does not blame a security group call for an IAM role of the same name', () => {
    const role = configChange({
      resourceType: 'AWS::IAM::Role',
      resourceId: 'AROAYTQFHXKP7ROLE0009',
      resourceName: 'web-sg',
      awsRegion: 'global',
      captureTime: '2026-03-02T10:01:10Z',
    });
    const result = correlate(role, sgEvents, window);
    expect(result.status).toBe('unattributed');
    if (result.status === 'unattributed') {
      expect(result.reason).toContain('concerns another kind of resource (AWS::EC2::SecurityGroup)');
    }
  });
});

describe('correlate: IAM role keyed by its unique id', () => {
  const roleChange = (captureTime: string, extra: Partial<Parameters<typeof configChange>[0]> = {}) =>
    configChange({
      resourceType: 'AWS::IAM::Role',
      resourceId: ROLE_ID,
      resourceName: 'app-role',
      arn: ROLE_ARN,
      awsRegion: 'global',
      captureTime,
      ...extra,
    });

  it('attributes the CREATE to CreateRole and lists the name-only calls, not the instance profile', () => {
    const result = attributedOrFail(
      correlate(roleChange('2026-03-02T11:00:30Z', { changeType: 'CREATE' }), iamEvents, window),
    );
    expect(result.event.eventName).toBe('CreateRole');
    expect(result.matchedOn).toEqual([`resourceId=${ROLE_ID}`, `arn=${ROLE_ARN}`, 'resourceName=app-role']);
    expect(result.others.map((e) => e.eventName).sort()).toEqual([
      'AddRoleToInstanceProfile',
      'AttachRolePolicy',
      'PutRolePolicy',
    ]);
  });

  it('attributes a later UPDATE to a PutRolePolicy that carries only the role name', () => {
    const result = attributedOrFail(correlate(roleChange('2026-03-02T11:40:20Z'), iamEvents, window));
    expect(result.event.eventId).toBe(iamId('06'));
    expect(result.matchedOn).toEqual(['resourceName=app-role']);
    expect(result.others).toEqual([]);
  });

  it('reaches name-only calls through the CreateRole alias when the change has only the id', () => {
    const bare = configChange({
      resourceType: 'AWS::IAM::Role',
      resourceId: ROLE_ID,
      awsRegion: 'global',
      captureTime: '2026-03-02T11:00:30Z',
      changeType: 'CREATE',
    });
    const ranking = rankCandidates(bare, iamEvents, window);
    const put = ranking.ranked.find((r) => r.event.eventId === iamId('02'));
    expect(put?.matchedOn).toEqual(['alias=app-role']);
    expect(ranking.ranked[0]?.event.eventName).toBe('CreateRole');
    expect(ranking.ranked[0]?.reasons).toContain('creates the resource (+40)');
  });
});

describe('correlate: RDS instance keyed by DbiResourceId', () => {
  const dbChange = (captureTime: string, changeType: 'CREATE' | 'UPDATE') =>
    configChange({
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-7KQX2M4ZP5N3RYVWB6HJ2LCA4E',
      resourceName: 'orders-db',
      arn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-db`,
      captureTime,
      changeType,
    });

  it('attributes the CREATE to CreateDBInstance by id, identifier and ARN', () => {
    const result = attributedOrFail(correlate(dbChange('2026-03-02T12:05:00Z', 'CREATE'), rdsEvents, window));
    expect(result.event.eventName).toBe('CreateDBInstance');
    expect(result.matchedOn).toEqual([
      'resourceId=db-7KQX2M4ZP5N3RYVWB6HJ2LCA4E',
      `arn=arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-db`,
      'resourceName=orders-db',
    ]);
  });

  it('attributes an UPDATE to ModifyDBInstance rather than the create in the same window', () => {
    const result = attributedOrFail(correlate(dbChange('2026-03-02T12:15:00Z', 'UPDATE'), rdsEvents, window));
    expect(result.event.eventName).toBe('ModifyDBInstance');
    expect(result.others.map((e) => e.eventName)).toEqual(['CreateDBInstance']);
  });
});

function routeChange(previousAssociations?: readonly object[]) {
  return configChange({
    resourceType: 'AWS::EC2::RouteTable',
    resourceId: 'rtb-0f1e2d3c4b5a69788',
    arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:route-table/rtb-0f1e2d3c4b5a69788`,
    captureTime: '2026-03-02T13:06:00Z',
    changedProperties:
      previousAssociations === undefined
        ? []
        : previousAssociations.map((previousValue, i) => ({
            path: `Configuration.Associations.${i}`,
            changeType: 'DELETE' as const,
            previousValue,
          })),
  });
}

describe('correlate: route table disassociation', () => {
  it('finds DisassociateRouteTable by the association id in the previous configuration', () => {
    const change = routeChange([
      {
        routeTableAssociationId: 'rtbassoc-0c9d8e7f6a5b4c3d2',
        routeTableId: 'rtb-0f1e2d3c4b5a69788',
        subnetId: 'subnet-0a1b2c3d4e5f67890',
        main: false,
      },
    ]);
    const disassociate = routeEvents.filter((e) => e.eventName === 'DisassociateRouteTable');
    const result = attributedOrFail(correlate(change, disassociate, window));
    expect(result.event.eventName).toBe('DisassociateRouteTable');
    expect(result.matchedOn).toEqual(['association=rtbassoc-0c9d8e7f6a5b4c3d2']);
  });

  it('finds it through the earlier AssociateRouteTable when the change has no properties', () => {
    const result = attributedOrFail(correlate(routeChange(), routeEvents, window));
    expect(result.event.eventName).toBe('DisassociateRouteTable');
    expect(result.matchedOn).toEqual(['alias=rtbassoc-0c9d8e7f6a5b4c3d2']);
    expect(result.others).toEqual([]);
  });
});

describe('correlate: S3 bucket policy without resources', () => {
  it('attributes a bucket policy change to PutBucketPolicy by bucketName', () => {
    const change = configChange({
      resourceType: 'AWS::S3::Bucket',
      resourceId: 'app-config-111122223333',
      resourceName: 'app-config-111122223333',
      arn: 'arn:aws:s3:::app-config-111122223333',
      captureTime: '2026-03-02T14:05:40Z',
      changedProperties: [{ path: 'SupplementaryConfiguration.BucketPolicy', changeType: 'UPDATE' }],
    });
    const result = attributedOrFail(correlate(change, s3Events, window));
    expect(result.event.eventName).toBe('PutBucketPolicy');
    expect(result.matchedOn).toEqual(['resourceId=app-config-111122223333']);
    expect(result.others.map((e) => e.eventName)).toEqual(['CreateBucket']);
  });
});

describe('correlate: regions and edge cases', () => {
  /** An update of the Lambda function `resize` in `awsRegion`, at `t`. */
  const resizeCall = (eventId: string, awsRegion: string, t: string): IndexedEvent => ({
    ...(sgEvents.find((e) => e.eventId === id('06')) as IndexedEvent),
    eventId,
    awsRegion,
    eventSource: 'lambda.amazonaws.com',
    eventName: 'UpdateFunctionConfiguration20150331v2',
    eventTimeMs: Date.parse(t),
    identifiers: [
      { value: 'resize', resourceType: 'AWS::Lambda::Function', path: 'requestParameters.functionName' },
    ],
    aliases: [],
  });
  /** The function `resize` of eu-west-1, changed. */
  const resizeChange = configChange({
    resourceType: 'AWS::Lambda::Function',
    resourceId: 'resize',
    resourceName: 'resize',
    awsRegion: 'eu-west-1',
    captureTime: '2026-03-02T10:10:00Z',
  });

  it('prefers a call in the resource region over a same-named one elsewhere', () => {
    const result = attributedOrFail(
      correlate(
        resizeChange,
        [
          resizeCall('us', 'us-east-1', '2026-03-02T10:09:50Z'),
          resizeCall('eu', 'eu-west-1', '2026-03-02T10:02:00Z'),
        ],
        window,
      ),
    );
    expect(result.event.eventId).toBe('eu');
    expect(result.others).toEqual([]);
  });

  it('blames a call in another region when it is the only candidate, and says why it is weaker', () => {
    const result = attributedOrFail(
      correlate(resizeChange, [resizeCall('us', 'us-east-1', '2026-03-02T10:09:50Z')], window),
    );
    expect(result.event.eventId).toBe('us');
    expect(result.caveats).toEqual(['call in us-east-1']);
  });

  it('gives a clean match no caveats', () => {
    const result = attributedOrFail(
      correlate(
        sgChange('2026-03-02T10:01:10Z', { changeType: 'CREATE' }),
        [sgEvents[0] as IndexedEvent],
        window,
      ),
    );
    expect(result.caveats).toBeUndefined();
  });

  it('reports an empty index plainly', () => {
    expect(correlate(sgChange('2026-03-02T10:01:10Z'), [], window)).toEqual({
      status: 'unattributed',
      reason: `no write event in the index refers to ${SG} (or ${SG_ARN}, web-sg) between 2026-03-02T09:46:10.000Z and 2026-03-02T10:01:10.000Z (15-minute window)`,
    });
  });

  it('counts an event delivered twice once', () => {
    const create = sgEvents[0] as IndexedEvent;
    const result = attributedOrFail(
      correlate(sgChange('2026-03-02T10:01:10Z', { changeType: 'CREATE' }), [create, create], window),
    );
    expect(result.others).toEqual([]);
  });
});
