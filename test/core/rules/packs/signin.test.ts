import { describe, expect, it } from 'vitest';
import { signinRules } from '../../../../src/core/rules/packs/signin.js';
import { alertOf, checkPack } from '../helpers.js';

describe('sign-in pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('signin', signinRules, [
      ['iam-user-login-without-mfa', ['signin.console-login-without-mfa']],
      ['iam-user-login-with-mfa', []],
      // MFA happens at the identity provider for Identity Center, SAML and OIDC sign-ins.
      ['sso-login-without-mfa-at-aws', []],
      ['iam-user-login-failed', ['signin.console-login-failed']],
    ]);
  });

  it('names the user and the source address', () => {
    expect(alertOf('signin', 'iam-user-login-failed', 'signin.console-login-failed').details).toMatchObject({
      userType: 'IAMUser',
      userName: 'alice',
      sourceIPAddress: '198.51.100.23',
      errorMessage: 'Failed authentication',
    });
  });
});
