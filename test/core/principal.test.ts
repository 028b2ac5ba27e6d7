import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/core/model.js';
import { identityFacts, identityKeyOf } from '../../src/core/principal/identity.js';
import { classifyChannel, principalOf } from '../../src/core/principal.js';
import { datasetRecords, datasetsDir } from '../helpers/dataset-records.js';

const ssoSession: JsonObject = {
  type: 'AssumedRole',
  principalId: 'AROA4EXAMPLEEXAMPLE01:alice@example.com',
  arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b2c3d4e5f6789/alice@example.com',
  accountId: '123456789012',
  accessKeyId: 'ASIA4EXAMPLEEXAMPLE1',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROA4EXAMPLEEXAMPLE01',
      arn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0a1b2c3d4e5f6789',
      accountId: '123456789012',
      userName: 'AWSReservedSSO_Admin_0a1b2c3d4e5f6789',
    },
    attributes: { creationDate: '2025-03-04T08:59:12Z', mfaAuthenticated: 'false' },
  },
};

const terraformRole: JsonObject = {
  type: 'AssumedRole',
  principalId: 'AROA4EXAMPLEEXAMPLE02:terraform-run-8812',
  arn: 'arn:aws:sts::123456789012:assumed-role/terraform-deployer/terraform-run-8812',
  accountId: '123456789012',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROA4EXAMPLEEXAMPLE02',
      arn: 'arn:aws:iam::123456789012:role/ci/terraform-deployer',
      accountId: '123456789012',
      userName: 'terraform-deployer',
    },
  },
};

const iamUser: JsonObject = {
  type: 'IAMUser',
  principalId: 'AIDA4EXAMPLEEXAMPLE03',
  arn: 'arn:aws:iam::123456789012:user/ops/bob',
  accountId: '123456789012',
  accessKeyId: 'AKIA4EXAMPLEEXAMPLE3',
  userName: 'bob',
};

const terraformAgent =
  'APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.49.6 (go1.20.12; linux; amd64)';

