/** SQS queues encrypted with the cloudblame key and reachable only over TLS, and the alarm on a dead-letter queue. */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** How long a dead-letter queue keeps what it holds: the SQS maximum, to leave time for a redrive. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

export function encryptedQueue(
  scope: Construct,
  id: string,
  key: kms.IKey,
  props: Omit<sqs.QueueProps, 'encryption' | 'encryptionMasterKey' | 'enforceSSL'> = {},
): sqs.Queue {
  return new sqs.Queue(scope, id, {
    ...props,
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
  });
}

/**
 * A queue that only ever receives what failed elsewhere (an EventBridge target or a Lambda asynchronous
 * invocation): a dead-letter queue that SQS does not know as one, so cdk-nag's SQS3 is acknowledged.
 */
export function failedEventsQueue(scope: Construct, id: string, key: kms.IKey, what: string): sqs.Queue {
  const queue = encryptedQueue(scope, id, key, { retentionPeriod: DEAD_LETTER_RETENTION });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself a dead-letter queue: it receives ${what}. A dead-letter queue of a dead-letter queue would only move the same messages again.`,
  });
  return queue;
}

/** Alarms as soon as `queue` holds a message: something was not processed and waits for a person. */
export function deadLetterAlarm(
  scope: Construct,
  id: string,
  queue: sqs.IQueue,
  description: string,
  topic: sns.ITopic,
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.MAXIMUM,
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(topic));
  return alarm;
}
