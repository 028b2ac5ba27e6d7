/**
 * `git blame` for an AWS account, deployed: `new CloudBlame(this, 'CloudBlame', { configFile })`.
 *
 * - Config "Config Configuration Item Change" events (normal and oversized) -> EventBridge rule -> SQS
 *   queue (dead-letter queue + alarm) -> attribution function (batches, partial batch failures).
 * - "AWS API Call via CloudTrail" write events -> EventBridge rule -> index function -> DynamoDB table
 *   (TTL), which attribution queries before it falls back to CloudTrail LookupEvents.
 * - Each enabled critical-action rule -> one EventBridge rule -> alert function.
 * - Findings -> an SNS topic (KMS) with optional email subscriptions, and the configuration file's channels
 *   (Slack, Teams, webhooks: URLs from Secrets Manager); each raw Config message archived in S3.
 *
 * CloudTrail events reach EventBridge only where a trail is logging management events. IAM, STS (global
 * endpoint) and console sign-in events are delivered in us-east-1 only: deploy there, or add a
 * CloudBlameGlobalForwarder in us-east-1 (`forwardGlobalEventsFrom`). See infra/README.md.
 */
import { Annotations, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type CloudBlameConfig, defaultConfig } from '../src/core/config/schema.js';
import { type NotificationsConfig, notificationsSchema } from '../src/core/notify/routing.js';
import { type RulesSection, resolveRules, rulesConfigSchema } from '../src/core/rules/config.js';
import type { BundleOptions } from './bundle.js';
import { loadConfigFileSync } from './config-file.js';
import { type AlertRuleSpec, CriticalActionAlerts } from './constructs/alerts.js';
import { ConfigArchive } from './constructs/archive.js';
import { ChangePipeline, resourceTypeMatchers } from './constructs/change-pipeline.js';
import { EventIndex } from './constructs/event-index.js';
import { CloudBlameGlobalForwarder } from './constructs/global-forwarder.js';
import type { CloudBlameFunction } from './constructs/handler.js';
import { Notifications } from './constructs/notifications.js';
import { CloudBlameValidationError, requireBetween, wholeDuration } from './constructs/validation.js';

export type { BundleOptions } from './bundle.js';
export { type AlertRuleSpec, CriticalActionAlerts } from './constructs/alerts.js';
export { ChangePipeline, configChangePattern } from './constructs/change-pipeline.js';
export { EventIndex, INDEX_EVENT_PATTERN } from './constructs/event-index.js';
export {
  CloudBlameGlobalForwarder,
  type CloudBlameGlobalForwarderProps,
  GLOBAL_EVENT_SOURCES,
} from './constructs/global-forwarder.js';
export { CloudBlameValidationError } from './constructs/validation.js';

export interface CloudBlameProps {
  /**
   * The cloudblame configuration, already validated (`parseConfig`, `loadConfigFile`). Give this or
   * `configFile`, not both. It is written as `cloudblame.config.json` beside each handler's code.
   *
   * @default the default configuration (`defaultConfig()`), unless `configFile` is given
   */
  readonly config?: CloudBlameConfig;

  /**
   * Path of a configuration file (`.yaml`, `.yml` or `.json`), read and validated while the app is built.
   *
   * @default none: `config`, or the default configuration
   */
  readonly configFile?: string;

  /**
   * Config resource types whose changes are attributed (globs such as `AWS::EC2::*` become EventBridge
   * `wildcard` matchers). Changes of other types never reach the queue. The configuration's
   * `resourceTypes.exclude` is applied by the attribution function.
   *
   * @default the configuration's `resourceTypes.include` (every type for `["*"]`)
   */
  readonly resourceTypes?: readonly string[];

  /**
   * How long an indexed CloudTrail event is kept, in whole hours between 1 and 2,160 (90 days, as far back
   * as LookupEvents reaches). It must cover `fallbackAfter` plus the configuration's
   * `correlation.windowMinutes`.
   *
   * @default Duration.hours(24)
   */
  readonly indexTtl?: Duration;

  /**
   * How long a change waits for its CloudTrail event to appear in the index before attribution falls back
   * to LookupEvents, in whole minutes between 1 and 120. CloudTrail delivers most events to EventBridge
   * within minutes, and within 15 minutes at worst.
   *
   * @default Duration.minutes(15)
   */
  readonly fallbackAfter?: Duration;