describe('principalOf: identities', () => {
  it('reads an IAM Identity Center session as user via permission set', () => {
    const principal = principalOf({
      userIdentity: ssoSession,
      sessionCredentialFromConsole: 'true',
    });
    expect(principal).toMatchObject({
      type: 'AssumedRole',
      roleName: 'AWSReservedSSO_Admin_0a1b2c3d4e5f6789',
      roleArn:
        'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0a1b2c3d4e5f6789',
      sessionName: 'alice@example.com',
      identityCenter: { permissionSet: 'Admin', user: 'alice@example.com' },
      channel: 'console',
      display: 'alice@example.com via AWSReservedSSO_Admin (console)',
    });
  });

  it('keeps underscores inside a permission set name', () => {
    const userIdentity = {
      ...ssoSession,
      arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Read_Only_00112233aabbccdd/carol',
      sessionContext: {},
    };
    expect(principalOf({ userIdentity }).identityCenter).toEqual({
      permissionSet: 'Read_Only',
      user: 'carol',
    });
  });

  it('reads an assumed role: role name from sessionIssuer, session from the ARN', () => {
    const principal = principalOf({ userIdentity: terraformRole, userAgent: terraformAgent });
    expect(principal).toMatchObject({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/terraform-deployer/terraform-run-8812',
      roleArn: 'arn:aws:iam::123456789012:role/ci/terraform-deployer',
      roleName: 'terraform-deployer',
      sessionName: 'terraform-run-8812',
      channel: 'terraform',
      display: 'terraform-run-8812 via role terraform-deployer (Terraform)',
    });
    expect(principal.identityCenter).toBeUndefined();
  });

  it('reads an assumed role from its ARN alone when sessionContext is missing', () => {
    const userIdentity = {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/gh-run-42',
    };
    expect(principalOf({ userIdentity })).toMatchObject({
      roleName: 'Deploy',
      sessionName: 'gh-run-42',
      accountId: '123456789012',
      display: 'gh-run-42 via role Deploy',
    });
  });

  it('reads an IAM user', () => {
    const principal = principalOf({
      userIdentity: iamUser,
      userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0',
    });
    expect(principal).toMatchObject({ type: 'IAMUser', userName: 'bob', channel: 'cli' });
    expect(principal.display).toBe('IAM user bob (AWS CLI)');
  });

  it('reads the root user with its account', () => {
    const userIdentity = {
      type: 'Root',
      principalId: '123456789012',
      arn: 'arn:aws:iam::123456789012:root',
      accountId: '123456789012',
    };
    expect(principalOf({ userIdentity }).display).toBe('root (account 123456789012)');
    expect(principalOf({ userIdentity, sessionCredentialFromConsole: true }).display).toBe(
      'root (account 123456789012, console)',
    );
  });

  it('reads a federated user and the IAM user who federated it', () => {
    const userIdentity = {
      type: 'FederatedUser',
      principalId: '123456789012:bob',
      arn: 'arn:aws:sts::123456789012:federated-user/bob',
      accountId: '123456789012',
      sessionContext: {
        sessionIssuer: {
          type: 'IAMUser',
          arn: 'arn:aws:iam::123456789012:user/broker',
          userName: 'broker',
        },
      },
    };
    expect(principalOf({ userIdentity })).toMatchObject({
      type: 'FederatedUser',
      userName: 'bob',
      display: 'federated user bob via IAM user broker',
    });
  });

  it('reads an AWS service and names it', () => {
    const userIdentity = { type: 'AWSService', invokedBy: 'autoscaling.amazonaws.com' };
    const principal = principalOf({ userIdentity, userAgent: 'autoscaling.amazonaws.com' });
    expect(principal).toMatchObject({ type: 'AWSService', invokedBy: 'autoscaling.amazonaws.com' });
    expect(principal.channel).toBe('aws-service');
    expect(principal.display).toBe('AWS service autoscaling.amazonaws.com');
  });

  it('treats a type-less identity with only a service invokedBy as an AWS service', () => {
    const principal = principalOf({
      userIdentity: { accountId: '123456789012', invokedBy: 'ec2.amazonaws.com' },
    });
    expect(principal.type).toBe('AWSService');
    expect(principal.display).toBe('AWS service ec2.amazonaws.com');
  });

  it('reads a service-linked role session acting for a service', () => {
    const userIdentity = {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling',
      invokedBy: 'autoscaling.amazonaws.com',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: 'arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
          userName: 'AWSServiceRoleForAutoScaling',
        },
      },
    };
    const principal = principalOf({ userIdentity, userAgent: 'autoscaling.amazonaws.com' });
    expect(principal.channel).toBe('aws-service');
    expect(principal.display).toBe(
      'AutoScaling via role AWSServiceRoleForAutoScaling (invoked by autoscaling.amazonaws.com)',
    );
  });

  it('reads a cross-account AWSAccount caller', () => {
    const userIdentity = {
      type: 'AWSAccount',
      principalId: 'AIDA4EXAMPLEEXAMPLE05',
      accountId: '111122223333',
    };
    expect(principalOf({ userIdentity })).toMatchObject({
      type: 'AWSAccount',
      accountId: '111122223333',
      display: 'account 111122223333',
    });
  });

  it('reads a SAML user with the provider name', () => {
    const userIdentity = {
      type: 'SAMLUser',
      principalId: 'Jx8PnJ2RPUeD1kGDRy0sb5rOxZg=:alice@example.com',
      userName: 'alice@example.com',
      identityProvider: 'arn:aws:iam::123456789012:saml-provider/Okta',
    };
    expect(principalOf({ userIdentity }).display).toBe('SAML user alice@example.com via Okta');
  });

  it('reads a web identity user', () => {
    const userIdentity = {
      type: 'WebIdentityUser',
      principalId:
        'token.actions.githubusercontent.com:sts.amazonaws.com:repo:acme/infra:ref:refs/heads/main',
      userName: 'repo:acme/infra:ref:refs/heads/main',
      identityProvider: 'token.actions.githubusercontent.com',
    };
    expect(principalOf({ userIdentity }).display).toBe(
      'web identity user repo:acme/infra:ref:refs/heads/main via token.actions.githubusercontent.com',
    );
  });

  it('reads an IdentityCenterUser with onBehalfOf', () => {
    const userIdentity = {
      type: 'IdentityCenterUser',
      accountId: '123456789012',
      onBehalfOf: {
        userId: '94482488-3041-7026-18f3-be45837cd0e4',
        identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7',
      },
      credentialId: 'EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE',
    };
    const principal = principalOf({ userIdentity, sessionCredentialFromConsole: true });
    expect(principal).toMatchObject({
      type: 'IdentityCenterUser',
      onBehalfOf: {
        userId: '94482488-3041-7026-18f3-be45837cd0e4',
        identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7',
      },
      identityCenter: { user: '94482488-3041-7026-18f3-be45837cd0e4' },
    });
    expect(principal.display).toBe('Identity Center user 94482488-3041-7026-18f3-be45837cd0e4 (console)');
  });

  it('shows sourceIdentity in the display', () => {
    const userIdentity = {
      ...terraformRole,
      sessionContext: { ...(terraformRole['sessionContext'] as JsonObject), sourceIdentity: 'alice' },
    };
    const principal = principalOf({ userIdentity, userAgent: terraformAgent });
    expect(principal.sourceIdentity).toBe('alice');
    expect(principal.display).toBe(
      'terraform-run-8812 via role terraform-deployer (Terraform, source identity alice)',
    );
  });

  it('gives an unmodelled type as Unknown with the best display available', () => {
    const userIdentity = { type: 'Directory', userName: 'corp\\dave' };
    expect(principalOf({ userIdentity })).toMatchObject({
      type: 'Unknown',
      display: 'Directory identity corp\\dave',
    });
  });

  it('never throws on odd input and never returns an empty display', () => {
    const odd: unknown[] = [
      null,
      'IAMUser',
      [],
      {},
      { type: 42 },
      { type: '', arn: '' },
      { type: 'AssumedRole' },
      { type: 'AssumedRole', arn: 'not-an-arn', sessionContext: 'x' },
      { type: 'FederatedUser', sessionContext: { sessionIssuer: [] } },
      { type: 'IdentityCenterUser', onBehalfOf: 7 },
      { type: 'IAMUser', userName: '\n\t' },
    ];
    for (const userIdentity of odd) {
      const principal = principalOf({ userIdentity: userIdentity as JsonObject, userAgent: 5 as never });
      expect(principal.display.trim()).not.toBe('');
    }
    expect(principalOf({ userIdentity: null as never }).type).toBe('Unknown');
  });

  it('keeps a display on one line and bounded', () => {
    const userIdentity = { type: 'IAMUser', userName: `mallory\n${'x'.repeat(500)}` };
    const { display } = principalOf({ userIdentity });
    expect(display).not.toContain('\n');
    expect(display.length).toBeLessThan(150);
  });
});

