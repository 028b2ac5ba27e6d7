/**
 * The change pipeline: an EventBridge rule for AWS Config "Config Configuration Item Change" events (normal
 * and oversized), optionally only some resource types, feeding an SQS queue (dead-letter queue after 30
 * receives, with an alarm); the attribution function reads it in batches and reports partial failures.
 * The function defers a change whose CloudTrail event has not arrived yet by changing the message's
 * visibility on its own queue, so the visibility timeout is six times the function timeout and a message
 * may be received up to 30 times.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BundleOptions } from '../bundle.js';
import { CloudBlameFunction } from './handler.js';
import { acknowledgeWildcardResources } from './nag.js';
import { DEAD_LETTER_RETENTION, deadLetterAlarm, encryptedQueue } from './queues.js';
import { CloudBlameValidationError } from './validation.js';

export const CONFIG_DETAIL_TYPE = 'Config Configuration Item Change';
export const CONFIG_MESSAGE_TYPES = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
] as const;

/** The attribution function's timeout; the queue's visibility timeout is six times it. */
export const ATTRIBUTION_TIMEOUT = Duration.minutes(2);
/** Receives before a change goes to the dead-letter queue (the handler defers young changes this way). */
export const MAX_RECEIVE_COUNT = 30;
/** Concurrent attribution functions the queue feeds (the SQS event source minimum), sharing the LookupEvents budget. */
export const ATTRIBUTION_MAX_CONCURRENCY = 2;

/** An EventBridge matcher for a resource type or a glob of them (`AWS::EC2::*`). */
export type ResourceTypeMatcher = string | { readonly wildcard: string };

/** Resource type globs as EventBridge matchers; undefined when every type is wanted. */
export function resourceTypeMatchers(
  scope: Construct,
  prop: string,
  globs: readonly string[],
): ResourceTypeMatcher[] | undefined {
  if (globs.length === 0) {
    throw new CloudBlameValidationError(
      scope,
      `${prop} must list at least one resource type, but an empty list was provided; leave it undefined for every type`,
    );
  }
  if (globs.includes('*')) return undefined;
  return globs.map((glob, index) => {
    if (glob.includes('**')) {
      throw new CloudBlameValidationError(
        scope,
        `${prop}[${index}] must not contain "**" (EventBridge wildcard patterns reject it), but "${glob}" was provided; use a single "*"`,
      );
    }
    return glob.includes('*') ? { wildcard: glob } : glob;
  });
}

/** The EventBridge pattern of Config change events, for every resource type or only `types`. */
export function configChangePattern(types?: readonly ResourceTypeMatcher[]): Record<string, unknown> {
  const detail: Record<string, unknown> = { messageType: [...CONFIG_MESSAGE_TYPES] };
  if (types !== undefined) {
    // An oversized notification carries only a summary of the item.
    detail['$or'] = [
      { configurationItem: { resourceType: [...types] } },
      { configurationItemSummary: { resourceType: [...types] } },
    ];
  }
  return { source: ['aws.config'], 'detail-type': [CONFIG_DETAIL_TYPE], detail };
}

/** The change queue as a rule target, its dead-letter queue catching what EventBridge cannot deliver. */
class QueueTarget implements events.IRuleTarget {
  constructor(
    private readonly queue: sqs.IQueue,
    private readonly deadLetterQueue: sqs.IQueue,
  ) {}

  bind(): events.RuleTargetConfig {
    return {
      arn: this.queue.queueArn,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      targetResource: this.queue,
    };
  }
}

export interface ChangePipelineProps {
  readonly key: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  readonly resourceTypes?: readonly ResourceTypeMatcher[];
  readonly config: unknown;
  readonly runtime: lambda.Runtime;
  readonly logRetention: logs.RetentionDays;
  /** Environment of the attribution function, besides what this construct adds. */
  readonly environment: Readonly<Record<string, string>>;
  readonly fallbackAfterMinutes: number;
  /** LookupEvents calls per second for the whole account and region, shared by the concurrent functions. */
  readonly lookupEventsPerSecond: number;
  readonly configDeliveryBucket?: s3.IBucket;
  readonly bundling?: BundleOptions;
}

