/**
 * The deployable app of this repository: `CloudBlameStack` (the CloudBlame construct and its outputs),
 * plus `CloudBlameGlobalForwarderStack` in us-east-1 when the main stack is in another region, with the
 * cdk-nag AwsSolutions checks registered on the app. Used by infra/app.ts (`npx cdk deploy`) and
 * infra/synth.ts (`npm run synth`).
 */
import { App, CfnOutput, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { CloudBlame, type CloudBlameProps } from './cloudblame.js';
import type { CloudBlameGlobalForwarder } from './constructs/global-forwarder.js';

export interface CloudBlameStackProps extends StackProps {
  /** Props of the CloudBlame construct. @default the construct's defaults */
  readonly cloudBlame?: CloudBlameProps;
  /**
   * Name of the bucket AWS Config delivers to (imported as `configDeliveryBucket`).
   * @default none
   */
  readonly configDeliveryBucketName?: string;
}

export class CloudBlameStack extends Stack {
  public readonly cloudBlame: CloudBlame;

  constructor(scope: Construct, id: string, props: CloudBlameStackProps = {}) {
    const { cloudBlame, configDeliveryBucketName, ...stackProps } = props;
    super(scope, id, {
      description: 'cloudblame: who changed what in this account, how, and whether it was outside IaC',
      ...stackProps,
    });
    const deliveryBucket =
      configDeliveryBucketName === undefined
        ? undefined
        : s3.Bucket.fromBucketName(this, 'ConfigDeliveryBucket', configDeliveryBucketName);
    this.cloudBlame = new CloudBlame(this, 'CloudBlame', {
      ...cloudBlame,
      ...(deliveryBucket !== undefined && { configDeliveryBucket: deliveryBucket }),
    });
    const cb = this.cloudBlame;
    new CfnOutput(this, 'TopicArn', { value: cb.topic.topicArn, description: 'Findings are published here' });
    new CfnOutput(this, 'ArchiveBucketName', { value: cb.archiveBucket.bucketName });
    new CfnOutput(this, 'ChangeDeadLetterQueueUrl', {
      value: cb.changeDeadLetterQueue.queueUrl,
      description: 'Changes that failed attribution 30 times; redrive from the SQS console',
    });
    new CfnOutput(this, 'IndexTableName', { value: cb.indexTable.tableName });
    new CfnOutput(this, 'AlertRuleCount', { value: String(cb.alertRules.length) });
  }
}

export interface BuildAppOptions {
  /** Cloud assembly directory. @default the CDK's (cdk.out, or the CLI's choice) */
  readonly outdir?: string;
  /** Context values, as `-c key=value` gives them. @default none */
  readonly context?: Readonly<Record<string, string>>;
  /** Environment variables to read settings from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Register the cdk-nag AwsSolutions checks. @default true */
  readonly nag?: boolean;
}

export interface CloudBlameApp {
  readonly app: App;
  readonly stack: CloudBlameStack;
  readonly forwarder?: CloudBlameGlobalForwarder;
  /** The configuration file used, if any. */
  readonly configFile?: string;
}

function listOf(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Settings, each from context (`-c name=value`) or else the environment variable:
 *
 * | context | environment variable | meaning |
 * | --- | --- | --- |
 * | `config` | `CLOUDBLAME_CONFIG_FILE` | the configuration file (default: the default configuration) |
 * | `emails` | `CLOUDBLAME_EMAILS` | comma-separated addresses subscribed to the topic |
 * | `configDeliveryBucket` | `CLOUDBLAME_CONFIG_DELIVERY_BUCKET` | the AWS Config delivery bucket's name |
 * | `stackName` | `CLOUDBLAME_STACK_NAME` | default `CloudBlameStack` |
 * | `globalForwarder` | `CLOUDBLAME_GLOBAL_FORWARDER` | `false` to skip the us-east-1 forwarder stack |
 */
export function buildApp(options: BuildAppOptions = {}): CloudBlameApp {
  const app = new App({
    ...(options.outdir !== undefined && { outdir: options.outdir }),
    ...(options.context !== undefined && { context: { ...options.context } }),
  });
  const env = options.env ?? process.env;
  const setting = (contextKey: string, envKey: string): string | undefined => {
    const fromContext: unknown = app.node.tryGetContext(contextKey);
    if (typeof fromContext === 'string' && fromContext !== '') return fromContext;
    const fromEnv = env[envKey];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const configFile = setting('config', 'CLOUDBLAME_CONFIG_FILE');
  const emails = listOf(setting('emails', 'CLOUDBLAME_EMAILS'));
  const deliveryBucket = setting('configDeliveryBucket', 'CLOUDBLAME_CONFIG_DELIVERY_BUCKET');
  const account = env['CDK_DEFAULT_ACCOUNT'];
  const region = env['CDK_DEFAULT_REGION'];

  const stack = new CloudBlameStack(app, setting('stackName', 'CLOUDBLAME_STACK_NAME') ?? 'CloudBlameStack', {
    ...(account !== undefined || region !== undefined ? { env: { account, region } } : {}),
    cloudBlame: {
      ...(configFile !== undefined && { configFile }),
      ...(emails !== undefined && { emailSubscriptions: emails }),
    },
    ...(deliveryBucket !== undefined && { configDeliveryBucketName: deliveryBucket }),
  });

  let forwarder: CloudBlameGlobalForwarder | undefined;
  const wantForwarder = setting('globalForwarder', 'CLOUDBLAME_GLOBAL_FORWARDER') !== 'false';
  if (wantForwarder && region !== undefined && !Token.isUnresolved(region) && region !== 'us-east-1') {
    const forwarderStack = new Stack(app, `${stack.stackName}GlobalForwarder`, {
      description: `cloudblame: forwards IAM, STS and sign-in events from us-east-1 to ${region}`,
      env: { account, region: 'us-east-1' },
    });
    forwarder = stack.cloudBlame.forwardGlobalEventsFrom(forwarderStack);
  }
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return {
    app,
    stack,
    ...(forwarder !== undefined && { forwarder }),
    ...(configFile !== undefined && { configFile }),
  };
}