  /**
   * LookupEvents calls per second for the account and region, between 0.1 and 2 (the CloudTrail limit is 2
   * per second per account and region, shared with everything else that calls it, the console's Event
   * history included). The attribution functions (at most 2 at a time) share it equally.
   *
   * @default 2
   */
  readonly lookupEventsPerSecond?: number;

  /**
   * How long archived Config messages are kept, in whole days between 1 and 3,650.
   *
   * @default Duration.days(395)
   */
  readonly archiveExpiration?: Duration;

  /**
   * Bucket for the S3 server access logs of the archive bucket.
   *
   * @default no server access logs
   */
  readonly archiveAccessLogsBucket?: s3.IBucket;

  /**
   * The bucket AWS Config delivers to. Oversized configuration items (over 256 KB) are read from it
   * (s3:GetObject on `*AWSLogs/<account>/Config/*`, and kms:Decrypt on its key if the IBucket has one).
   *
   * @default none: oversized items are read with config:GetResourceConfigHistory
   */
  readonly configDeliveryBucket?: s3.IBucket;

  /**
   * Email addresses subscribed to the notification topic. Each receives a confirmation email first.
   *
   * @default none
   */
  readonly emailSubscriptions?: readonly string[];

  /**
   * Secrets the handlers may read, besides those named by `notifications.channels[].url.secretArn` in the
   * configuration. Pass a secret here (with its `encryptionKey`) when it is encrypted with a customer
   * managed key, so the handlers get kms:Decrypt on it.
   *
   * @default only the secrets the configuration names
   */
  readonly secrets?: readonly secretsmanager.ISecret[];

  /**
   * Where the dead-letter queue alarms go.
   *
   * @default the notification topic
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Whether the critical-action rules are deployed (one EventBridge rule per enabled rule).
   *
   * @default true
   */
  readonly enableAlerts?: boolean;

  /**
   * The key encrypting the topic and the queues. A key you pass must let events.amazonaws.com and
   * cloudwatch.amazonaws.com use it (kms:GenerateDataKey*, kms:Decrypt) in its key policy.
   *
   * @default a new customer managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The Lambda runtime of the handlers (bundled for Node.js 20 and later).
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;

  /**
   * Retention of the handlers' log groups.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Where the handlers are bundled from and to.
   *
   * @default the cloudblame package that holds this construct; a directory under the OS temp dir
   */
  readonly bundling?: BundleOptions;
}

const DEFAULTS = {
  indexTtl: Duration.hours(24),
  fallbackAfter: Duration.minutes(15),
  lookupEventsPerSecond: 2,
  archiveExpiration: Duration.days(395),
} as const;

/** Powertools settings every handler gets. */
const POWERTOOLS_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'cloudblame',
  POWERTOOLS_METRICS_NAMESPACE: 'CloudBlame',
} as const;

/** A configuration section the schema may or may not define yet, read without trusting its type. */
function sectionOf(config: CloudBlameConfig, key: string): unknown {
  return (config as unknown as Readonly<Record<string, unknown>>)[key];
}

/** The configuration's `notifications` section, validated (defaults when absent). */
export function notificationsOf(config: CloudBlameConfig): NotificationsConfig {
  return notificationsSchema.parse(sectionOf(config, 'notifications'));
}

/** The enabled critical-action rules of a configuration: built-in and custom, minus the disabled ones. */
export function enabledRulesOf(config: CloudBlameConfig): AlertRuleSpec[] {
  const section = rulesConfigSchema.parse(sectionOf(config, 'rules')) as RulesSection;
  return resolveRules(section).map((rule) => ({ id: rule.id, title: rule.title, pattern: rule.pattern }));
}

