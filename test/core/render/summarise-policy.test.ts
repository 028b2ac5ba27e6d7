import { describe, expect, it } from 'vitest';
import type { ChangedProperty } from '../../../src/core/model.js';
import { orderProperties, summariseProperty } from '../../../src/core/render/summarise.js';
import { summarisePolicyProperty } from '../../../src/core/render/summarise-policy.js';

/** As AWS Config holds an IAM policy document: URL-encoded JSON. */
const encoded = (statements: unknown[]): string =>
  encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: statements }));

const inline = (name: string, statements: unknown[]) => ({
  policyName: name,
  policyDocument: encoded(statements),
});

const read = {
  Sid: 'ReadArtifacts',
  Effect: 'Allow',
  Action: ['s3:GetObject'],
  Resource: 'arn:aws:s3:::artifacts/*',
};

const update = (path: string, previousValue: unknown, updatedValue: unknown): ChangedProperty => ({
  path,
  changeType: 'UPDATE',
  previousValue,
  updatedValue,
});

describe('summarisePolicyProperty', () => {
  it('tells what a statement matched by Sid gains, from URL-encoded inline policies', () => {
    const wider = {
      ...read,
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::artifacts', 'arn:aws:s3:::artifacts/*'],
    };
    expect(
      summarisePolicyProperty(
        update(
          'Configuration.RolePolicyList.0',
          inline('artifacts-read', [read]),
          inline('artifacts-read', [wider]),
        ),
      ),
    ).toBe(
      'inline policy artifacts-read: statement ReadArtifacts gains action s3:ListBucket, resource arn:aws:s3:::artifacts',
    );
  });

  it('tells what a statement loses', () => {
    const narrower = { ...read, Action: [] };
    expect(
      summarisePolicyProperty(
        update('Configuration.UserPolicyList.1', inline('p', [read]), inline('p', [narrower])),
      ),
    ).toBe('inline policy p: statement ReadArtifacts loses action s3:GetObject');
  });

  it('lists a statement added beside the ones kept', () => {
    const admin = { Effect: 'Allow', Action: '*', Resource: '*' };
    expect(
      summarisePolicyProperty(
        update('Configuration.RolePolicyList.0', inline('p', [read]), inline('p', [read, admin])),
      ),
    ).toBe('inline policy p: adds Allow * on *');
  });

  it('lists a statement dropped', () => {
    const deny = { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' };
    expect(
      summarisePolicyProperty(
        update('Configuration.RolePolicyList.0', inline('p', [read, deny]), inline('p', [read])),
      ),
    ).toBe('inline policy p: drops Deny s3:DeleteObject on *');
  });

  it('pairs a statement edited in place without a Sid by its position', () => {
    const before = {
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: 'arn:aws:sqs:eu-west-1:111122223333:q',
    };
    const after = { ...before, Action: ['sqs:SendMessage', 'sqs:DeleteMessage'] };
    expect(
      summarisePolicyProperty(
        update(
          'Configuration.Policy',
          JSON.stringify({ Statement: [before] }),
          JSON.stringify({ Statement: [after] }),
        ),
      ),
    ).toBe('Policy: statement 1 gains action sqs:DeleteMessage');
  });

  it('tells a changed effect and condition', () => {
    const after = { ...read, Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    expect(
      summarisePolicyProperty(
        update('Configuration.RolePolicyList.0', inline('p', [read]), inline('p', [after])),
      ),
    ).toBe(
      'inline policy p: statement ReadArtifacts effect Allow → Deny, condition (none) → {"Bool":{"aws:SecureTransport":"false"}}',
    );
  });

  it('names principals in a trust policy, `*` as anyone', () => {
    const trust = (principal: unknown) =>
      encodeURIComponent(
        JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] }),
      );
    expect(
      summarisePolicyProperty(
        update(
          'Configuration.AssumeRolePolicyDocument',
          trust({ Service: 'ec2.amazonaws.com' }),
          trust({ Service: 'ec2.amazonaws.com', AWS: '*' }),
        ),
      ),
    ).toBe('trust policy: statement 1 gains principal anyone');
  });

  it('gives a new bucket policy whole, from its JSON text', () => {
    const statement = {
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::site/*',
    };
    expect(
      summarisePolicyProperty({
        path: 'SupplementaryConfiguration.BucketPolicy',
        changeType: 'CREATE',
        updatedValue: { policyText: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) },
      }),
    ).toBe('bucket policy added: Allow s3:GetObject on arn:aws:s3:::site/* for anyone');
  });

  it('gives a removed policy whole, a bucket policy gone to null included', () => {
    expect(
      summarisePolicyProperty({
        path: 'Configuration.RolePolicyList.2',
        changeType: 'DELETE',
        previousValue: inline('old', [read]),
      }),
    ).toBe('inline policy old removed: Allow s3:GetObject on arn:aws:s3:::artifacts/*');
    expect(
      summarisePolicyProperty(
        update(
          'SupplementaryConfiguration.BucketPolicy',
          { policyText: JSON.stringify({ Statement: read }) },
          { policyText: null },
        ),
      ),
    ).toBe('bucket policy removed: Allow s3:GetObject on arn:aws:s3:::artifacts/*');
  });

  it('names a managed policy version and whether it is the default', () => {
    const version = (id: string, statements: unknown[]) => ({
      versionId: id,
      isDefaultVersion: true,
      document: encoded(statements),
    });
    expect(
      summarisePolicyProperty(
        update(
          'Configuration.PolicyVersionList.0',
          version('v2', [read]),
          version('v2', [{ ...read, Action: 's3:*' }]),
        ),
      ),
    ).toBe(
      'policy version v2 (default): statement ReadArtifacts gains action s3:*, loses action s3:GetObject',
    );
  });

  it('says so when only the formatting changed', () => {
    const spaced = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [read] }, null, 2));
    expect(
      summarisePolicyProperty(update('Configuration.AssumeRolePolicyDocument', encoded([read]), spaced)),
    ).toBe('trust policy: rewritten, same statements');
  });

  it('names the first four items of a list and counts the rest', () => {
    const actions = ['a:1', 'a:2', 'a:3', 'a:4', 'a:5', 'a:6'];
    expect(
      summarisePolicyProperty({
        path: 'Configuration.RolePolicyList.0',
        changeType: 'CREATE',
        updatedValue: inline('many', [{ Effect: 'Allow', Action: actions, Resource: '*' }]),
      }),
    ).toBe('inline policy many added: Allow a:1, a:2, a:3, a:4 and 2 more on *');
  });

  it('caps a long summary at 480 characters', () => {
    const statements = Array.from({ length: 40 }, (_, i) => ({
      Effect: 'Allow',
      Action: `svc:Action${i}`,
      Resource: '*',
    }));
    const text = summarisePolicyProperty({
      path: 'Configuration.RolePolicyList.0',
      changeType: 'CREATE',
      updatedValue: inline('long', statements),
    });
    expect(text).toHaveLength(480);
    expect(text?.endsWith('…')).toBe(true);
  });

  it('names the first twenty statements of a policy given whole and counts the rest', () => {
    const statements = Array.from({ length: 23 }, (_, i) => ({ Effect: 'Allow', Action: `s:${i}` }));
    const text = summarisePolicyProperty({
      path: 'Configuration.Policy',
      changeType: 'CREATE',
      updatedValue: JSON.stringify({ Statement: statements }),
    });
    expect(text).toMatch(/^Policy added: Allow s:0; Allow s:1; .*; Allow s:19; and 3 more statements$/);
  });

  it('tells a change between policies of more than 200 statements by their counts', () => {
    const statements = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ Effect: 'Allow', Action: `s:${i}` }));
    expect(
      summarisePolicyProperty(
        update(
          'Configuration.Policy',
          JSON.stringify({ Statement: statements(201) }),
          JSON.stringify({ Statement: statements(202) }),
        ),
      ),
    ).toBe('Policy: 201 statements → 202, too many to compare');
  });

  it('leaves a document whose URL encoding is broken to the generic summary', () => {
    const broken = { policyName: 'p', policyDocument: '%7B%22Statement%22%3A%5B%E0%A4%A' };
    expect(
      summarisePolicyProperty(update('Configuration.RolePolicyList.0', inline('p', [read]), broken)),
    ).toBeUndefined();
  });

  it('reads hostile statements without throwing: no list where one belongs, objects for strings', () => {
    const hostile = {
      Statement: [
        'not a statement',
        {
          Sid: 'x'.repeat(10_000),
          Effect: { Allow: true },
          Action: { a: 'b' },
          Principal: { AWS: [1, null, '*'] },
        },
      ],
    };
    const text = summarisePolicyProperty({
      path: 'Configuration.Policy',
      changeType: 'CREATE',
      updatedValue: JSON.stringify(hostile),
    });
    expect(text).toBe('Policy added: (no Effect) for anyone');
  });

  it('leaves values that are not policies to the generic summary', () => {
    expect(summarisePolicyProperty(update('Configuration.Description', 'old', 'new'))).toBeUndefined();
    expect(summarisePolicyProperty(update('Configuration.Policy', '{"a":1}', '{"a":2}'))).toBeUndefined();
    expect(summarisePolicyProperty(update('Configuration.Tags', { key: 'a' }, { key: 'b' }))).toBeUndefined();
  });

  it('leaves a document it cannot read (cut short) to the generic summary', () => {
    const cut = encoded([read]).slice(0, 60);
    const property = update('Configuration.RolePolicyList.0', inline('p', [read]), {
      policyName: 'p',
      policyDocument: cut,
    });
    expect(summarisePolicyProperty(property)).toBeUndefined();
    expect(summariseProperty(property)).toMatch(/^RolePolicyList\.0: /);
  });
});

describe('summariseProperty on policies', () => {
  it('summarises a policy property through the policy summary', () => {
    expect(
      summariseProperty(
        update(
          'Configuration.RolePolicyList.0',
          inline('p', [read]),
          inline('p', [{ ...read, Resource: '*' }]),
        ),
      ),
    ).toBe(
      'inline policy p: statement ReadArtifacts gains resource *, loses resource arn:aws:s3:::artifacts/*',
    );
  });

  it('puts inline policy changes first', () => {
    const tag: ChangedProperty = {
      path: 'SupplementaryConfiguration.Tags',
      changeType: 'CREATE',
      updatedValue: { key: 'a' },
    };
    const policy = update('Configuration.RolePolicyList.0', inline('p', [read]), inline('p', []));
    expect(orderProperties([tag, policy]).map((p) => p.path)).toEqual([policy.path, tag.path]);
  });
});
