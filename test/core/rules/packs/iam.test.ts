import { describe, expect, it } from 'vitest';
import type { TrailEvent } from '../../../../src/core/model.js';
import { iamRules } from '../../../../src/core/rules/packs/iam.js';
import { alertIds, alertOf, checkPack, fixture } from '../helpers.js';

const WEB_IDENTITY = 'iam.role-trusts-web-identity-without-condition';

describe('IAM pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack(['iam', 'iam-web-identity'], iamRules, [
      ['create-user', ['iam.create-user']],
      ['create-user-denied', []],
      ['create-access-key-other-user', ['iam.create-access-key']],
      ['create-access-key-own', ['iam.create-access-key']],
      ['delete-access-key', []],
      ['create-login-profile', ['iam.create-login-profile']],
      ['delete-login-profile', []],
      ['update-login-profile', ['iam.update-login-profile']],
      ['change-password', []],
      ['attach-admin-user-policy', ['iam.attach-admin-policy']],
      ['attach-admin-group-policy', ['iam.attach-admin-policy']],
      ['attach-admin-role-policy-govcloud', ['iam.attach-admin-policy']],
      ['attach-readonly-role-policy', []],
      ['attach-customer-policy-named-admin', []],
      ['put-admin-inline-role-policy', ['iam.put-admin-inline-policy']],
      ['put-admin-inline-user-policy-star-star', ['iam.put-admin-inline-policy']],
      ['put-admin-inline-group-policy-url-encoded', ['iam.put-admin-inline-policy']],
      ['put-scoped-inline-policy', []],
      ['put-deny-all-inline-policy', []],
      ['put-inline-policy-truncated', ['iam.put-admin-inline-policy']],
      ['create-admin-policy-version', ['iam.create-admin-policy']],
      ['create-scoped-policy', []],
      ['update-assume-role-policy-external', ['iam.role-trusts-outsider']],
      ['create-role-trust-anyone', ['iam.role-trusts-outsider']],
      ['create-role-lambda-service', []],
      ['update-assume-role-policy-same-account', []],
      ['update-assume-role-policy-anyone-in-org', []],
      ['deactivate-mfa-device', ['iam.deactivate-mfa']],
      ['enable-mfa-device', []],
      ['create-role-github-oidc-no-condition', [WEB_IDENTITY]],
      ['update-assume-role-policy-github-audience-only', [WEB_IDENTITY]],
      ['create-role-github-oidc-any-repository', [WEB_IDENTITY]],
      ['create-role-github-oidc-repository', []],
      ['create-role-cognito-no-condition', [WEB_IDENTITY]],
      ['create-role-eks-service-account', []],
      ['create-role-saml-no-condition', []],
      ['update-assume-role-policy-federated-deny', []],
      // The document does not parse: iam.role-trusts-outsider says so (undetermined), this rule stays quiet.
      ['create-role-federated-truncated', ['iam.role-trusts-outsider']],
      ['create-role-federated-malformed-statements', []],
    ]);
  });

  it('names the new user and says whether an access key is for someone else', () => {
    expect(alertOf('iam', 'create-user', 'iam.create-user').details).toEqual({
      userName: 'svc-reports',
      path: '/',
      userArn: 'arn:aws:iam::111122223333:user/svc-reports',
    });
    expect(alertOf('iam', 'create-access-key-other-user', 'iam.create-access-key').details).toEqual({
      userName: 'svc-reports',
      accessKeyId: 'AKIAQEXAMPLESVCKEY01',
      forAnotherUser: true,
    });
    expect(alertOf('iam', 'create-access-key-own', 'iam.create-access-key').details).toMatchObject({
      userName: 'alice',
      forAnotherUser: false,
    });
  });

  it('reads policy documents as JSON text or URL-encoded, and alerts when one cannot be read', () => {
    expect(
      alertOf('iam', 'put-admin-inline-user-policy-star-star', 'iam.put-admin-inline-policy').details,
    ).toEqual({
      userName: 'svc-reports',
      policyName: 'ops',
      adminStatements: ['Ops'],
    });
    expect(
      alertOf('iam', 'put-admin-inline-group-policy-url-encoded', 'iam.put-admin-inline-policy').details,
    ).toMatchObject({ groupName: 'developers' });
    const truncated = alertOf('iam', 'put-inline-policy-truncated', 'iam.put-admin-inline-policy');
    expect(truncated.details['undetermined']).toMatch(/not JSON/);
    expect(truncated.details['roleName']).toBe('ci-deployer');
  });

  it('lists the outside accounts a role trusts, compared with the account the event was recorded in', () => {
    expect(alertOf('iam', 'update-assume-role-policy-external', 'iam.role-trusts-outsider').details).toEqual({
      roleName: 'ci-deployer',
      trustsAnyone: false,
      externalAccounts: ['444455556666'],
      principals: ['arn:aws:iam::444455556666:root', 'arn:aws:iam::111122223333:role/admin'],
    });
    expect(alertOf('iam', 'create-role-trust-anyone', 'iam.role-trusts-outsider').details).toMatchObject({
      roleName: 'open-door',
      trustsAnyone: true,
    });
  });

  it('does not alert on failed changes', () => {
    const denied = fixture('iam', 'create-user-denied');
    expect(denied.errorCode).toBe('AccessDenied');
    expect(alertIds(denied)).toEqual([]);
  });

  describe('web identity trust without a condition', () => {
    const GITHUB = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
    const rule = iamRules.find((candidate) => candidate.id === WEB_IDENTITY);
    const conditionOn = (policyDocument: unknown) =>
      rule?.condition?.({
        ...fixture('iam-web-identity', 'update-assume-role-policy-github-audience-only'),
        requestParameters: { roleName: 'github-deploy', policyDocument } as TrailEvent['requestParameters'],
      });

    it('names the role, each open provider and what its statement lacks', () => {
      expect(
        alertOf('iam-web-identity', 'create-role-github-oidc-no-condition', WEB_IDENTITY).details,
      ).toEqual({
        roleName: 'github-deploy',
        providers: [{ provider: GITHUB, problem: 'no condition' }],
      });
      // URL-encoded, with the audience condition GitHub's documentation shows but no subject.
      expect(
        alertOf('iam-web-identity', 'update-assume-role-policy-github-audience-only', WEB_IDENTITY).details,
      ).toEqual({
        roleName: 'github-deploy',
        providers: [{ provider: GITHUB, problem: 'no condition on token.actions.githubusercontent.com:sub' }],
      });
      expect(
        alertOf('iam-web-identity', 'create-role-github-oidc-any-repository', WEB_IDENTITY).details,
      ).toMatchObject({
        providers: [
          { problem: 'the token.actions.githubusercontent.com:sub condition matches every subject' },
        ],
      });
      expect(
        alertOf('iam-web-identity', 'create-role-cognito-no-condition', WEB_IDENTITY).details,
      ).toMatchObject({
        providers: [{ provider: 'cognito-identity.amazonaws.com', problem: 'no condition' }],
      });
    });

    it('is not iam.role-trusts-outsider: the provider belongs to the account', () => {
      expect(alertIds(fixture('iam-web-identity', 'create-role-github-oidc-no-condition'))).toEqual([
        WEB_IDENTITY,
      ]);
    });

    it('counts a subject condition only under an operator that narrows, for shared CI issuers', () => {
      const statement = (condition: unknown) =>
        JSON.stringify({
          Statement: {
            Effect: 'Allow',
            Principal: { Federated: GITHUB },
            Action: 'sts:*',
            Condition: condition,
          },
        });
      expect(
        conditionOn(
          statement({ StringNotLike: { 'token.actions.githubusercontent.com:sub': 'repo:evil/*' } }),
        ),
      ).toMatchObject({ outcome: 'match' });
      expect(
        conditionOn(statement({ StringLike: { 'Token.Actions.GitHubUserContent.com:SUB': 'repo:acme/*' } })),
      ).toMatchObject({ outcome: 'no-match' });
      // Any condition will do for a provider of the account's own (an EKS cluster, a Google client id).
      expect(
        conditionOn(
          JSON.stringify({
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: 'accounts.google.com' },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: {
                  StringEquals: { 'accounts.google.com:aud': '1234567890.apps.googleusercontent.com' },
                },
              },
            ],
          }),
        ),
      ).toMatchObject({ outcome: 'no-match' });
    });

    it('reads NotAction as allowing what it does not list', () => {
      const notAction = (excluded: string) =>
        JSON.stringify({
          Statement: { Effect: 'Allow', Principal: { Federated: GITHUB }, NotAction: excluded },
        });
      expect(conditionOn(notAction('sts:AssumeRole'))).toMatchObject({ outcome: 'match' });
      expect(conditionOn(notAction('sts:AssumeRoleWith*'))).toMatchObject({ outcome: 'no-match' });
    });

    it('does not match, nor throw, on documents that are missing or malformed', () => {
      for (const odd of [
        undefined,
        null,
        42,
        '',
        '%E0%A4%A',
        '{"Statement": ',
        '[]',
        '{"Statement": "Federated"}',
        '{"Statement": [{"Effect": "Allow", "Principal": {"Federated": {}}, "Action": ["sts:AssumeRoleWithWebIdentity"]}]}',
        { Statement: [{ Effect: 'Allow', Principal: { Federated: [null] }, Action: [null, 3] }] },
      ]) {
        expect(conditionOn(odd), JSON.stringify(odd)).toMatchObject({ outcome: 'no-match' });
      }
    });
  });
});
