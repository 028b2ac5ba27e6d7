/**
 * The event index: an EventBridge rule on "AWS API Call via CloudTrail" write events that succeeded, an
 * index function storing a compact form of each in DynamoDB, keyed so that "events that name this
 * identifier within this time window" is one Query (`pk` = identifier, `sk` begins with the event time),
 * expiring by TTL.
 *
 * CloudTrail events reach EventBridge only in an account and region where a trail is logging management
 * events; IAM, STS (global endpoint) and console sign-in deliver theirs in us-east-1 (see
 * CloudBlameGlobalForwarder).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BundleOptions } from '../bundle.js';
import { CloudBlameFunction } from './handler.js';
import { deadLetterAlarm, failedEventsQueue } from './queues.js';

/**
 * Management write events that succeeded: a failed call changed nothing, so it cannot explain a
 * configuration change. Read-only events reach a rule only if it opts in, which this one does not.
 */
export const INDEX_EVENT_PATTERN = {
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: { readOnly: [false], errorCode: [{ exists: false }] },
} as const;

export interface EventIndexProps {
  readonly key: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  /** Hours an indexed event is kept (`INDEX_TTL_HOURS`). */
  readonly ttlHours: number;
  readonly config: unknown;
  readonly runtime: lambda.Runtime;
  readonly logRetention: logs.RetentionDays;
  readonly environment: Readonly<Record<string, string>>;
  readonly bundling?: BundleOptions;
}

export class EventIndex extends Construct {
  /** Partition key `pk` (S), sort key `sk` (S), TTL attribute `ttl`. */
  public readonly table: dynamodb.Table;
  public readonly indexer: CloudBlameFunction;
  public readonly rule: events.Rule;
  /** Events EventBridge could not deliver, or that failed the index function three times. */
  public readonly failedEvents: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventIndexProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'ttl',
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'The index is a cache of the last hours of CloudTrail events, rebuilt by the events themselves and backed by CloudTrail LookupEvents; point-in-time recovery would restore nothing of value.',
    });

    this.failedEvents = failedEventsQueue(
      this,
      'FailedEvents',
      props.key,
      'CloudTrail events that EventBridge could not hand to the index function, or that the function failed on three times',
    );
    deadLetterAlarm(
      this,
      'FailedEventsAlarm',
      this.failedEvents,
      'cloudblame: CloudTrail events were not indexed. Changes they caused fall back to LookupEvents; look at the index function logs, then redrive the queue.',
      props.alarmTopic,
    );

    this.indexer = new CloudBlameFunction(this, 'Indexer', {
      handler: 'index-events',
      config: props.config,
      description: 'Stores a compact form of each CloudTrail write event, for attribution',
      environment: {
        ...props.environment,
        INDEX_TABLE_NAME: this.table.tableName,
        INDEX_TTL_HOURS: String(props.ttlHours),
      },
      timeout: Duration.seconds(30),
      memorySize: 256,
      runtime: props.runtime,
      logRetention: props.logRetention,
      deadLetterQueue: this.failedEvents,
      deadLetterQueueKey: props.key,
      ...(props.bundling !== undefined && { bundling: props.bundling }),
    });
    this.indexer.allow('IndexEvents', ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'], [this.table.tableArn]);

    this.rule = new events.Rule(this, 'Rule', {
      description: 'cloudblame: CloudTrail management write events that succeeded, to the event index',
      eventPattern: INDEX_EVENT_PATTERN as unknown as events.EventPattern,
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.indexer.function, {
        deadLetterQueue: this.failedEvents,
        retryAttempts: 10,
        maxEventAge: Duration.hours(1),
      }),
    );
  }

  /** dynamodb:Query on the index table: the one call attribution makes on it. */
  public grantQuery(fn: CloudBlameFunction): void {
    fn.allow('QueryEventIndex', ['dynamodb:Query'], [this.table.tableArn]);
  }
}
