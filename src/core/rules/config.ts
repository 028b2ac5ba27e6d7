/**
 * The `rules` section of the configuration file: switch built-in rules off, change their severity, add
 * rules (an EventBridge pattern and the text of the alert), and suppress expected alerts with a reason.
 *
 * ```yaml
 * rules:
 *   disable: [signin.console-login-failed]
 *   severity: { iam.create-user: high }
 *   custom:
 *     - id: custom.secrets-deleted
 *       title: Secret deleted
 *       severity: medium
 *       description: A Secrets Manager secret was scheduled for deletion. Check that nothing still reads it.
 *       pattern: { source: [aws.secretsmanager], detail: { eventName: [DeleteSecret] } }
 *   suppress:
 *     - rule: iam.create-access-key
 *       principalArn: arn:aws:iam::*:role/key-rotation-*
 *       reason: The rotation job creates keys every 90 days.
 * ```
 */
import { z } from 'zod';
import { closestKey } from '../config/did-you-mean.js';
import { problemsOf } from '../config/issues.js';
import { ConfigFileError } from '../errors.js';
import { SEVERITIES } from '../finding-info.js';
import { matchesGlob } from '../glob.js';
import type { JsonObject, Severity } from '../model.js';
import type { Rule, RuleSet, Suppression } from './model.js';
import { builtInRules } from './packs/index.js';
import { type EventPattern, validatePattern } from './pattern.js';

function nonEmptyString(allowed: string) {
  return z.string({ error: allowed }).trim().min(1, { error: allowed });
}

const severity = z
  .enum(SEVERITIES, { error: `one of ${SEVERITIES.join(', ')}` })
  .meta({ description: 'critical, high, medium, low or info.' });

const ruleGlob = nonEmptyString('a rule id such as "iam.create-user", or a glob such as "s3.*"');

const customRule = z
  .strictObject(
    {
      id: z
        .string({ error: 'a rule id such as "custom.secret-deleted"' })
        .regex(/^[A-Za-z0-9][\w.-]*$/, {
          error: 'a rule id of letters, digits, ".", "-" and "_", such as "custom.secret-deleted"',
        })
        .meta({ description: 'Unique id, e.g. `custom.secret-deleted`; must not be a built-in rule id.' }),
      title: nonEmptyString('a non-empty title').meta({
        description: 'One line, shown as the alert heading.',
      }),
      severity,
      description: nonEmptyString('a non-empty description saying why it matters and what to check').meta({
        description: 'Why it matters and what to check.',
      }),
      pattern: z.record(z.string(), z.unknown(), { error: 'an EventBridge event pattern (a mapping)' }).meta({
        description:
          'EventBridge event pattern over the CloudTrail event as EventBridge delivers it ({source, detail-type, account, region, detail: <CloudTrail record>}).',
      }),
    },
    { error: 'a mapping with id, title, severity, description and pattern' },
  )
  .meta({ description: 'A rule of your own: an EventBridge pattern and the text of its alert.' });

const suppression = z
  .strictObject(
    {
      rule: ruleGlob.optional().meta({ description: 'Rule id or glob (`s3.*`).' }),
      principalArn: nonEmptyString('a non-empty ARN glob')
        .optional()
        .meta({ description: "Glob over the caller's ARN and, for assumed roles, the role's ARN." }),
      account: nonEmptyString('an account id or glob')
        .optional()
        .meta({ description: 'Account id or glob.' }),
      region: nonEmptyString('a region or glob such as "eu-*"')
        .optional()
        .meta({ description: 'Region or glob.' }),
      reason: nonEmptyString('a non-empty reason saying why these alerts are expected').meta({
        description: 'Why the alerts are expected; recorded with every alert it suppresses.',
      }),
    },
    { error: 'a mapping with rule, principalArn, account and/or region, and a reason' },
  )
  .refine(
    (value) =>
      value.rule !== undefined ||
      value.principalArn !== undefined ||
      value.account !== undefined ||
      value.region !== undefined,
    { message: 'needs at least one of rule, principalArn, account or region besides the reason' },
  );

function ruleIdProblem(value: string, known: readonly string[], what: string): string | undefined {
  if (value.includes('*')) {
    return known.some((id) => matchesGlob(id, value)) ? undefined : `is "${value}", which matches no ${what}`;
  }
  if (known.includes(value)) return undefined;
  const guess = closestKey(value, known);
  return `is "${value}", which is not a known ${what}${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`;
}