describe('classifyChannel', () => {
  it('reads console from sessionCredentialFromConsole, a string in real records', () => {
    expect(classifyChannel({ sessionCredentialFromConsole: 'true' })).toBe('console');
    expect(classifyChannel({ sessionCredentialFromConsole: true })).toBe('console');
    expect(classifyChannel({ sessionCredentialFromConsole: 'false' })).toBe('unknown');
  });

  it.each([
    '[Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15]',
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0',
    'AWS Internal',
    'console.amazonaws.com',
    'console.ec2.amazonaws.com',
    'signin.amazonaws.com',
    '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.184-153.731.amzn2int.x86_64]',
    'RDS Console, aws-internal/3 aws-sdk-java/1.11.975 Linux/5.10.184',
  ])('reads console from the user agent %s', (userAgent) => {
    expect(classifyChannel({ userAgent })).toBe('console');
  });

  it('reads the AWS CLI, including v1 which embeds botocore', () => {
    expect(
      classifyChannel({ userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22' }),
    ).toBe('cli');
    expect(
      classifyChannel({ userAgent: '[aws-cli/1.18.136 Python/3.8.5 Darwin/19.5.0 botocore/1.17.59]' }),
    ).toBe('cli');
  });

  it.each([
    'Boto3/1.26.165 Python/3.10.6 Linux/5.19.0-46-generic Botocore/1.29.165',
    'aws-sdk-go-v2/1.32.3 os/linux lang/go#1.23.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.26.2',
    'aws-sdk-java/2.20.162 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.8',
    'aws-sdk-js/3.450.0 ua/2.0 os/linux#5.10 lang/js md/nodejs#20.9.0',
  ])('reads an SDK from %s', (userAgent) => {
    expect(classifyChannel({ userAgent })).toBe('sdk');
  });

  it('reads Terraform before the SDK it embeds', () => {
    expect(classifyChannel({ userAgent: terraformAgent })).toBe('terraform');
    expect(classifyChannel({ userAgent: 'aws-sdk-go/1.44 terraform-provider-aws/4.67.0' })).toBe('terraform');
  });

  it('reads CloudFormation from the user agent, invokedBy or source address', () => {
    expect(classifyChannel({ userAgent: 'cloudformation.amazonaws.com' })).toBe('cloudformation');
    expect(classifyChannel({ invokedBy: 'cloudformation.amazonaws.com' })).toBe('cloudformation');
    expect(classifyChannel({ sourceIPAddress: 'cloudformation.amazonaws.com', userAgent: 'x' })).toBe(
      'cloudformation',
    );
  });

  it('reads a service acting for a principal from invokedBy, over the user agent', () => {
    expect(classifyChannel({ invokedBy: 'autoscaling.amazonaws.com', userAgent: 'Mozilla/5.0' })).toBe(
      'aws-service',
    );
    expect(classifyChannel({ userAgent: 'autoscaling.amazonaws.com' })).toBe('aws-service');
  });

  it('reads "AWS Internal" in invokedBy as the console', () => {
    expect(classifyChannel({ invokedBy: 'AWS Internal', userAgent: 'AWS Internal' })).toBe('console');
  });

  it('reads a service-linked role as an AWS service', () => {
    const roleArn = 'arn:aws:iam::123456789012:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS';
    expect(classifyChannel({ roleArn, userAgent: 'aws-sdk-java/1.12' })).toBe('aws-service');
  });

  it('gives unknown for an agent it cannot place', () => {
    expect(classifyChannel({ userAgent: 'stratus-red-team_5c59eb79-6dac-405c-a4c4-e19aec03c666' })).toBe(
      'unknown',
    );
    expect(classifyChannel({})).toBe('unknown');
  });
});

const datasets = ['stratus-red-team', 'invictus-ir-aws-dataset', 'otrf-security-datasets'].map((name) =>
  join(datasetsDir, name),
);

describe.skipIf(!datasets.every((dir) => existsSync(dir)))(
  'principalOf over the public data sets (absent in a fresh clone: see ../shared/datasets/PROVENANCE.md)',
  () => {
    it('reads every record without throwing or an empty display', () => {
      const counts = new Map<string, number>();
      let total = 0;
      for (const dir of datasets) {
        for (const { file, record } of datasetRecords(dir)) {
          const event = (typeof record === 'object' && record !== null ? record : {}) as JsonObject;
          const principal = principalOf({
            userIdentity: event['userIdentity'] as JsonObject,
            userAgent: event['userAgent'] as string | undefined,
            sessionCredentialFromConsole: event['sessionCredentialFromConsole'] as string | undefined,
            sourceIPAddress: event['sourceIPAddress'] as string | undefined,
            eventSource: event['eventSource'] as string | undefined,
          });
          expect(principal.display.trim(), `${file}: ${JSON.stringify(event['userIdentity'])}`).not.toBe('');
          const key = `${principal.type} / ${principal.channel}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          total++;
        }
      }
      console.log(
        `principalOf over ${total} records:\n${[...counts]
          .sort((a, b) => b[1] - a[1])
          .map(([key, count]) => `  ${String(count).padStart(5)}  ${key}`)
          .join('\n')}`,
      );
      expect(total).toBeGreaterThan(3000);
    });
  },
);

describe('identityKeyOf', () => {
  const samples: unknown[] = [
    ssoSession,
    terraformRole,
    null,
    [],
    {},
    { type: 42 },
    { type: 'IAMUser', userName: 'bob', arn: 'arn:aws:iam::123456789012:user/bob', accountId: 123456789012 },
    { type: 'IAMUser', userName: ' bob ' },
    { type: 'AssumedRole', arn: 'not-an-arn', sessionContext: 'x' },
    { type: 'FederatedUser', principalId: '123456789012:carol', sessionContext: { sessionIssuer: [] } },
    {
      type: 'IdentityCenterUser',
      onBehalfOf: { userId: 'u-1', identityStoreArn: 'arn:aws:identitystore::1:identitystore/d-1' },
    },
    { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' },
    {
      type: 'SAMLUser',
      principalId: 'x',
      userName: 'dave',
      identityProvider: 'okta',
      sourceIdentity: 'dave',
    },
  ];

  it('gives the same facts to identities with the same key', () => {
    const keys = samples.map((identity) => identityKeyOf(identity));
    for (let a = 0; a < samples.length; a++) {
      for (let b = 0; b < samples.length; b++) {
        if (keys[a] === keys[b]) expect(identityFacts(samples[b])).toEqual(identityFacts(samples[a]));
      }
    }
  });

  it('leaves out the per-session noise and nothing else', () => {
    const noisy = {
      ...ssoSession,
      accessKeyId: 'ASIAOTHEROTHEROTHER1',
      sessionContext: {
        ...(ssoSession['sessionContext'] as JsonObject),
        attributes: { creationDate: '2026-01-01T00:00:00Z', mfaAuthenticated: 'true' },
      },
    };
    expect(identityKeyOf(noisy)).toBe(identityKeyOf(ssoSession));
    const reads: [string, (identity: JsonObject, value: unknown) => void][] = [
      ...[
        'type',
        'arn',
        'invokedBy',
        'principalId',
        'accountId',
        'userName',
        'sourceIdentity',
        'identityProvider',
      ].map((field): [string, (identity: JsonObject, value: unknown) => void] => [
        field,
        (identity, value) => {
          identity[field] = value;
        },
      ]),
      [
        'sessionContext.sourceIdentity',
        (i, v) => ((i['sessionContext'] as JsonObject)['sourceIdentity'] = v as never),
      ],
      ['sessionIssuer.arn', (i, v) => (issuerOf(i)['arn'] = v as never)],
      ['sessionIssuer.userName', (i, v) => (issuerOf(i)['userName'] = v as never)],
      ['onBehalfOf.userId', (i, v) => (i['onBehalfOf'] = { userId: v as never })],
      ['onBehalfOf.identityStoreArn', (i, v) => (i['onBehalfOf'] = { identityStoreArn: v as never })],
    ];
    for (const [field, set] of reads) {
      const changed = structuredClone(ssoSession);
      set(changed, 'something else');
      expect(identityKeyOf(changed), field).not.toBe(identityKeyOf(ssoSession));
    }
  });

  it('cannot be fooled by a value that contains what separates two', () => {
    expect(identityKeyOf({ userName: '3:abc', principalId: 'x' })).not.toBe(
      identityKeyOf({ userName: '', principalId: '3:abc3:abc' }),
    );
    expect(identityKeyOf({ userName: 7 })).not.toBe(identityKeyOf({ userName: '#7;' }));
  });
});

function issuerOf(identity: JsonObject): JsonObject {
  return (identity['sessionContext'] as JsonObject)['sessionIssuer'] as JsonObject;
}
