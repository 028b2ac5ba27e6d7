import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConfigChange, JsonObject } from '../../../src/core/model.js';
import { isConfigDocument, parseConfigDocument } from '../../../src/core/parse/config.js';

function fixture(name: string): JsonObject {
  return JSON.parse(readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), 'utf8'));
}

function only(name: string, source = name): ConfigChange {
  const { changes, errors } = parseConfigDocument(fixture(name), source);
  expect(errors).toEqual([]);
  expect(changes).toHaveLength(1);
  return changes[0]!;
}

/** A bare configuration item, from the notification fixture, with some fields replaced. */
function item(overrides: JsonObject): JsonObject {
  return { ...(fixture('notification.json')['configurationItem'] as JsonObject), ...overrides };
}

describe('parseConfigDocument: EventBridge', () => {
  it('reads a "Config Configuration Item Change" event', () => {
    expect(only('eventbridge-change.json', 'eb.json')).toMatchObject({
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-0f1e2d3c4b5a69788',
      resourceName: 'payments-api-sg',
      arn: 'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0f1e2d3c4b5a69788',
      accountId: '111122223333',
      awsRegion: 'eu-west-1',
      captureTime: '2025-03-11T08:15:19.974Z',
      captureTimeMs: Date.parse('2025-03-11T08:15:19.974Z'),
      configurationStateId: '1741680919974',
      status: 'OK',
      changeType: 'UPDATE',
      tags: { team: 'payments', 'managed-by': 'terraform' },
      relatedEvents: ['3a5c7e9f-2b4d-4f6a-8c0e-1d3f5a7b9c2e'],
      oversized: false,
      envelope: 'eventbridge',
      ref: { source: 'eb.json' },
    });
  });

  it('reads the changed properties of the diff', () => {
    expect(only('eventbridge-change.json').changedProperties).toEqual([
      {
        path: 'Configuration.IpPermissions.0',
        changeType: 'CREATE',
        previousValue: null,
        updatedValue: expect.objectContaining({ fromPort: 443, ipRanges: ['0.0.0.0/0'] }),
      },
    ]);
  });

  it('keeps the configuration item as delivered', () => {
    const event = fixture('eventbridge-change.json');
    const change = parseConfigDocument(event, 'eb.json').changes[0];
    expect(change?.item).toEqual((event['detail'] as JsonObject)['configurationItem']);
  });

  it('reads an oversized notification event as a summary with its S3 location', () => {
    const change = only('eventbridge-oversized.json');
    expect(change).toMatchObject({
      resourceType: 'AWS::IAM::Policy',
      resourceId: 'ANPA4QWZVXEXAMPLE4HC8',
      awsRegion: 'global',
      changeType: 'UPDATE',
      changedProperties: [],
      oversized: true,
      envelope: 'eventbridge',
    });
    expect(change.s3DeliveryUri).toMatch(/^s3:\/\/acme-config-111122223333\/AWSLogs\/.*\.json\.gz$/);
    expect(change.item).toBeUndefined();
  });

  it('counts a compliance change event as skipped', () => {
    const event = {
      version: '0',
      'detail-type': 'Config Rules Compliance Change',
      source: 'aws.config',
      detail: { messageType: 'ComplianceChangeNotification', configRuleName: 'restricted-ssh' },
    };
    expect(parseConfigDocument(event, 'eb.json')).toEqual({
      changes: [],
      skipped: { ComplianceChangeNotification: 1 },
      errors: [],
    });
  });

  it('names the field inside detail when the item is broken', () => {
    const event = fixture('eventbridge-change.json');
    const detail = event['detail'] as JsonObject;
    const { resourceId: _id, ...broken } = detail['configurationItem'] as JsonObject;
    const { errors } = parseConfigDocument(
      { ...event, detail: { ...detail, configurationItem: broken } },
      'eb.json',
    );
    expect(errors.map((e) => e.message)).toEqual([
      'eb.json, field detail.configurationItem.resourceId: missing',
    ]);
  });
});

