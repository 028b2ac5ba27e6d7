import { describe, expect, it } from 'vitest';
import { organizationsRules } from '../../../../src/core/rules/packs/organizations.js';
import { validatePattern } from '../../../../src/core/rules/pattern.js';
import { alertIds, alertOf, checkPack, fixture } from '../helpers.js';

describe('Organizations pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('organizations', organizationsRules, [
      ['leave-organization', ['organizations.leave-organization']],
      // An attempt to leave is a signal in itself (Stratus Red Team's organizations-leave is denied).
      ['leave-organization-denied', ['organizations.leave-organization']],
      ['describe-organization', []],
      ['remove-account', ['organizations.remove-account']],
      ['delete-organization', ['organizations.delete-organization']],
      ['disable-scp-policy-type', ['organizations.scp-policy-type-disabled']],
      ['disable-rcp-policy-type-denied', ['organizations.scp-policy-type-disabled']],
      ['disable-tag-policy-type', []],
      // policyType is a number: not a guardrail type, and not absent either.
      ['disable-policy-type-malformed', []],
      ['enable-scp-policy-type', []],
      ['detach-scp', ['organizations.policy-detached']],
      ['detach-full-aws-access', []],
      // Which policy was detached is unknown: the alert is raised rather than dropped.
      ['detach-policy-without-parameters', ['organizations.policy-detached']],
      ['detach-policy-not-attached', []],
      ['attach-scp', []],
      ['delete-policy', ['organizations.policy-deleted']],
      ['delete-policy-in-use', []],
      ['disable-service-access-guardduty', ['organizations.security-service-access-disabled']],
      ['disable-service-access-ssm', []],
    ]);
  });

  it('deploys as EventBridge patterns alone, on the aws.organizations source', () => {
    for (const rule of organizationsRules) {
      expect(rule.condition, rule.id).toBeUndefined();
      expect(validatePattern(rule.pattern), rule.id).toEqual([]);
      expect(rule.pattern['source'], rule.id).toEqual(['aws.organizations']);
    }
  });

  it('says who left, and that a failed attempt failed', () => {
    const denied = alertOf('organizations', 'leave-organization-denied', 'organizations.leave-organization');
    expect(denied.rule.severity).toBe('critical');
    expect(denied.event.accountId).toBe('444455556666');
    expect(denied.principal.roleArn).toBe('arn:aws:iam::444455556666:role/OrganizationAccountAccessRole');
    expect(denied.details).toMatchObject({ errorCode: 'AccessDenied' });
  });

  it('names the removed account, the disabled policy type, the detached policy and the service', () => {
    expect(alertOf('organizations', 'remove-account', 'organizations.remove-account').details).toEqual({
      accountId: '444455556666',
    });
    expect(
      alertOf('organizations', 'disable-scp-policy-type', 'organizations.scp-policy-type-disabled').details,
    ).toEqual({ rootId: 'r-a1b2', policyType: 'SERVICE_CONTROL_POLICY' });
    expect(alertOf('organizations', 'detach-scp', 'organizations.policy-detached').details).toEqual({
      policyId: 'p-a1b2c3d4',
      targetId: 'ou-a1b2-c3d4e5f6',
    });
    expect(
      alertOf('organizations', 'detach-policy-without-parameters', 'organizations.policy-detached').details,
    ).toEqual({});
    expect(alertOf('organizations', 'delete-policy', 'organizations.policy-deleted').details).toEqual({
      policyId: 'p-a1b2c3d4',
    });
    expect(
      alertOf(
        'organizations',
        'disable-service-access-guardduty',
        'organizations.security-service-access-disabled',
      ).details,
    ).toEqual({ servicePrincipal: 'guardduty.amazonaws.com' });
  });

  it('does not alert on failed changes to one policy', () => {
    const inUse = fixture('organizations', 'delete-policy-in-use');
    expect(inUse.errorCode).toBe('PolicyInUseException');
    expect(alertIds(inUse)).toEqual([]);
  });
});
