/**
 * Where findings go: an SNS topic encrypted with the cloudblame key (with optional email subscriptions), the
 * SNS topics and the Secrets Manager secrets that the configuration file's `notifications.channels` name.
 * A webhook URL is a credential: in AWS it comes from Secrets Manager, never from an environment variable.
 */
import { Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { NotificationChannel } from '../../src/core/notify/routing.js';
import type { CloudBlameFunction } from './handler.js';
import { CloudBlameValidationError } from './validation.js';

export interface NotificationsProps {
  /** Encrypts the topic. */
  readonly key: kms.IKey;
  /** The configuration file's `notifications.channels`, validated. */
  readonly channels: readonly NotificationChannel[];
  /** Addresses subscribed to the topic (each confirms by email). */
  readonly emailSubscriptions: readonly string[];
  /** More secrets the handlers may read, besides those the channels name. */
  readonly secrets: readonly secretsmanager.ISecret[];
}

/** A secret the handlers read, as IAM names it. */
interface SecretGrant {
  /** The ARN for the policy: the full ARN, or a partial ARN followed by `-??????`. */
  readonly resource: string;
  readonly key?: kms.IKey;
}

/** A Secrets Manager ARN ends in `-` and six random characters unless it was given as a partial ARN. */
const COMPLETE_SECRET_ARN = /:secret:.+-[A-Za-z0-9]{6}$/;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export class Notifications extends Construct {
  /** The topic every finding is published to (`TOPIC_ARN` of the handlers). */
  public readonly topic: sns.Topic;
  /** The topics of `type: sns` channels. */
  public readonly channelTopicArns: readonly string[];
  private readonly secretGrants: readonly SecretGrant[];
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.key = props.key;
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'cloudblame',
      masterKey: props.key,
      enforceSSL: true,
    });
    props.emailSubscriptions.forEach((address, index) => {
      if (!Token.isUnresolved(address) && !EMAIL.test(address)) {
        throw new CloudBlameValidationError(
          this,
          `emailSubscriptions[${index}] must be an email address such as security@example.com, but "${address}" was provided`,
        );
      }
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    });

    const topicArns: string[] = [];
    const grants = new Map<string, SecretGrant>();
    props.channels.forEach((channel, index) => {
      const where = `notifications.channels[${index}] ("${channel.name}")`;
      switch (channel.type) {
        case 'sns':
          if (!topicArns.includes(channel.topicArn)) topicArns.push(channel.topicArn);
          return;
        case 'file':
          throw new CloudBlameValidationError(
            this,
            `${where} must not be of type "file" when deployed: a Lambda function keeps no files, but type "file" (path ${channel.path}) was provided; remove the channel from the configuration you deploy, or use an sns or webhook channel`,
          );
        default: {
          if ('env' in channel.url) {
            throw new CloudBlameValidationError(
              this,
              `${where} must read its URL from Secrets Manager when deployed, but url: { env: ${channel.url.env} } was provided; store the URL in a secret and use url: { secretArn: "arn:aws:secretsmanager:..." } (environment variables of a Lambda function are readable by anyone who can read its configuration)`,
            );
          }
          const arn = channel.url.secretArn;
          grants.set(arn, { resource: COMPLETE_SECRET_ARN.test(arn) ? arn : `${arn}-??????` });
        }
      }
    });
    for (const secret of props.secrets) {
      const resource = secret.secretFullArn ?? `${secret.secretArn}-??????`;
      grants.set(resource, {
        resource,
        ...(secret.encryptionKey !== undefined && { key: secret.encryptionKey }),
      });
    }
    this.channelTopicArns = topicArns;
    this.secretGrants = [...grants.values()];
  }

  /** The ARN patterns of the secrets the handlers may read. */
  public get secretResources(): readonly string[] {
    return this.secretGrants.map((grant) => grant.resource);
  }

  /**
   * Lets `fn` deliver: sns:Publish on the topic and the channels' topics, the key to publish to an encrypted
   * topic, and secretsmanager:GetSecretValue on the webhook URL secrets.
   */
  public grantDeliver(fn: CloudBlameFunction): void {
    fn.allow('PublishFindings', ['sns:Publish'], [this.topic.topicArn, ...this.channelTopicArns]);
    fn.grantKey(this.key, 'UseCloudBlameKey', ['kms:GenerateDataKey', 'kms:Decrypt']);
    if (this.secretGrants.length > 0) {
      fn.allow(
        'ReadWebhookUrls',
        ['secretsmanager:GetSecretValue'],
        this.secretGrants.map((grant) => grant.resource),
      );
    }
    this.secretGrants.forEach((grant, index) => {
      if (grant.key !== undefined) fn.grantKey(grant.key, `DecryptWebhookUrlSecret${index}`, ['kms:Decrypt']);
    });
  }
}