export class ChangePipeline extends Construct {
  public readonly rule: events.Rule;
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly attributor: CloudBlameFunction;
  public readonly eventSourceMapping: lambda.EventSourceMapping;

  constructor(scope: Construct, id: string, props: ChangePipelineProps) {
    super(scope, id);
    this.deadLetterQueue = encryptedQueue(this, 'DeadLetterQueue', props.key, {
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    deadLetterAlarm(
      this,
      'DeadLetterAlarm',
      this.deadLetterQueue,
      `cloudblame: configuration changes were not attributed after ${MAX_RECEIVE_COUNT} attempts. Look at the attribution function logs, then redrive the dead-letter queue.`,
      props.alarmTopic,
    );
    this.queue = encryptedQueue(this, 'Queue', props.key, {
      visibilityTimeout: Duration.seconds(ATTRIBUTION_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.rule = new events.Rule(this, 'Rule', {
      description: 'cloudblame: AWS Config configuration item changes, to the attribution queue',
      eventPattern: configChangePattern(props.resourceTypes) as events.EventPattern,
    });
    // Not targets.SqsQueue: for a KMS-encrypted queue it grants events.amazonaws.com SendMessage with no
    // condition (any account's rule could target the queue) and kms:Encrypt/ReEncrypt* it does not need.
    const fromThisRule = { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } };
    for (const queue of [this.queue, this.deadLetterQueue]) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ConfigChangeEventsFromRule',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: fromThisRule,
        }),
      );
    }
    this.rule.addTarget(new QueueTarget(this.queue, this.deadLetterQueue));

    const perInstance = props.lookupEventsPerSecond / ATTRIBUTION_MAX_CONCURRENCY;
    this.attributor = new CloudBlameFunction(this, 'Attributor', {
      handler: 'attribute-changes',
      config: props.config,
      description: 'Attributes AWS Config changes to the CloudTrail events that caused them, and notifies',
      environment: {
        ...props.environment,
        FALLBACK_AFTER_MINUTES: String(props.fallbackAfterMinutes),
        LOOKUP_EVENTS_PER_SECOND: String(perInstance),
      },
      timeout: ATTRIBUTION_TIMEOUT,
      memorySize: 512,
      runtime: props.runtime,
      logRetention: props.logRetention,
      ...(props.bundling !== undefined && { bundling: props.bundling }),
    });
    const fn = this.attributor;
    fn.allow(
      'ConsumeChangeQueue',
      ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      [this.queue.queueArn],
    );
    fn.grantKey(props.key, 'UseCloudBlameKey', ['kms:Decrypt']);
    fn.allow('LookUpCloudTrailEvents', ['cloudtrail:LookupEvents'], ['*']);
    fn.allow('ReadConfigHistory', ['config:GetResourceConfigHistory'], ['*']);
    acknowledgeWildcardResources(
      fn.role,
      ['*'],
      'cloudtrail:LookupEvents and config:GetResourceConfigHistory support no resource-level permissions (the Service Authorization Reference lists no resource type for them), so IAM requires "*"; both are read-only.',
    );
    if (props.configDeliveryBucket !== undefined) {
      const account = Stack.of(this).account;
      // Config writes oversized items under [prefix/]AWSLogs/<account>/Config/<region>/...
      const objects = props.configDeliveryBucket.arnForObjects(`*AWSLogs/${account}/Config/*`);
      fn.allow('ReadOversizedConfigItems', ['s3:GetObject'], [objects]);
      acknowledgeWildcardResources(
        fn.role,
        [objects],
        'Oversized configuration items are read from the objects AWS Config delivers under AWSLogs/<account>/Config/ in its delivery bucket; their keys are known only from each notification.',
      );
      const bucketKey = props.configDeliveryBucket.encryptionKey;
      if (bucketKey !== undefined) fn.grantKey(bucketKey, 'DecryptOversizedConfigItems', ['kms:Decrypt']);
    }

    this.eventSourceMapping = fn.function.addEventSourceMapping('ChangeQueue', {
      eventSourceArn: this.queue.queueArn,
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(5),
      reportBatchItemFailures: true,
      maxConcurrency: ATTRIBUTION_MAX_CONCURRENCY,
    });
    // The mapping checks the role's permissions when it is created.
    this.eventSourceMapping.node.addDependency(fn.role);
  }
}
