import { describe, expect, it } from 'vitest';
import type { AlertFinding } from '../../../src/core/model.js';
import { principalOfEvent } from '../../../src/core/principal.js';
import {
  applySuppressions,
  evaluate,
  evaluateEvent,
  matched,
  notMatched,
  type Rule,
  type Suppression,
  suppressionFor,
  undetermined,
} from '../../../src/core/rules/model.js';
import { alertsFor, fixture } from './helpers.js';

const createUser: Rule = {
  id: 'test.create-user',
  title: 'User created',
  severity: 'medium',
  description: 'A user was created.',
  pattern: { source: ['aws.iam'], detail: { eventName: ['CreateUser'] } },
  details: (event) => ({ userName: event.requestParameters?.['userName'] ?? null }),
};

function withCondition(condition: Rule['condition']): Rule {
  return { ...createUser, id: 'test.conditional', condition };
}

describe('evaluate', () => {
  const event = fixture('iam', 'create-user');
  const principal = principalOfEvent(event);

  it('raises one alert per matching rule, carrying the rule, the event, the principal and details', () => {
    const [alert, ...more] = evaluate([createUser], event, principal);
    expect(more).toEqual([]);
    expect(alert).toEqual({
      kind: 'alert',
      rule: {
        id: 'test.create-user',
        severity: 'medium',
        title: 'User created',
        description: 'A user was created.',
      },
      event,
      principal,
      details: { userName: 'svc-reports' },
    });
    expect(alert?.principal.arn).toBe('arn:aws:iam::111122223333:user/alice');
  });

  it('skips rules whose pattern does not match', () => {
    const other: Rule = {
      ...createUser,
      id: 'test.other',
      pattern: { detail: { eventName: ['DeleteUser'] } },
    };
    expect(evaluate([other], event, principal)).toEqual([]);
  });

  it('follows the condition: match adds details, no-match drops the alert, undetermined keeps it and says why', () => {
    expect(
      evaluate([withCondition(() => matched({ why: 'because' }))], event, principal)[0]?.details,
    ).toEqual({
      userName: 'svc-reports',
      why: 'because',
    });
    expect(evaluate([withCondition(() => notMatched('harmless'))], event, principal)).toEqual([]);
    expect(
      evaluate([withCondition(() => undetermined('truncated', { x: 1 }))], event, principal)[0]?.details,
    ).toEqual({
      userName: 'svc-reports',
      x: 1,
      undetermined: 'truncated',
    });
  });

  it('keeps the alert when a condition throws, and still runs the other rules', () => {
    const broken = withCondition(() => {
      throw new Error('boom');
    });
    const alerts = evaluate([broken, createUser], event, principal);
    expect(alerts.map((alert) => alert.rule.id)).toEqual(['test.conditional', 'test.create-user']);
    expect(alerts[0]?.details['undetermined']).toBe("the rule's condition failed: boom");
  });

  it('records the error of a failed call', () => {
    const denied = fixture('iam', 'create-user-denied');
    expect(evaluate([createUser], denied, principalOfEvent(denied))[0]?.details).toMatchObject({
      errorCode: 'AccessDenied',
      errorMessage: expect.stringContaining('not authorized'),
    });
  });
});

describe('suppressions', () => {
  const [userAlert] = alertsFor(fixture('iam', 'create-user'));
  const [ssoAlert] = alertsFor(fixture('s3', 'put-bucket-policy-public'));
  const alerts = [userAlert, ssoAlert].filter((alert): alert is AlertFinding => alert !== undefined);

  it('suppress when every given criterion matches (globs allowed)', () => {
    const byRule: Suppression = { ruleId: 'iam.*', reason: 'IAM is managed elsewhere' };
    expect(suppressionFor(alerts[0] as AlertFinding, [byRule])).toBe(byRule);
    expect(suppressionFor(alerts[1] as AlertFinding, [byRule])).toBeUndefined();
    const both: Suppression = { ruleId: 'iam.create-user', region: 'eu-*', reason: 'x' };
    expect(suppressionFor(alerts[0] as AlertFinding, [both])).toBeUndefined();
    const account: Suppression = { account: '111122223333', region: 'us-east-1', reason: 'sandbox' };
    expect(suppressionFor(alerts[0] as AlertFinding, [account])).toBe(account);
  });

  it('match the principal by its ARN or, for assumed roles, the role ARN', () => {
    const alice: Suppression = { principalArn: 'arn:aws:iam::*:user/alice', reason: 'alice is the admin' };
    expect(suppressionFor(alerts[0] as AlertFinding, [alice])).toBe(alice);
    const base = alerts[0] as AlertFinding;
    const roleAlert: AlertFinding = {
      ...base,
      principal: {
        ...base.principal,
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111122223333:assumed-role/terraform-deployer/run-1',
        roleArn: 'arn:aws:iam::111122223333:role/ci/terraform-deployer',
      },
    };
    const byRole: Suppression = { principalArn: 'arn:aws:iam::111122223333:role/ci/*', reason: 'CI' };
    const bySession: Suppression = {
      principalArn: 'arn:aws:sts::*:assumed-role/terraform-deployer/*',
      reason: 'CI',
    };
    const other: Suppression = { principalArn: 'arn:aws:iam::*:role/other', reason: 'other' };
    expect(suppressionFor(roleAlert, [other, byRole])).toBe(byRole);
    expect(suppressionFor(roleAlert, [bySession])).toBe(bySession);
    expect(suppressionFor(roleAlert, [other, alice])).toBeUndefined();
  });

  it('never suppress on a reason alone', () => {
    expect(suppressionFor(alerts[0] as AlertFinding, [{ reason: 'everything' }])).toBeUndefined();
  });

  it('split alerts into delivered and suppressed, keeping the reason', () => {
    const suppression: Suppression = { ruleId: 's3.bucket-policy-public', reason: 'public website bucket' };
    const result = applySuppressions(alerts, [suppression]);
    expect(result.alerts.map((alert) => alert.rule.id)).toEqual(['iam.create-user']);
    expect(result.suppressed).toEqual([{ alert: alerts[1], suppression }]);
  });

  it('evaluateEvent runs the rules then the suppressions', () => {
    const event = fixture('iam', 'create-user');
    const result = evaluateEvent(
      { rules: [createUser], suppressions: [{ ruleId: 'test.*', reason: 'test' }] },
      event,
      principalOfEvent(event),
    );
    expect(result.alerts).toEqual([]);
    expect(result.suppressed.map((entry) => entry.suppression.reason)).toEqual(['test']);
  });
});
