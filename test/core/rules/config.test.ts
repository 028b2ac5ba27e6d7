import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigFileError } from '../../../src/core/errors.js';
import { principalOfEvent } from '../../../src/core/principal.js';
import {
  parseRulesConfig,
  type RulesConfig,
  type RulesSection,
  resolveRuleSet,
  resolveRules,
  resolveSuppressions,
  rulesConfigSchema,
} from '../../../src/core/rules/config.js';
import { evaluateEvent } from '../../../src/core/rules/model.js';
import { builtInRules } from '../../../src/core/rules/packs/index.js';
import { fixture } from './helpers.js';

/** As src/core/config/schema.ts freezes the configuration it returns. */
type Immutable<T> = T extends (infer Item)[]
  ? readonly Immutable<Item>[]
  : T extends object
    ? { readonly [Key in keyof T]: Immutable<T[Key]> }
    : T;

function problem(value: unknown): string {
  try {
    parseRulesConfig(value, 'cloudblame.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigFileError);
    return (error as ConfigFileError).message;
  }
  throw new Error('expected a ConfigFileError');
}

describe('rules config', () => {
  it('defaults to every built-in rule and no suppression', () => {
    const section = parseRulesConfig(undefined, 'cloudblame.yaml');
    expect(section).toEqual({ disable: [], severity: {}, custom: [], suppress: [] });
    expect(resolveRules(section)).toEqual(builtInRules);
    expect(resolveSuppressions(section)).toEqual([]);
  });

  it('switches rules off by id or glob and overrides severities', () => {
    const section = parseRulesConfig(
      { disable: ['signin.*', 'kms.disable-key'], severity: { 'iam.create-user': 'critical' } },
      'cloudblame.yaml',
    );
    const rules = resolveRules(section);
    const ids = rules.map((rule) => rule.id);
    expect(ids).not.toContain('signin.console-login-failed');
    expect(ids).not.toContain('signin.console-login-without-mfa');
    expect(ids).not.toContain('kms.disable-key');
    expect(ids).toContain('kms.schedule-key-deletion');
    expect(rules.find((rule) => rule.id === 'iam.create-user')?.severity).toBe('critical');
    // Built-ins are not modified in place.
    expect(builtInRules.find((rule) => rule.id === 'iam.create-user')?.severity).toBe('medium');
  });

  it('adds custom rules that evaluate like built-in ones, and suppressions with their reason', () => {
    const section = parseRulesConfig(
      {
        custom: [
          {
            id: 'custom.login-profile-deleted',
            title: 'Console password removed',
            severity: 'low',
            description: 'A console password was removed. Check that the user left.',
            pattern: { source: ['aws.iam'], detail: { eventName: ['DeleteLoginProfile'] } },
          },
        ],
        severity: { 'custom.login-profile-deleted': 'info' },
        suppress: [
          {
            rule: 'iam.create-user',
            principalArn: 'arn:aws:iam::*:user/alice',
            reason: 'alice onboards people',
          },
        ],
      },
      'cloudblame.yaml',
    );
    const ruleSet = resolveRuleSet(section);
    const deleted = fixture('iam', 'delete-login-profile');
    expect(
      evaluateEvent(ruleSet, deleted, principalOfEvent(deleted)).alerts.map((alert) => alert.rule),
    ).toEqual([
      {
        id: 'custom.login-profile-deleted',
        title: 'Console password removed',
        severity: 'info',
        description: 'A console password was removed. Check that the user left.',
      },
    ]);
    const created = fixture('iam', 'create-user');
    const result = evaluateEvent(ruleSet, created, principalOfEvent(created));
    expect(result.alerts).toEqual([]);
    expect(result.suppressed.map((entry) => [entry.alert.rule.id, entry.suppression.reason])).toEqual([
      ['iam.create-user', 'alice onboards people'],
    ]);
    expect(ruleSet.suppressions).toEqual([
      {
        ruleId: 'iam.create-user',
        principalArn: 'arn:aws:iam::*:user/alice',
        reason: 'alice onboards people',
      },
    ]);
  });

  it('names unknown rule ids, with a suggestion', () => {
    expect(problem({ disable: ['iam.create-usr'] })).toBe(
      'cloudblame.yaml: rules.disable[0] is "iam.create-usr", which is not a known rule (did you mean "iam.create-user"?)',
    );
    expect(problem({ disable: ['ec3.*'] })).toBe(
      'cloudblame.yaml: rules.disable[0] is "ec3.*", which matches no rule',
    );
    expect(problem({ severity: { 'iam.create-users': 'high' } })).toBe(
      'cloudblame.yaml: rules.severity["iam.create-users"] is "iam.create-users", which is not a known rule id (did you mean "iam.create-user"?)',
    );
    expect(problem({ suppress: [{ rule: 'root.actvity', reason: 'x' }] })).toMatch(
      /rules\.suppress\[0\]\.rule is "root\.actvity", which is not a known rule \(did you mean "root\.activity"\?\)/,
    );
  });

  it('names bad values and what is allowed', () => {
    expect(problem({ severity: { 'iam.create-user': 'urgent' } })).toBe(
      'cloudblame.yaml: rules.severity["iam.create-user"] must be one of critical, high, medium, low, info, but "urgent" was provided',
    );
    expect(problem({ disable: 'iam.create-user' })).toBe(
      'cloudblame.yaml: rules.disable must be a list of rule ids or globs, but "iam.create-user" was provided',
    );
    expect(problem({ supress: [] })).toBe(
      'cloudblame.yaml: unknown key "supress" in rules (did you mean "suppress"?)',
    );
  });

  it('requires a reason and at least one criterion in each suppression', () => {
    expect(problem({ suppress: [{ rule: 'iam.create-user' }] })).toBe(
      'cloudblame.yaml: rules.suppress[0].reason is missing; it must be a non-empty reason saying why these alerts are expected',
    );
    expect(problem({ suppress: [{ reason: 'everything is fine' }] })).toBe(
      'cloudblame.yaml: rules.suppress[0] needs at least one of rule, principalArn, account or region besides the reason',
    );
    expect(problem({ suppress: [{ rule: 'iam.create-user', reason: 'x', principal: 'arn:*' }] })).toMatch(
      /unknown key "principal" in rules\.suppress\[0\] \(did you mean "principalArn"\?\)/,
    );
  });

  it('validates custom rules: their patterns, and ids that clash', () => {
    const rule = { title: 't', severity: 'low', description: 'd' };
    expect(
      problem({
        custom: [{ ...rule, id: 'custom.x', pattern: { detail: { eventName: [{ prefx: 'Delete' }] } } }],
      }),
    ).toBe(
      'cloudblame.yaml: rules.custom[0].pattern is not a valid EventBridge pattern: detail.eventName[0]: unknown operator "prefx" (did you mean "prefix"?)',
    );
    expect(problem({ custom: [{ ...rule, id: 'iam.create-user', pattern: { source: ['aws.iam'] } }] })).toBe(
      'cloudblame.yaml: rules.custom[0].id is "iam.create-user", the id of a built-in rule',
    );
    expect(problem({ custom: [{ ...rule, id: 'custom x', pattern: { source: ['aws.iam'] } }] })).toMatch(
      /rules\.custom\[0\]\.id must be a rule id of letters, digits/,
    );
    expect(problem({ custom: [{ ...rule, id: 'custom.x', pattern: 'source=aws.iam' }] })).toMatch(
      /rules\.custom\[0\]\.pattern must be an EventBridge event pattern \(a mapping\)/,
    );
  });

  it('rejects a hand-built section whose custom pattern is invalid', () => {
    const section = {
      disable: [],
      severity: {},
      suppress: [],
      custom: [
        {
          id: 'custom.x',
          title: 't',
          severity: 'low' as const,
          description: 'd',
          pattern: { source: 'aws.iam' },
        },
      ],
    };
    expect(() => resolveRules(section)).toThrow(ConfigFileError);
  });

  it('accepts the section as the configuration loader returns it (deeply read-only)', () => {
    const frozen: Immutable<RulesConfig> = parseRulesConfig({ disable: ['kms.*'] }, 'cloudblame.yaml');
    const section: RulesSection = frozen;
    expect(resolveRules(section)).toHaveLength(builtInRules.length - 2);
  });

  it('has a JSON Schema for the configuration file', () => {
    const schema = z.toJSONSchema(rulesConfigSchema, { io: 'input' }) as {
      properties?: Record<string, unknown>;
    };
    expect(Object.keys(schema.properties ?? {})).toEqual(['disable', 'severity', 'custom', 'suppress']);
  });
});
