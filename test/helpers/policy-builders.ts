import { type CloudBlameConfig, parseConfig } from '../../src/core/config/schema.js';
import type { Attribution, ConfigChange, IndexedEvent, Principal } from '../../src/core/model.js';

/** Values for policy tests, built directly so that each test shows only what it varies. */

export const alice: Principal = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b2c3d4e5f6789/alice@example.com',
  accountId: '123456789012',
  roleArn:
    'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0a1b2c3d4e5f6789',
  roleName: 'AWSReservedSSO_Admin_0a1b2c3d4e5f6789',
  sessionName: 'alice@example.com',
  identityCenter: { permissionSet: 'Admin', user: 'alice@example.com' },
  channel: 'console',
  display: 'alice@example.com via AWSReservedSSO_Admin (console)',
};

export const terraformPipeline: Principal = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::123456789012:assumed-role/terraform-deployer/run-8812',
  accountId: '123456789012',
  roleArn: 'arn:aws:iam::123456789012:role/ci/terraform-deployer',
  roleName: 'terraform-deployer',
  sessionName: 'run-8812',
  channel: 'terraform',
  display: 'run-8812 via role terraform-deployer (Terraform)',
};

export const root: Principal = {
  type: 'Root',
  arn: 'arn:aws:iam::123456789012:root',
  accountId: '123456789012',
  channel: 'console',
  display: 'root (account 123456789012, console)',
};

export const autoScaling: Principal = {
  type: 'AWSService',
  invokedBy: 'autoscaling.amazonaws.com',
  channel: 'aws-service',
  display: 'AWS service autoscaling.amazonaws.com',
};

export const terraformAgent =
  'APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.31.0';

export function aChange(overrides: Partial<ConfigChange> = {}): ConfigChange {
  return {
    resourceType: 'AWS::EC2::SecurityGroup',
    resourceId: 'sg-0a1b2c3d4e5f67890',
    resourceName: 'web-sg',
    accountId: '123456789012',
    awsRegion: 'eu-west-1',
    captureTime: '2025-03-04T09:14:07.512Z',
    captureTimeMs: Date.parse('2025-03-04T09:14:07.512Z'),
    changeType: 'UPDATE',
    changedProperties: [],
    tags: {},
    relatedEvents: [],
    oversized: false,
    envelope: 'eventbridge',
    ref: { source: 'test' },
    ...overrides,
  };
}

export function anEvent(principal: Principal, overrides: Partial<IndexedEvent> = {}): IndexedEvent {
  return {
    eventId: '6b1f3e2a-8c1d-4c8e-9a55-0d1f2e3a4b5c',
    eventName: 'AuthorizeSecurityGroupIngress',
    eventSource: 'ec2.amazonaws.com',
    eventTimeMs: Date.parse('2025-03-04T09:13:58Z'),
    awsRegion: 'eu-west-1',
    accountId: '123456789012',
    principal,
    identifiers: [{ value: 'sg-0a1b2c3d4e5f67890', path: 'requestParameters.groupId' }],
    aliases: [],
    ...overrides,
  };
}

export function attributedTo(principal: Principal, overrides: Partial<IndexedEvent> = {}): Attribution {
  return {
    status: 'attributed',
    event: anEvent(principal, overrides),
    others: [],
    matchedOn: ['resourceId=sg-0a1b2c3d4e5f67890'],
    via: 'index',
  };
}

export function unattributed(
  reason = 'no write event named sg-0a1b2c3d4e5f67890 in the 15 minute window',
): Attribution {
  return { status: 'unattributed', reason };
}

/** A configuration as a file would state it (`version: 1` implied), defaults applied. */
export function configWith(sections: Record<string, unknown> = {}): CloudBlameConfig {
  return parseConfig({ version: 1, ...sections }, 'test configuration');
}