describe('parseConfigDocument: SNS', () => {
  it('reads the notification in the Message string of an SNS notification', () => {
    expect(only('sns-notification.json', 'sns.json')).toMatchObject({
      resourceType: 'AWS::IAM::Role',
      resourceId: 'AROA5EXAMPLEH4JK6LMN',
      resourceName: 'orders-worker',
      awsRegion: 'global',
      changeType: 'CREATE',
      envelope: 'sns',
      ref: { source: 'sns.json (SNS message 5d3c2b1a-0f9e-5d8c-b7a6-f5e4d3c2b1a0)' },
    });
  });

  it('takes the tags from the configuration when the tags map is empty', () => {
    expect(only('sns-notification.json').tags).toEqual({ team: 'orders' });
  });

  it('names the SNS message when its item is broken', () => {
    const sns = fixture('sns-notification.json');
    const message = JSON.parse(sns['Message'] as string) as JsonObject;
    const { resourceType: _type, ...broken } = message['configurationItem'] as JsonObject;
    const { errors } = parseConfigDocument(
      { ...sns, Message: JSON.stringify({ ...message, configurationItem: broken }) },
      'sns.json',
    );
    expect(errors.map((e) => e.message)).toEqual([
      'sns.json (SNS message 5d3c2b1a-0f9e-5d8c-b7a6-f5e4d3c2b1a0), field configurationItem.resourceType: missing',
    ]);
  });

  it('reports a Message that is not JSON', () => {
    const { errors } = parseConfigDocument(
      { ...fixture('sns-notification.json'), Message: '{"messageType":' },
      's',
    );
    expect(errors.map((e) => e.location)).toEqual([
      { source: 's (SNS message 5d3c2b1a-0f9e-5d8c-b7a6-f5e4d3c2b1a0)', field: 'Message' },
    ]);
  });

  it('counts a compliance notification as skipped', () => {
    expect(parseConfigDocument(fixture('sns-compliance.json'), 'sns.json')).toEqual({
      changes: [],
      skipped: { ComplianceChangeNotification: 1 },
      errors: [],
    });
  });
});

describe('parseConfigDocument: notifications', () => {
  it('reads a bare change notification', () => {
    expect(only('notification.json')).toMatchObject({
      resourceType: 'AWS::S3::Bucket',
      resourceId: 'acme-tmp-exports',
      status: 'ResourceDeleted',
      changeType: 'DELETE',
      envelope: 'notification',
    });
  });

  it('reads every changed property of the diff', () => {
    expect(only('notification.json').changedProperties.map((p) => [p.path, p.changeType])).toEqual([
      ['Configuration.BucketName', 'DELETE'],
      ['SupplementaryConfiguration.PublicAccessBlockConfiguration', 'DELETE'],
    ]);
  });

  it('infers the change type of a property that lacks one', () => {
    const doc = fixture('notification.json');
    const diff = {
      changeType: 'UPDATE',
      changedProperties: {
        'Configuration.A': { previousValue: null, updatedValue: 1 },
        'Configuration.B': { previousValue: 1, updatedValue: null },
        'Configuration.C': { previousValue: 1, updatedValue: 2 },
      },
    };
    const [change] = parseConfigDocument({ ...doc, configurationItemDiff: diff }, 'n.json').changes;
    expect(change?.changedProperties.map((p) => p.changeType)).toEqual(['CREATE', 'DELETE', 'UPDATE']);
  });

  it('reads a bare oversized notification', () => {
    const change = only('oversized-notification.json');
    expect(change).toMatchObject({
      resourceType: 'AWS::EC2::Instance',
      resourceId: 'i-0c1d2e3f4a5b6c7d8',
      configurationStateId: '0',
      changeType: 'UPDATE',
      changedProperties: [],
      oversized: true,
      envelope: 'oversized-notification',
    });
    expect(change.resourceName).toBeUndefined();
  });

  it('counts other Config message types by type', () => {
    const delivery = {
      configSnapshotId: '4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d7e',
      s3ObjectKey: 'AWSLogs/111122223333/Config/eu-west-1/2025/3/10/ConfigSnapshot/snapshot.json.gz',
      s3Bucket: 'acme-config-111122223333',
      notificationCreationTime: '2025-03-10T00:15:01.331Z',
      messageType: 'ConfigurationSnapshotDeliveryCompleted',
      recordVersion: '1.1',
    };
    expect(parseConfigDocument([delivery, delivery], 'n.json').skipped).toEqual({
      ConfigurationSnapshotDeliveryCompleted: 2,
    });
  });

  it('counts a config rule invocation as skipped', () => {
    expect(parseConfigDocument(fixture('rule-invocation.json'), 'r.json').skipped).toEqual({
      ConfigRuleInvocation: 1,
    });
  });

  it('does not use a message type from the input as a key when it is not a plain name', () => {
    const odd = { messageType: '__proto__', notificationCreationTime: '2025-03-10T00:15:01.331Z' };
    const { skipped } = parseConfigDocument(odd, 'n.json');
    expect(Object.keys(skipped)).toEqual(['unknown messageType']);
  });
});