export const rulesConfigSchema = z
  .strictObject(
    {
      disable: z
        .array(ruleGlob, { error: 'a list of rule ids or globs' })
        .default([])
        .meta({ description: 'Rules (ids or globs) that never raise alerts.' }),
      severity: z
        .record(z.string(), severity, { error: 'a mapping from rule id to severity' })
        .default({})
        .meta({ description: 'Rule id -> severity, overriding the built-in severity.' }),
      custom: z
        .array(customRule, { error: 'a list of custom rules' })
        .default([])
        .meta({ description: 'Rules of your own, evaluated with the built-in ones.' }),
      suppress: z.array(suppression, { error: 'a list of suppressions' }).default([]).meta({
        description:
          'Alerts to silence. Every criterion given must hold; suppressed alerts are counted with their reason, not dropped silently.',
      }),
    },
    { error: 'a mapping with disable, severity, custom and suppress' },
  )
  .superRefine((value, context) => {
    const builtIn = builtInRules.map((rule) => rule.id);
    const seen = new Set<string>();
    value.custom.forEach((rule, index) => {
      if (builtIn.includes(rule.id) || seen.has(rule.id)) {
        const clash = builtIn.includes(rule.id) ? 'a built-in rule' : 'another custom rule';
        context.addIssue({
          code: 'custom',
          path: ['custom', index, 'id'],
          message: `is "${rule.id}", the id of ${clash}`,
        });
      }
      seen.add(rule.id);
      for (const problem of validatePattern(rule.pattern)) {
        context.addIssue({
          code: 'custom',
          path: ['custom', index, 'pattern'],
          message: `is not a valid EventBridge pattern: ${problem}`,
        });
      }
    });
    const known = [...builtIn, ...seen];
    value.disable.forEach((id, index) => {
      const problem = ruleIdProblem(id, known, 'rule');
      if (problem !== undefined)
        context.addIssue({ code: 'custom', path: ['disable', index], message: problem });
    });
    for (const id of Object.keys(value.severity)) {
      const problem = ruleIdProblem(id, known, 'rule id');
      if (problem !== undefined || id.includes('*')) {
        context.addIssue({
          code: 'custom',
          path: ['severity', id],
          message: problem ?? `is keyed by "${id}": severity takes exact rule ids, not globs`,
        });
      }
    }
    value.suppress.forEach((entry, index) => {
      if (entry.rule === undefined) return;
      const problem = ruleIdProblem(entry.rule, known, 'rule');
      if (problem !== undefined)
        context.addIssue({ code: 'custom', path: ['suppress', index, 'rule'], message: problem });
    });
  })
  .prefault({})
  .meta({
    description:
      'Critical-action rules: switch built-in rules off, change their severity, add your own, and suppress expected alerts.',
  });

/** The `rules` section once parsed: defaults applied. */
export type RulesConfig = z.output<typeof rulesConfigSchema>;

/** The parsed section, also in the deeply read-only form the configuration loader returns. */
export interface RulesSection {
  readonly disable: readonly string[];
  readonly severity: Readonly<Record<string, Severity>>;
  readonly custom: readonly {
    readonly id: string;
    readonly title: string;
    readonly severity: Severity;
    readonly description: string;
    readonly pattern: Readonly<JsonObject>;
  }[];
  readonly suppress: readonly {
    readonly rule?: string | undefined;
    readonly principalArn?: string | undefined;
    readonly account?: string | undefined;
    readonly region?: string | undefined;
    readonly reason: string;
  }[];
}

const standalone = z.strictObject({ rules: rulesConfigSchema });

/**
 * Validates a `rules` section on its own (the configuration file embeds rulesConfigSchema under `rules`).
 * @throws ConfigFileError naming every bad key (`rules.disable[0]`), its value and what is allowed.
 */
export function parseRulesConfig(value: unknown, source: string): RulesConfig {
  const input = { rules: value };
  const result = standalone.safeParse(input);
  if (result.success) return result.data.rules;
  const problems = problemsOf(result.error, input, standalone);
  const [first] = problems;
  const message =
    problems.length === 1 && first !== undefined
      ? `${source}: ${first.message}`
      : `${source}: ${problems.length} problems:\n${problems.map((problem) => `  - ${problem.message}`).join('\n')}`;
  throw new ConfigFileError(message, first?.key ?? 'rules');
}

/**
 * The rules to run: the built-in ones (or `builtIns`) and the custom ones, minus the disabled, with
 * severities overridden. Custom patterns were checked by the schema; a pattern that still fails
 * validatePattern (a section built by hand) throws.
 */
export function resolveRules(section: RulesSection, builtIns: readonly Rule[] = builtInRules): Rule[] {
  const custom = section.custom.map((entry, index): Rule => {
    const problems = validatePattern(entry.pattern);
    if (problems.length > 0) {
      throw new ConfigFileError(
        `rules.custom[${index}].pattern is not a valid EventBridge pattern: ${problems.join('; ')}`,
        `rules.custom[${index}].pattern`,
      );
    }
    return {
      id: entry.id,
      title: entry.title,
      severity: entry.severity,
      description: entry.description,
      pattern: entry.pattern as EventPattern,
    };
  });
  const disabled = (rule: Rule) => section.disable.some((glob) => matchesGlob(rule.id, glob));
  return [...builtIns, ...custom]
    .filter((rule) => !disabled(rule))
    .map((rule) => {
      const override = section.severity[rule.id];
      return override === undefined || override === rule.severity ? rule : { ...rule, severity: override };
    });
}

export function resolveSuppressions(section: RulesSection): Suppression[] {
  return section.suppress.map((entry) => ({
    ...(entry.rule !== undefined && { ruleId: entry.rule }),
    ...(entry.principalArn !== undefined && { principalArn: entry.principalArn }),
    ...(entry.account !== undefined && { account: entry.account }),
    ...(entry.region !== undefined && { region: entry.region }),
    reason: entry.reason,
  }));
}

/** resolveRules() and resolveSuppressions() together, for evaluateEvent(). */
export function resolveRuleSet(section: RulesSection, builtIns: readonly Rule[] = builtInRules): RuleSet {
  return { rules: resolveRules(section, builtIns), suppressions: resolveSuppressions(section) };
}
