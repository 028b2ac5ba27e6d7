/**
 * Critical-action alerts: each enabled rule becomes one EventBridge rule on the default bus with the
 * rule's pattern, exactly as `src/core/rules` matches it locally; what a pattern cannot express (a
 * rule's `condition`) is checked by the alert function, which renders and delivers, idempotent on the
 * CloudTrail eventID.
 *
 * All the rules invoke one function through one resource-policy statement (`rule/<prefix>*`) and send
 * what cannot be delivered to one queue: per-rule statements would grow the function policy (20 KB at
 * most) and the queue policy with every custom rule. The rules therefore get names under a prefix unique
 * to this construct.
 *
 * EventBridge limits to keep in mind: 300 rules per event bus by default (an adjustable quota, shared
 * with everything else on the default bus) and 4,096 characters per event pattern.
 */
import { createHash } from 'node:crypto';
import { Annotations, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import type { BundleOptions } from '../bundle.js';
import { CloudBlameFunction } from './handler.js';
import { deadLetterAlarm, failedEventsQueue } from './queues.js';
import { CloudBlameValidationError } from './validation.js';

/** What an alert rule needs to deploy: its id and its EventBridge pattern (a JSON object). */
export interface AlertRuleSpec {
  readonly id: string;
  readonly title?: string;
  readonly pattern: object;
}

/** PutRule's limit on the EventPattern string. */
export const MAX_PATTERN_LENGTH = 4096;
/** The default quota of rules per event bus. */
export const RULES_PER_BUS_QUOTA = 300;
const MAX_RULE_NAME_LENGTH = 64;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** `cb-<8 hex>-`: unique to the construct's stack and path, so two deployments never share rule names. */
export function alertRuleNamePrefix(scope: IConstruct): string {
  const stackName = Stack.of(scope).stackName;
  const seed = `${Token.isUnresolved(stackName) ? '' : stackName}/${scope.node.path}`;
  return `cb-${shortHash(seed)}-`;
}

/** The EventBridge rule name of a cloudblame rule id: at most 64 characters of [.\-_A-Za-z0-9]. */
export function alertRuleName(prefix: string, ruleId: string): string {
  const safe = ruleId.replace(/[^.\-_A-Za-z0-9]/g, '_');
  const name = `${prefix}${safe}`;
  if (name.length <= MAX_RULE_NAME_LENGTH && safe === ruleId) return name;
  const room = MAX_RULE_NAME_LENGTH - prefix.length - 9;
  return `${prefix}${safe.slice(0, room)}-${shortHash(ruleId)}`;
}

/** Targets the alert function without adding a per-rule Lambda permission (one statement covers all). */
class AlertFunctionTarget implements events.IRuleTarget {
  constructor(
    private readonly fn: lambda.IFunction,
    private readonly deadLetterQueue: sqs.IQueue,
  ) {}

  bind(): events.RuleTargetConfig {
    return {
      arn: this.fn.functionArn,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      targetResource: this.fn,
    };
  }
}

export interface CriticalActionAlertsProps {
  readonly key: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  readonly rules: readonly AlertRuleSpec[];
  readonly config: unknown;
  readonly runtime: lambda.Runtime;
  readonly logRetention: logs.RetentionDays;
  readonly environment: Readonly<Record<string, string>>;
  readonly bundling?: BundleOptions;
}

export class CriticalActionAlerts extends Construct {
  public readonly alerter: CloudBlameFunction;
  /** One EventBridge rule per enabled cloudblame rule, in the order of the rules. */
  public readonly rules: readonly events.Rule[];
  /** Alerts EventBridge could not hand to the function, or that failed it three times. */
  public readonly failedEvents: sqs.Queue;
  /** Every rule's name starts with it. */
  public readonly ruleNamePrefix: string;

  constructor(scope: Construct, id: string, props: CriticalActionAlertsProps) {
    super(scope, id);
    this.ruleNamePrefix = alertRuleNamePrefix(this);
    const ruleArns = Stack.of(this).formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: `${this.ruleNamePrefix}*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.failedEvents = failedEventsQueue(
      this,
      'FailedEvents',
      props.key,
      'critical-action events that EventBridge could not hand to the alert function, or that the function failed on three times',
    );
    this.failedEvents.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlertRulesDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.failedEvents.queueArn],
        conditions: { ArnLike: { 'aws:SourceArn': ruleArns } },
      }),
    );
    deadLetterAlarm(
      this,
      'FailedEventsAlarm',
      this.failedEvents,
      'cloudblame: critical-action alerts were NOT delivered. Read the events in the queue now, fix the alert function or its sinks, then redrive.',
      props.alarmTopic,
    );

    this.alerter = new CloudBlameFunction(this, 'Alerter', {
      handler: 'alerts',
      config: props.config,
      description: 'Renders and delivers critical-action alerts, once per CloudTrail event',
      environment: props.environment,
      timeout: Duration.minutes(1),
      memorySize: 256,
      runtime: props.runtime,
      logRetention: props.logRetention,
      deadLetterQueue: this.failedEvents,
      deadLetterQueueKey: props.key,
      ...(props.bundling !== undefined && { bundling: props.bundling }),
    });
    this.alerter.function.addPermission('InvokeFromAlertRules', {
      principal: new iam.ServicePrincipal('events.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceArn: ruleArns,
      sourceAccount: Stack.of(this).account,
    });

    const seen = new Set<string>();
    const target = new AlertFunctionTarget(this.alerter.function, this.failedEvents);
    this.rules = props.rules.map((rule, index) => {
      const name = alertRuleName(this.ruleNamePrefix, rule.id);
      if (seen.has(rule.id)) {
        throw new CloudBlameValidationError(
          this,
          `rule ids must be unique, but "${rule.id}" was provided twice (rules[${index}]); give the custom rule another id`,
        );
      }
      seen.add(rule.id);
      const length = JSON.stringify(rule.pattern).length;
      if (length > MAX_PATTERN_LENGTH) {
        throw new CloudBlameValidationError(
          this,
          `the pattern of rule "${rule.id}" must be at most ${MAX_PATTERN_LENGTH.toLocaleString('en-US')} characters as JSON (the EventBridge limit), but ${length.toLocaleString('en-US')} were provided; split the rule or move a check into its condition`,
        );
      }
      // Construct ids follow rule ids, so adding or removing a rule never renames (replaces) another.
      const eventRule = new events.Rule(this, `Rule-${rule.id}`, {
        ruleName: name,
        description: `cloudblame alert ${rule.id}${rule.title === undefined ? '' : `: ${rule.title}`}`.slice(
          0,
          512,
        ),
        eventPattern: rule.pattern as events.EventPattern,
      });
      eventRule.addTarget(target);
      return eventRule;
    });
    if (this.rules.length + 2 > RULES_PER_BUS_QUOTA) {
      Annotations.of(this).addWarningV2(
        'cloudblame:alertRulesQuota',
        `${this.rules.length} alert rules plus the 2 pipeline rules exceed the default quota of ${RULES_PER_BUS_QUOTA} rules per event bus; request a quota increase (Service Quotas, "Rules per event bus") or disable rules in the configuration file`,
      );
    }
  }
}
