import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_SIZE_TARGET_BYTES, CONFIG_FILE_NAME, findProjectRoot } from '../../infra/bundle.js';
import {
  CloudBlame,
  CloudBlameGlobalForwarder,
  enabledRulesOf,
  INDEX_EVENT_PATTERN,
} from '../../infra/cloudblame.js';
import { alertRuleName } from '../../infra/constructs/alerts.js';
import { parseConfig } from '../../src/core/config/schema.js';
import {
  ACCOUNT,
  ALERTS_TOPIC_ARN,
  actionsOf,
  logicalId,
  REGION,
  requireHandlers,
  richConfig,
  roleStatements,
  SLACK_SECRET_ARN,
  TEAMS_SECRET_PARTIAL_ARN,
} from './helpers.js';

const SYNTH_TIMEOUT = 180_000;

interface Built {
  readonly template: Template;
  readonly construct: CloudBlame;
  readonly assemblyDir: string;
  readonly stack: Stack;
}

function build(props: ConstructorParameters<typeof CloudBlame>[2], withDeliveryBucket = false): Built {
  // Asset metadata (aws:asset:path) lets the test find each function's bundle in the cloud assembly.
  const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Test', { env: { account: ACCOUNT, region: REGION } });
  const construct = new CloudBlame(stack, 'CloudBlame', {
    ...props,
    ...(withDeliveryBucket && {
      configDeliveryBucket: s3.Bucket.fromBucketName(stack, 'Delivery', 'config-delivery-bucket'),
    }),
  });
  const assembly = app.synth();
  return {
    template: Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template),
    construct,
    assemblyDir: assembly.directory,
    stack,
  };
}

