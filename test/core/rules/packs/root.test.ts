import { describe, expect, it } from 'vitest';
import { rootRules } from '../../../../src/core/rules/packs/root.js';
import { alertOf, checkPack } from '../helpers.js';

describe('root pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('root', rootRules, [
      ['root-api-call', ['root.activity']],
      ['root-invoked-by-service', []],
      ['iam-user-api-call', []],
      // A sign-in raises its own rule, not root.activity as well.
      ['root-console-login', ['root.console-login']],
      ['root-console-login-failed', ['signin.console-login-failed']],
    ]);
  });

  it('says what root did and whether the sign-in used MFA', () => {
    expect(alertOf('root', 'root-api-call', 'root.activity').details).toEqual({
      eventSource: 'iam.amazonaws.com',
      eventName: 'GetAccountSummary',
    });
    expect(alertOf('root', 'root-console-login', 'root.console-login').details).toEqual({ mfaUsed: 'Yes' });
    expect(alertOf('root', 'root-console-login', 'root.console-login').principal.type).toBe('Root');
  });
});
