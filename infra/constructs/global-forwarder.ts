/**
 * IAM, STS through its global endpoint, and console sign-in record their CloudTrail events in us-east-1,
 * and EventBridge delivers them only there. A CloudBlame stack in another region therefore needs this
 * construct in a us-east-1 stack of the same account: one rule that forwards those events to the default
 * bus of the CloudBlame region, where the event index and the alert rules see them as if they were local
 * (the events keep their `region`, us-east-1).
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CloudBlameValidationError } from './validation.js';

/** Event sources whose CloudTrail events arrive in us-east-1 only. */
export const GLOBAL_EVENT_SOURCES = ['aws.iam', 'aws.sts', 'aws.signin', 'aws.organizations'] as const;

export const GLOBAL_EVENT_DETAIL_TYPES = [
  'AWS API Call via CloudTrail',
  'AWS Console Sign In via CloudTrail',
] as const;

export interface CloudBlameGlobalForwarderProps {
  /** The region of the CloudBlame stack, whose default event bus receives the events (e.g. `eu-west-1`). */
  readonly targetRegion: string;

  /**
   * Event sources to forward.
   *
   * @default ['aws.iam', 'aws.sts', 'aws.signin', 'aws.organizations']
   */
  readonly sources?: readonly string[];

  /**
   * Where events go that EventBridge could not forward.
   *
   * @default no dead-letter queue
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** Deploy in us-east-1, in the account of the CloudBlame stack. */
export class CloudBlameGlobalForwarder extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: CloudBlameGlobalForwarderProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!Token.isUnresolved(stack.region) && stack.region !== 'us-east-1') {
      throw new CloudBlameValidationError(
        this,
        `CloudBlameGlobalForwarder must be deployed in us-east-1, where global services deliver their events, but its stack is in ${stack.region}; create it in a stack with env: { region: 'us-east-1' }`,
      );
    }
    if (Token.isUnresolved(props.targetRegion) || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(props.targetRegion)) {
      throw new CloudBlameValidationError(
        this,
        `targetRegion must be a region name such as eu-west-1, but "${props.targetRegion}" was provided`,
      );
    }
    if (props.targetRegion === 'us-east-1') {
      throw new CloudBlameValidationError(
        this,
        'targetRegion must be another region than us-east-1, but us-east-1 was provided; a CloudBlame stack in us-east-1 receives global events without a forwarder',
      );
    }
    const sources = props.sources ?? GLOBAL_EVENT_SOURCES;
    if (sources.length === 0) {
      throw new CloudBlameValidationError(
        this,
        'sources must list at least one event source such as aws.iam, but an empty list was provided',
      );
    }
    const bus = events.EventBus.fromEventBusArn(
      this,
      'TargetBus',
      stack.formatArn({
        service: 'events',
        region: props.targetRegion,
        resource: 'event-bus',
        resourceName: 'default',
      }),
    );
    this.rule = new events.Rule(this, 'Rule', {
      description: `cloudblame: ${sources.join(', ')} CloudTrail events, forwarded to the default bus in ${props.targetRegion}`,
      eventPattern: { source: [...sources], detailType: [...GLOBAL_EVENT_DETAIL_TYPES] },
    });
    this.rule.addTarget(
      new targets.EventBus(bus, {
        ...(props.deadLetterQueue !== undefined && { deadLetterQueue: props.deadLetterQueue }),
      }),
    );
  }
}