describe('parseConfigDocument: files and API output', () => {
  it('reads a history file, reporting its broken item without failing the others', () => {
    const { changes, errors } = parseConfigDocument(fixture('history-file.json'), 'history.json');
    expect(changes.map((c) => [c.resourceId, c.envelope, c.ref.record])).toEqual([
      ['subnet-0d1e2f3a4b5c6d7e8', 'history-file', 0],
      ['db-7QK3M2XN5YV4J6P8R1T0W9ZLCE', 'history-file', 2],
    ]);
    expect(errors.map((e) => e.message)).toEqual(['history.json, record 1, field resourceId: missing']);
  });

  it('takes tags from a supplementary configuration list when the item has no tags map', () => {
    const { changes } = parseConfigDocument(fixture('history-file.json'), 'history.json');
    expect(changes[1]?.tags).toEqual({ team: 'orders' });
  });

  it('reads a snapshot file', () => {
    expect(only('snapshot-file.json')).toMatchObject({
      resourceType: 'AWS::IAM::User',
      awsRegion: 'global',
      changeType: 'UPDATE',
      envelope: 'snapshot-file',
    });
  });

  it('reads GetResourceConfigHistory output with epoch-second capture times', () => {
    const { changes } = parseConfigDocument(fixture('get-resource-config-history.json'), 'api.json');
    expect(changes.map((c) => [c.captureTime, c.accountId, c.envelope])).toEqual([
      ['2025-03-11T08:15:19.974Z', '111122223333', 'api-history'],
      ['2025-03-11T07:00:13.009Z', '111122223333', 'api-history'],
    ]);
  });

  it('decodes the JSON-string configuration of API output in item', () => {
    const { changes } = parseConfigDocument(fixture('get-resource-config-history.json'), 'api.json');
    expect(changes[0]?.item?.['configuration']).toMatchObject({ groupId: 'sg-0f1e2d3c4b5a69788' });
    expect(changes[1]?.item?.['supplementaryConfiguration']).toMatchObject({
      PublicAccessBlockConfiguration: { blockPublicAcls: true },
    });
  });

  it('derives the change type from the status when there is no diff', () => {
    const { changes } = parseConfigDocument(fixture('get-resource-config-history.json'), 'api.json');
    expect(changes.map((c) => [c.status, c.changeType])).toEqual([
      ['OK', 'UPDATE'],
      ['ResourceDiscovered', 'CREATE'],
    ]);
  });

  it('reads BatchGetResourceConfig output', () => {
    const items = fixture('get-resource-config-history.json')['configurationItems'];
    const { changes } = parseConfigDocument(
      { baseConfigurationItems: items, unprocessedResourceKeys: [] },
      'b',
    );
    expect(changes).toHaveLength(2);
  });

  it('counts SelectResourceConfig results as skipped', () => {
    const select = { Results: ['{"resourceId":"a"}', '{"resourceId":"b"}'], QueryInfo: { SelectFields: [] } };
    expect(parseConfigDocument(select, 's.json').skipped).toEqual({ SelectResourceConfig: 2 });
  });
});

