/**
 * One cloudblame Lambda function: its bundle (with the configuration file beside it), its own role with
 * nothing but what the caller grants, and its own log group. The role is created here rather than by
 * `lambda.Function` so that no AWS managed policy (AWSLambdaBasicExecutionRole, cdk-nag IAM4) is attached:
 * log writing is granted on this function's log group alone.
 */
import { type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type BundleOptions, type HandlerName, handlerAssetDir } from '../bundle.js';

export interface CloudBlameFunctionProps {
  /** Which handler of `src/lambda/` to bundle. */
  readonly handler: HandlerName;
  /** The validated configuration, written as `cloudblame.config.json` beside the bundle. */
  readonly config: unknown;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly runtime: lambda.Runtime;
  readonly logRetention: logs.RetentionDays;
  /** Where failed asynchronous invocations go (after Lambda's own two retries). @default none */
  readonly deadLetterQueue?: sqs.IQueue;
  /** The key of `deadLetterQueue`, so the role can encrypt what it sends there. @default none */
  readonly deadLetterQueueKey?: kms.IKey;
  readonly bundling?: BundleOptions;
}

export class CloudBlameFunction extends Construct {
  public readonly role: iam.Role;
  public readonly function: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  private readonly keyStatements = new Map<string, iam.PolicyStatement>();

  constructor(scope: Construct, id: string, props: CloudBlameFunctionProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (cloudblame ${props.handler})`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new lambda.Function(this, 'Function', {
      description: props.description,
      runtime: props.runtime,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(handlerAssetDir(props.handler, props.config, props.bundling)),
      role: this.role,
      timeout: props.timeout,
      memorySize: props.memorySize,
      environment: { ...props.environment },
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      ...(props.deadLetterQueue !== undefined && { deadLetterQueue: props.deadLetterQueue }),
    });
    if (props.deadLetterQueueKey !== undefined) {
      // lambda.Function grants sqs:SendMessage on its dead-letter queue; the queue's key needs this too.
      this.grantKey(props.deadLetterQueueKey, 'UseCloudBlameKey', ['kms:GenerateDataKey', 'kms:Decrypt']);
    }
  }

  /** Adds one statement with exactly `actions` on `resources`. */
  public allow(sid: string, actions: readonly string[], resources: readonly string[]): void {
    this.role.addToPolicy(new iam.PolicyStatement({ sid, actions: [...actions], resources: [...resources] }));
  }

  /** kms `actions` on `key`: one statement per key, to which later calls add their actions. */
  public grantKey(key: kms.IKey, sid: string, actions: readonly string[]): void {
    const id = JSON.stringify(Stack.of(this).resolve(key.keyArn));
    const existing = this.keyStatements.get(id);
    if (existing !== undefined) {
      const missing = actions.filter((action) => !existing.actions.includes(action));
      if (missing.length > 0) existing.addActions(...missing);
      return;
    }
    const statement = new iam.PolicyStatement({ sid, actions: [...actions], resources: [key.keyArn] });
    this.keyStatements.set(id, statement);
    this.role.addToPolicy(statement);
  }
}