export class CloudBlame extends Construct {
  /** The validated configuration the handlers read. */
  public readonly config: CloudBlameConfig;
  /** Encrypts the topic and the queues. */
  public readonly key: kms.IKey;
  /** Every finding is published here. */
  public readonly topic: sns.Topic;
  public readonly archiveBucket: s3.Bucket;
  /** The CloudTrail event index: `pk`, `sk`, TTL `ttl`. */
  public readonly indexTable: dynamodb.Table;
  /** Powertools idempotency records: `id`, TTL `expiration`. */
  public readonly idempotencyTable: dynamodb.Table;
  public readonly changeQueue: sqs.Queue;
  public readonly changeDeadLetterQueue: sqs.Queue;
  public readonly indexFunction: lambda.Function;
  public readonly attributionFunction: lambda.Function;
  /** Undefined when `enableAlerts` is false. */
  public readonly alertFunction?: lambda.Function;
  /** The deployed alert rules, in order (empty when alerts are off). */
  public readonly alertRules: readonly AlertRuleSpec[];
  public readonly eventIndex: EventIndex;
  public readonly changePipeline: ChangePipeline;
  public readonly alerts?: CriticalActionAlerts;

  constructor(scope: Construct, id: string, props: CloudBlameProps = {}) {
    super(scope, id);
    if (props.config !== undefined && props.configFile !== undefined) {
      throw new CloudBlameValidationError(
        this,
        `config and configFile must not both be given, but both were (configFile ${props.configFile}); pass one`,
      );
    }
    this.config =
      props.config ??
      (props.configFile !== undefined ? loadConfigFileSync(props.configFile) : defaultConfig());
    const settings = this.validate(props);
    const notificationsConfig = notificationsOf(this.config);
    const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const bundling = props.bundling !== undefined ? { bundling: props.bundling } : {};

    this.key =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: 'cloudblame: encrypts the notification topic and the queues',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.allowServicesToUseKey();

    const notifications = new Notifications(this, 'Notifications', {
      key: this.key,
      channels: notificationsConfig.channels,
      emailSubscriptions: props.emailSubscriptions ?? [],
      secrets: props.secrets ?? [],
    });
    this.topic = notifications.topic;
    const alarmTopic = props.alarmTopic ?? this.topic;

    const archive = new ConfigArchive(this, 'Archive', {
      expiration: props.archiveExpiration ?? DEFAULTS.archiveExpiration,
      ...(props.archiveAccessLogsBucket !== undefined && { accessLogsBucket: props.archiveAccessLogsBucket }),
    });
    this.archiveBucket = archive.bucket;

    this.idempotencyTable = new dynamodb.Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.idempotencyTable).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'Idempotency records live for hours and only prevent duplicate notifications; restoring them to a point in time has no use.',
    });

    this.eventIndex = new EventIndex(this, 'EventIndex', {
      key: this.key,
      alarmTopic,
      ttlHours: settings.indexTtlHours,
      config: this.config,
      runtime,
      logRetention,
      environment: POWERTOOLS_ENVIRONMENT,
      ...bundling,
    });
    this.indexTable = this.eventIndex.table;
    this.indexFunction = this.eventIndex.indexer.function;

    this.changePipeline = new ChangePipeline(this, 'Changes', {
      key: this.key,
      alarmTopic,
      ...(settings.resourceTypes !== undefined && { resourceTypes: settings.resourceTypes }),
      config: this.config,
      runtime,
      logRetention,
      environment: {
        ...POWERTOOLS_ENVIRONMENT,
        INDEX_TABLE_NAME: this.indexTable.tableName,
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
        ARCHIVE_BUCKET_NAME: this.archiveBucket.bucketName,
        TOPIC_ARN: this.topic.topicArn,
      },
      fallbackAfterMinutes: settings.fallbackAfterMinutes,
      lookupEventsPerSecond: settings.lookupEventsPerSecond,
      ...(props.configDeliveryBucket !== undefined && { configDeliveryBucket: props.configDeliveryBucket }),
      ...bundling,
    });
    this.changeQueue = this.changePipeline.queue;
    this.changeDeadLetterQueue = this.changePipeline.deadLetterQueue;
    const attributor = this.changePipeline.attributor;
    this.attributionFunction = attributor.function;
    notifications.grantDeliver(attributor);
    this.eventIndex.grantQuery(attributor);
    this.grantIdempotency(attributor);
    archive.grantArchive(attributor);

    if (props.enableAlerts ?? true) {
      this.alertRules = enabledRulesOf(this.config);
      this.alerts = new CriticalActionAlerts(this, 'Alerts', {
        key: this.key,
        alarmTopic,
        rules: this.alertRules,
        config: this.config,
        runtime,
        logRetention,
        environment: {
          ...POWERTOOLS_ENVIRONMENT,
          IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
          TOPIC_ARN: this.topic.topicArn,
        },
        ...bundling,
      });
      this.alertFunction = this.alerts.alerter.function;
      notifications.grantDeliver(this.alerts.alerter);
      this.grantIdempotency(this.alerts.alerter);
    } else {
      this.alertRules = [];
    }

    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region !== 'us-east-1') {
      Annotations.of(this).addInfo(
        `cloudblame: this stack is in ${region}; IAM, STS (global endpoint) and console sign-in events are delivered in us-east-1 only. Deploy a CloudBlameGlobalForwarder there (cloudBlame.forwardGlobalEventsFrom(aUsEast1Stack)) so they are indexed and alerted on.`,
      );
    }
  }

  /**
   * Adds a CloudBlameGlobalForwarder to `scope` (in a us-east-1 stack of the same account) that forwards
   * IAM, STS and sign-in events to this construct's region.
   */
  public forwardGlobalEventsFrom(
    scope: Construct,
    id = 'CloudBlameGlobalForwarder',
  ): CloudBlameGlobalForwarder {
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      throw new CloudBlameValidationError(
        this,
        `forwardGlobalEventsFrom needs the region of the CloudBlame stack, but the stack is environment-agnostic; give the stack env: { account, region }`,
      );
    }
    const forwarder = new CloudBlameGlobalForwarder(scope, id, { targetRegion: region });
    Stack.of(forwarder).addStackDependency(
      Stack.of(this),
      'the forwarder sends events to the CloudBlame region',
    );
    return forwarder;
  }

  private validate(props: CloudBlameProps) {
    const lookupEventsPerSecond = requireBetween(
      this,
      'lookupEventsPerSecond',
      props.lookupEventsPerSecond ?? DEFAULTS.lookupEventsPerSecond,
      0.1,
      2,
    );
    const fallbackAfterMinutes = wholeDuration(
      this,
      'fallbackAfter',
      props.fallbackAfter ?? DEFAULTS.fallbackAfter,
      'minutes',
      1,
      120,
    );
    const indexTtlHours = wholeDuration(
      this,
      'indexTtl',
      props.indexTtl ?? DEFAULTS.indexTtl,
      'hours',
      1,
      2160,
    );
    const window = this.config.correlation.windowMinutes;
    if (indexTtlHours * 60 < fallbackAfterMinutes + window) {
      throw new CloudBlameValidationError(
        this,
        `indexTtl must be at least fallbackAfter plus correlation.windowMinutes (${fallbackAfterMinutes} + ${window} minutes), but ${Duration.hours(indexTtlHours).toHumanString()} was provided; raise indexTtl`,
      );
    }
    wholeDuration(
      this,
      'archiveExpiration',
      props.archiveExpiration ?? DEFAULTS.archiveExpiration,
      'days',
      1,
      3650,
    );
    const resourceTypes = resourceTypeMatchers(
      this,
      props.resourceTypes !== undefined ? 'resourceTypes' : 'the configuration resourceTypes.include',
      props.resourceTypes ?? this.config.resourceTypes.include,
    );
    return { lookupEventsPerSecond, fallbackAfterMinutes, indexTtlHours, resourceTypes };
  }

  /** The Powertools idempotency calls: GetItem, PutItem, UpdateItem, DeleteItem on the table. */
  private grantIdempotency(fn: CloudBlameFunction): void {
    fn.allow(
      'IdempotencyRecords',
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [this.idempotencyTable.tableArn],
    );
  }

  /**
   * EventBridge writes to the encrypted queues (the change queue, the dead-letter queues of its targets)
   * and CloudWatch alarms publish to the encrypted topic: both need the key, through its key policy.
   */
  private allowServicesToUseKey(): void {
    const statements = [
      new iam.PolicyStatement({
        sid: 'EventBridgeSendsToEncryptedQueues',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        // No aws:SourceAccount condition: KMS requests EventBridge makes for a target do not carry it, and a
        // condition would drop every event. The queue policies say who may send.
      }),
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    ];
    for (const statement of statements) this.key.addToResourcePolicy(statement, true);
  }
}