describe('parseConfigDocument: bare items', () => {
  it('reads a bare configuration item, normalising its capture time to UTC', () => {
    expect(only('bare-item.json')).toMatchObject({
      resourceType: 'AWS::Lambda::Function',
      resourceId: 'orders-webhook',
      captureTime: '2024-11-05T10:20:31.842Z',
      envelope: 'bare-ci',
    });
  });

  it('takes tags from a supplementary configuration map', () => {
    expect(only('bare-item.json').tags).toEqual({ team: 'orders', 'cost-center': '4410' });
  });

  it('reads a JSON array of items, numbering them by position', () => {
    const { changes } = parseConfigDocument([item({}), item({ resourceId: 'acme-logs' })], 'a.json');
    expect(changes.map((c) => [c.resourceId, c.ref])).toEqual([
      ['acme-tmp-exports', { source: 'a.json', record: 0 }],
      ['acme-logs', { source: 'a.json', record: 1 }],
    ]);
  });

  it('takes the account and region from the ARN when the item lacks them', () => {
    const arn = 'arn:aws:sqs:eu-west-1:111122223333:orders';
    const [change] = parseConfigDocument(
      item({ awsAccountId: undefined, awsRegion: undefined, ARN: arn }),
      'a',
    ).changes;
    expect([change?.accountId, change?.awsRegion]).toEqual(['111122223333', 'eu-west-1']);
  });

  it('rejects an item that names no account', () => {
    const { errors } = parseConfigDocument(item({ awsAccountId: undefined }), 'a.json');
    expect(errors.map((e) => e.location)).toEqual([{ source: 'a.json', field: 'awsAccountId' }]);
  });

  it('rejects a capture time that is not a time', () => {
    const { errors } = parseConfigDocument(
      item({ configurationItemCaptureTime: 'datetime.datetime(2020, 4)' }),
      'a',
    );
    expect(errors[0]?.location.field).toBe('configurationItemCaptureTime');
  });

  it('keeps only string related event ids', () => {
    const [change] = parseConfigDocument(
      item({ relatedEvents: ['e-1', { id: 'e-2' }, 3] }),
      'a.json',
    ).changes;
    expect(change?.relatedEvents).toEqual(['e-1']);
  });

  it('keeps a tag named __proto__ as a plain key', () => {
    const [change] = parseConfigDocument(
      item({ tags: JSON.parse('{"__proto__":"x","team":"a"}') }),
      'a',
    ).changes;
    expect(Object.keys(change?.tags ?? {})).toEqual(['__proto__', 'team']);
    expect(Object.getPrototypeOf(change?.tags)).toBe(Object.prototype);
  });

  it('reports a document that is not Config as one error', () => {
    const { errors } = parseConfigDocument({ hello: 'world' }, 'x.json');
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^x\.json: not an AWS Config document/),
    ]);
  });
});

describe('isConfigDocument', () => {
  it.each([
    'eventbridge-change.json',
    'eventbridge-oversized.json',
    'notification.json',
    'oversized-notification.json',
    'history-file.json',
    'snapshot-file.json',
    'get-resource-config-history.json',
    'bare-item.json',
    'rule-invocation.json',
  ])('recognises %s', (name) => {
    expect(isConfigDocument(fixture(name))).toBe(true);
  });

  it('does not take a CloudTrail record for a Config item', () => {
    expect(
      isConfigDocument({ eventName: 'CreateBucket', eventSource: 's3.amazonaws.com', resources: [] }),
    ).toBe(false);
  });
});
