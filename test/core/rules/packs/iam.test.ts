import { describe, expect, it } from 'vitest';
import { iamRules } from '../../../../src/core/rules/packs/iam.js';
import { alertIds, alertOf, checkPack, fixture } from '../helpers.js';

describe('IAM pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('iam', iamRules, [
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
});