const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('CloudBlame with a full configuration', () => {
  let built: Built;
  let template: Template;
  const config = richConfig();

  beforeAll(() => {
    requireHandlers();
    built = build({ config, emailSubscriptions: ['security@example.com'] }, true);
    template = built.template;
  }, SYNTH_TIMEOUT);

  const fn = (fragment: string) => logicalId(template, 'AWS::Lambda::Function', fragment);

  it('creates each resource once, and one EventBridge rule per enabled alert rule plus two', () => {
    const rules = enabledRulesOf(config);
    expect(rules.map((rule) => rule.id)).toContain('custom.secret-deleted');
    expect(rules.some((rule) => rule.id.startsWith('signin.'))).toBe(false);
    template.resourceCountIs('AWS::Events::Rule', rules.length + 2);
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.resourceCountIs('AWS::IAM::Role', 3);
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.resourceCountIs('AWS::SQS::Queue', 4);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    // The index rule's permission, and one for all alert rules.
    template.resourceCountIs('AWS::Lambda::Permission', 2);
  });

  describe('the change pipeline', () => {
    it('matches both Config notification types, for the configured resource types only', () => {
      const types = [{ wildcard: 'AWS::EC2::*' }, 'AWS::IAM::Role', 'AWS::S3::Bucket'];
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.config'],
          'detail-type': ['Config Configuration Item Change'],
          detail: {
            messageType: [
              'ConfigurationItemChangeNotification',
              'OversizedConfigurationItemChangeNotification',
            ],
            $or: [
              { configurationItem: { resourceType: types } },
              { configurationItemSummary: { resourceType: types } },
            ],
          },
        },
        Targets: [
          {
            Arn: getAtt(logicalId(template, 'AWS::SQS::Queue', 'ChangesQueue')),
            DeadLetterConfig: {
              Arn: getAtt(logicalId(template, 'AWS::SQS::Queue', 'ChangesDeadLetterQueue')),
            },
          },
        ],
      });
    });

    it('queues changes with a dead-letter queue after 30 receives and a visibility timeout of 6 x the function timeout', () => {
      const queue = logicalId(template, 'AWS::SQS::Queue', 'ChangesQueue');
      template.hasResource('AWS::SQS::Queue', {
        Properties: {
          VisibilityTimeout: 720,
          RedrivePolicy: {
            deadLetterTargetArn: getAtt(logicalId(template, 'AWS::SQS::Queue', 'ChangesDeadLetterQueue')),
            maxReceiveCount: 30,
          },
        },
      });
      template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 120, Role: Match.anyValue() });
      expect(queue).toMatch(/Queue/);
    });

    it('lets only its own rule send to the change queue and its dead-letter queue', () => {
      const rule = logicalId(template, 'AWS::Events::Rule', 'ChangesRule');
      for (const queue of ['ChangesQueue', 'ChangesDeadLetterQueue']) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: logicalId(template, 'AWS::SQS::Queue', queue) }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Sid: 'ConfigChangeEventsFromRule',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: getAtt(logicalId(template, 'AWS::SQS::Queue', queue)),
                Condition: { ArnEquals: { 'aws:SourceArn': getAtt(rule) } },
              },
            ]),
          },
        });
      }
    });

    it('feeds the attribution function in batches that report partial failures', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: getAtt(logicalId(template, 'AWS::SQS::Queue', 'ChangesQueue')),
        FunctionName: { Ref: fn('Attributor') },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 2 },
      });
    });

    it('alarms on every dead-letter queue, to the topic', () => {
      const topic = logicalId(template, 'AWS::SNS::Topic', 'Topic');
      for (const queue of ['ChangesDeadLetterQueue', 'EventIndexFailedEvents', 'AlertsFailedEvents']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Namespace: 'AWS/SQS',
          Dimensions: [
            {
              Name: 'QueueName',
              Value: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', queue), 'QueueName'] },
            },
          ],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [{ Ref: topic }],
        });
      }
    });
  });

  describe('the event index', () => {
    it('matches CloudTrail management write events that succeeded', () => {
      expect(INDEX_EVENT_PATTERN).toEqual({
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { readOnly: [false], errorCode: [{ exists: false }] },
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: INDEX_EVENT_PATTERN,
        Targets: [
          Match.objectLike({
            Arn: getAtt(fn('Indexer')),
            DeadLetterConfig: {
              Arn: getAtt(logicalId(template, 'AWS::SQS::Queue', 'EventIndexFailedEvents')),
            },
            RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
          }),
        ],
      });
    });

    it('stores events in a table keyed by pk and sk that expires by ttl', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    });

    it('keeps Powertools idempotency records in a table keyed by id that expires by expiration', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    });
  });

  describe('encryption and transport', () => {
    it('encrypts every queue and the topic with one customer managed key that rotates', () => {
      const key = logicalId(template, 'AWS::KMS::Key', 'Key');
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      const queues = template.findResources('AWS::SQS::Queue');
      for (const queue of Object.values(queues)) {
        expect(queue['Properties']['KmsMasterKeyId']).toEqual(getAtt(key));
      }
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: getAtt(key) });
    });

    it('lets EventBridge and CloudWatch use the key through its key policy, and nothing broader', () => {
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'events.amazonaws.com' },
              Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            }),
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
              Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
            }),
          ]),
        },
      });
      const keyPolicy = JSON.stringify(template.findResources('AWS::KMS::Key'));
      expect(keyPolicy).not.toContain('kms:ReEncrypt');
    });

    it('denies requests without TLS on every queue, the topic and the bucket', () => {
      const tlsOnly = Match.objectLike({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      const queuePolicies = template.findResources('AWS::SQS::QueuePolicy');
      expect(Object.keys(queuePolicies)).toHaveLength(4);
      for (const id of Object.keys(queuePolicies)) {
        template.hasResource('AWS::SQS::QueuePolicy', {
          Properties: { PolicyDocument: { Statement: Match.arrayWith([tlsOnly]) } },
        });
        expect(id).toBeTruthy();
      }
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([tlsOnly]) },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            tlsOnly,
            Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    });
  });

  describe('the archive bucket', () => {
    it('is encrypted, blocks public access, and expires objects after 395 days', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ ExpirationInDays: 395, Status: 'Enabled' })],
        },
      });
    });
  });

  describe('notifications', () => {
    it('subscribes the email addresses to the topic', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'security@example.com',
        TopicArn: { Ref: logicalId(template, 'AWS::SNS::Topic', 'Topic') },
      });
    });

    it('never puts a webhook URL or a secret in an environment variable', () => {
      const functions = template.findResources('AWS::Lambda::Function');
      const text = JSON.stringify(Object.values(functions).map((f) => f['Properties']['Environment']));
      expect(text).not.toMatch(/hooks\.slack\.com|webhook\.office\.com|secretsmanager/);
    });
  });

  describe('least privilege', () => {
    const key = () => JSON.stringify(getAtt(logicalId(template, 'AWS::KMS::Key', 'Key')));
    const table = (fragment: string) =>
      JSON.stringify(getAtt(logicalId(template, 'AWS::DynamoDB::Table', fragment)));
    const queue = (fragment: string) =>
      JSON.stringify(getAtt(logicalId(template, 'AWS::SQS::Queue', fragment)));
    const logs = (fragment: string) =>
      JSON.stringify(getAtt(logicalId(template, 'AWS::Logs::LogGroup', `${fragment}Logs`)));
    const topic = () => JSON.stringify({ Ref: logicalId(template, 'AWS::SNS::Topic', 'Topic') });
    const secrets = [JSON.stringify(SLACK_SECRET_ARN), JSON.stringify(`${TEAMS_SECRET_PARTIAL_ARN}-??????`)];
    const archiveObjects = () =>
      JSON.stringify({
        'Fn::Join': ['', [getAtt(logicalId(template, 'AWS::S3::Bucket', 'Archive')), '/*']],
      });

    it('index function: writes to the index table, its logs and its dead-letter queue', () => {
      const actions = actionsOf(roleStatements(template, fn('Indexer')));
      expect(Object.fromEntries(actions)).toEqual({
        'logs:CreateLogStream': [logs('Indexer')],
        'logs:PutLogEvents': [logs('Indexer')],
        'dynamodb:BatchWriteItem': [table('EventIndexTable')],
        'dynamodb:PutItem': [table('EventIndexTable')],
        'sqs:SendMessage': [queue('EventIndexFailedEvents')],
        'kms:GenerateDataKey': [key()],
        'kms:Decrypt': [key()],
      });
    });

    it('attribution function: exactly the calls it makes', () => {
      const actions = actionsOf(roleStatements(template, fn('Attributor')));
      const deliveryObjects = JSON.stringify({
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, `:s3:::config-delivery-bucket/*AWSLogs/${ACCOUNT}/Config/*`],
        ],
      });
      expect(Object.fromEntries(actions)).toEqual({
        'logs:CreateLogStream': [logs('Attributor')],
        'logs:PutLogEvents': [logs('Attributor')],
        'sqs:ReceiveMessage': [queue('ChangesQueue')],
        'sqs:DeleteMessage': [queue('ChangesQueue')],
        'sqs:GetQueueAttributes': [queue('ChangesQueue')],
        'sqs:ChangeMessageVisibility': [queue('ChangesQueue')],
        'kms:Decrypt': [key()],
        'kms:GenerateDataKey': [key()],
        'cloudtrail:LookupEvents': ['"*"'],
        'config:GetResourceConfigHistory': ['"*"'],
        's3:GetObject': [deliveryObjects],
        's3:PutObject': [archiveObjects()],
        'sns:Publish': [topic(), JSON.stringify(ALERTS_TOPIC_ARN)],
        'secretsmanager:GetSecretValue': secrets,
        'dynamodb:Query': [table('EventIndexTable')],
        'dynamodb:GetItem': [table('IdempotencyTable')],
        'dynamodb:PutItem': [table('IdempotencyTable')],
        'dynamodb:UpdateItem': [table('IdempotencyTable')],
        'dynamodb:DeleteItem': [table('IdempotencyTable')],
      });
    });

    it('alert function: idempotency records, publishing, the webhook secrets, its logs and dead-letter queue', () => {
      const actions = actionsOf(roleStatements(template, fn('Alerter')));
      expect(Object.fromEntries(actions)).toEqual({
        'logs:CreateLogStream': [logs('Alerter')],
        'logs:PutLogEvents': [logs('Alerter')],
        'sqs:SendMessage': [queue('AlertsFailedEvents')],
        'kms:GenerateDataKey': [key()],
        'kms:Decrypt': [key()],
        'sns:Publish': [topic(), JSON.stringify(ALERTS_TOPIC_ARN)],
        'secretsmanager:GetSecretValue': secrets,
        'dynamodb:GetItem': [table('IdempotencyTable')],
        'dynamodb:PutItem': [table('IdempotencyTable')],
        'dynamodb:UpdateItem': [table('IdempotencyTable')],
        'dynamodb:DeleteItem': [table('IdempotencyTable')],
      });
    });

    it('attaches no AWS managed policy to any role', () => {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role['Properties']['ManagedPolicyArns']).toBeUndefined();
      }
    });
  });

  describe('the handlers', () => {
    it('get the environment the handler contract names', () => {
      const environment = (fragment: string) =>
        Object.keys(
          (template.toJSON().Resources[fn(fragment)].Properties.Environment.Variables ?? {}) as Record<
            string,
            unknown
          >,
        ).sort();
      expect(environment('Indexer')).toEqual(
        [
          'INDEX_TABLE_NAME',
          'INDEX_TTL_HOURS',
          'POWERTOOLS_METRICS_NAMESPACE',
          'POWERTOOLS_SERVICE_NAME',
        ].sort(),
      );
      expect(environment('Attributor')).toEqual(
        [
          'ARCHIVE_BUCKET_NAME',
          'FALLBACK_AFTER_MINUTES',
          'IDEMPOTENCY_TABLE_NAME',
          'INDEX_TABLE_NAME',
          'LOOKUP_EVENTS_PER_SECOND',
          'POWERTOOLS_METRICS_NAMESPACE',
          'POWERTOOLS_SERVICE_NAME',
          'TOPIC_ARN',
        ].sort(),
      );
      expect(environment('Alerter')).toEqual(
        [
          'IDEMPOTENCY_TABLE_NAME',
          'POWERTOOLS_METRICS_NAMESPACE',
          'POWERTOOLS_SERVICE_NAME',
          'TOPIC_ARN',
        ].sort(),
      );
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            INDEX_TTL_HOURS: '24',
            INDEX_TABLE_NAME: { Ref: logicalId(template, 'AWS::DynamoDB::Table', 'EventIndexTable') },
          }),
        },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ FALLBACK_AFTER_MINUTES: '15', LOOKUP_EVENTS_PER_SECOND: '1' }),
        },
      });
    });

    it('run index.handler on Node.js 24, arm64, logging JSON to their own log group', () => {
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      for (const f of functions) {
        expect(f['Properties']).toMatchObject({
          Handler: 'index.handler',
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        });
      }
    });

    it('ship index.mjs under 1 MB with the validated configuration beside it', () => {
      const functions = template.findResources('AWS::Lambda::Function');
      expect(Object.keys(functions)).toHaveLength(3);
      for (const f of Object.values(functions)) {
        const assetPath = f['Metadata']['aws:asset:path'] as string;
        const dir = join(built.assemblyDir, assetPath);
        const bundle = join(dir, 'index.mjs');
        expect(existsSync(bundle)).toBe(true);
        expect(statSync(bundle).size).toBeLessThan(BUNDLE_SIZE_TARGET_BYTES);
        const written: unknown = JSON.parse(readFileSync(join(dir, CONFIG_FILE_NAME), 'utf8'));
        expect(written).toEqual(JSON.parse(JSON.stringify(config)));
        // The handlers validate the file again at cold start: it must be valid input.
        expect(parseConfig(written, CONFIG_FILE_NAME)).toEqual(config);
        const code = readFileSync(bundle, 'utf8');
        expect(code).toContain('createRequire');
        expect(code).not.toMatch(/from\s*["']@aws-lambda-powertools\//);
      }
    });
  });

  it('bundle each handler as an ES module that loads in Node.js and exports handler', async () => {
    // Loaded from inside the project so that the external @aws-sdk/* packages resolve as the runtime's would.
    const smoke = join(findProjectRoot(), 'cdk.out', '.bundle-smoke');
    for (const [id, f] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      const dir = join(smoke, id);
      mkdirSync(dir, { recursive: true });
      for (const file of ['index.mjs', CONFIG_FILE_NAME]) {
        copyFileSync(
          join(built.assemblyDir, f['Metadata']['aws:asset:path'] as string, file),
          join(dir, file),
        );
      }
      const loaded = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as { handler?: unknown };
      expect(typeof loaded.handler).toBe('function');
    }
  });

  describe('critical-action alerts', () => {
    it('deploys each enabled rule with its own pattern, unchanged, targeting the alert function', () => {
      const rules = enabledRulesOf(config);
      const alerts = built.construct.alerts;
      expect(alerts).toBeDefined();
      const prefix = alerts?.ruleNamePrefix ?? '';
      const deployed = template.findResources('AWS::Events::Rule', {
        Properties: { Name: Match.stringLikeRegexp(`^${prefix}`) },
      });
      expect(Object.keys(deployed)).toHaveLength(rules.length);
      for (const rule of rules) {
        template.hasResourceProperties('AWS::Events::Rule', {
          Name: alertRuleName(prefix, rule.id),
          EventPattern: Match.exact(JSON.parse(JSON.stringify(rule.pattern))),
          State: 'ENABLED',
          Targets: [
            Match.objectLike({
              Arn: getAtt(fn('Alerter')),
              DeadLetterConfig: { Arn: getAtt(logicalId(template, 'AWS::SQS::Queue', 'AlertsFailedEvents')) },
            }),
          ],
        });
      }
    });

    it('allows the alert rules, and only them, to invoke the function, with one statement', () => {
      const prefix = built.construct.alerts?.ruleNamePrefix ?? '';
      const ruleArns = {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:rule/${prefix}*`]],
      };
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(fn('Alerter')),
        Principal: 'events.amazonaws.com',
        SourceArn: ruleArns,
        SourceAccount: ACCOUNT,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'AlertRulesDeadLetters',
              Action: 'sqs:SendMessage',
              Condition: { ArnLike: { 'aws:SourceArn': ruleArns } },
            }),
          ]),
        },
      });
    });

    it('names rules within EventBridge limits', () => {
      const name = alertRuleName('cb-12345678-', `custom.${'x'.repeat(80)}`);
      expect(name.length).toBeLessThanOrEqual(64);
      expect(name).toMatch(/^[.\-_A-Za-z0-9]+$/);
      expect(alertRuleName('cb-12345678-', 'iam.create-user')).toBe('cb-12345678-iam.create-user');
    });
  });
});

describe('CloudBlame with defaults', () => {
  let template: Template;

  beforeAll(() => {
    requireHandlers();
    template = build({ enableAlerts: false }).template;
  }, SYNTH_TIMEOUT);

  it('attributes every resource type when the configuration includes "*"', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.config'],
        'detail-type': ['Config Configuration Item Change'],
        detail: {
          messageType: [
            'ConfigurationItemChangeNotification',
            'OversizedConfigurationItemChangeNotification',
          ],
        },
      },
    });
  });

  it('deploys no alert rules and no alert function when alerts are off', () => {
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::SQS::Queue', 3);
  });

  it('grants no secret and no Config delivery bucket when none is configured', () => {
    const text = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(text).not.toContain('secretsmanager:');
    expect(text).not.toContain('s3:GetObject');
  });
});

describe('CloudBlame props validation', () => {
  const attempt = (props: ConstructorParameters<typeof CloudBlame>[2]) => () => {
    const stack = new Stack(new App(), 'Invalid', { env: { account: ACCOUNT, region: REGION } });
    new CloudBlame(stack, 'CloudBlame', props);
  };

  it('rejects a LookupEvents rate outside 0.1..2', () => {
    expect(attempt({ lookupEventsPerSecond: 5 })).toThrow(
      'lookupEventsPerSecond must be between 0.1 and 2, but 5 was provided',
    );
    expect(attempt({ lookupEventsPerSecond: 0.05 })).toThrow('but 0.05 was provided');
  });

  it('rejects durations that are not whole units or out of range', () => {
    expect(attempt({ fallbackAfter: Duration.seconds(90) })).toThrow(
      'fallbackAfter must be a whole number of minutes, but 1 minute 30 seconds was provided',
    );
    expect(attempt({ fallbackAfter: Duration.hours(3) })).toThrow(
      'fallbackAfter must be between 1 and 120 minutes, but 180 was provided',
    );
    expect(attempt({ indexTtl: Duration.minutes(90) })).toThrow('indexTtl must be a whole number of hours');
    expect(attempt({ indexTtl: Duration.hours(1), fallbackAfter: Duration.minutes(60) })).toThrow(
      'indexTtl must be at least fallbackAfter plus correlation.windowMinutes (60 + 15 minutes), but 1 hour was provided',
    );
  });

  it('rejects an empty resource type list and "**" globs', () => {
    expect(attempt({ resourceTypes: [] })).toThrow('resourceTypes must list at least one resource type');
    expect(attempt({ resourceTypes: ['AWS::**'] })).toThrow('resourceTypes[0] must not contain "**"');
  });

  it('rejects a webhook URL read from an environment variable, and file channels', () => {
    const withChannel = (channel: object) =>
      parseConfig({ version: 1, notifications: { channels: [channel] } }, 'test');
    expect(
      attempt({ config: withChannel({ name: 'slack', type: 'slack', url: { env: 'SLACK_WEBHOOK_URL' } }) }),
    ).toThrow(
      'notifications.channels[0] ("slack") must read its URL from Secrets Manager when deployed, but url: { env: SLACK_WEBHOOK_URL } was provided',
    );
    expect(attempt({ config: withChannel({ name: 'audit', type: 'file', path: 'audit.jsonl' }) })).toThrow(
      'must not be of type "file" when deployed',
    );
  });

  it('rejects a bad email address and both config and configFile', () => {
    expect(attempt({ emailSubscriptions: ['not-an-address'] })).toThrow(
      'emailSubscriptions[0] must be an email address such as security@example.com, but "not-an-address" was provided',
    );
    expect(attempt({ config: richConfig(), configFile: 'examples/cloudblame.yaml' })).toThrow(
      'config and configFile must not both be given',
    );
  });

  it('reports a configuration file error with the file name', () => {
    expect(attempt({ configFile: 'examples/does-not-exist.yaml' })).toThrow(
      'examples/does-not-exist.yaml: cannot read the configuration file (ENOENT)',
    );
  });
});

describe('CloudBlameGlobalForwarder', () => {
  it('forwards IAM, STS, sign-in and Organizations events from us-east-1 to the CloudBlame region', () => {
    const app = new App();
    const stack = new Stack(app, 'Forwarder', { env: { account: ACCOUNT, region: 'us-east-1' } });
    new CloudBlameGlobalForwarder(stack, 'Forwarder', { targetRegion: REGION });
    const template = Template.fromStack(stack);
    const bus = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:event-bus/default`]],
    };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.iam', 'aws.sts', 'aws.signin', 'aws.organizations'],
        'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
      },
      Targets: [Match.objectLike({ Arn: bus, RoleArn: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: bus }] },
    });
  });

  it('refuses another region than us-east-1, and a us-east-1 target', () => {
    const inRegion = (region: string) => new Stack(new App(), 'S', { env: { account: ACCOUNT, region } });
    expect(
      () => new CloudBlameGlobalForwarder(inRegion('eu-west-1'), 'F', { targetRegion: 'eu-central-1' }),
    ).toThrow(
      'CloudBlameGlobalForwarder must be deployed in us-east-1, where global services deliver their events, but its stack is in eu-west-1',
    );
    expect(
      () => new CloudBlameGlobalForwarder(inRegion('us-east-1'), 'F', { targetRegion: 'us-east-1' }),
    ).toThrow('targetRegion must be another region than us-east-1');
  });
});
