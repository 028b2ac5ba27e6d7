import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CloudBlame } from '../../infra/cloudblame.js';
import { buildApp } from '../../infra/stack.js';
import { ACCOUNT, REGION, requireHandlers, richConfig } from './helpers.js';

const SYNTH_TIMEOUT = 180_000;

interface Finding {
  readonly rule: string;
  readonly severity: string;
  readonly paths: readonly string[];
}

/** cdk-nag's AwsSolutions findings that no acknowledgement covers, errors and warnings alike. */
function findings(scope: IConstruct): Finding[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity ?? 'error',
    paths: violation.violatingResources.map((resource) => resource.constructPath ?? ''),
  }));
}

/** Every acknowledgement in the tree: [construct path, rule id, reason]. */
function acknowledgements(scope: IConstruct): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push([construct.node.path, id, reason]);
      }
    }
  }
  return out;
}

describe('cdk-nag AwsSolutions checks', () => {
  let app: App;
  let rich: App;

  beforeAll(() => {
    requireHandlers();
    // The deployable app as `npx cdk deploy -c config=examples/cloudblame.yaml` builds it in eu-west-1:
    // the CloudBlame stack and the us-east-1 forwarder stack, with the checks registered.
    app = buildApp({
      context: { config: 'examples/cloudblame.yaml', emails: 'security@example.com' },
      env: { CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: REGION },
    }).app;
    // Every optional grant: secrets, partial secret ARNs, SNS channels, the Config delivery bucket.
    rich = new App();
    const stack = new Stack(rich, 'Rich', { env: { account: ACCOUNT, region: REGION } });
    new CloudBlame(stack, 'CloudBlame', {
      config: richConfig(),
      configDeliveryBucket: s3.Bucket.fromBucketName(stack, 'Delivery', 'config-delivery-bucket'),
      archiveAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'AccessLogs', 'access-logs-bucket'),
    });
  }, SYNTH_TIMEOUT);

  it('has zero unacknowledged findings in the deployable app (errors and warnings)', () => {
    const all = findings(app);
    expect(all.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(all.filter((finding) => finding.severity !== 'error')).toEqual([]);
    expect(app.node.findAll().some((c) => c.node.id === 'CloudBlameStackGlobalForwarder')).toBe(true);
  });

  it('has zero unacknowledged findings with every optional grant', () => {
    expect(findings(rich)).toEqual([]);
  });

  it('synthesizes with the checks registered as a validation plugin', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('gives every acknowledgement a reason', () => {
    const all = [...acknowledgements(app), ...acknowledgements(rich)];
    expect(all.length).toBeGreaterThan(0);
    for (const [path, id, reason] of all) {
      expect({ path, id, reason: reason.length >= 40 }).toEqual({ path, id, reason: true });
    }
    const ids = new Set(all.map(([, id]) => id.replace(/^annotation::/i, '').replace(/\[.*$/, '')));
    expect([...ids].sort()).toEqual(
      ['AwsSolutions-DDB3', 'AwsSolutions-IAM5', 'AwsSolutions-S1', 'AwsSolutions-SQS3'].sort(),
    );
  });

  it('acknowledges IAM5 only for the documented wildcards', () => {
    const iam5 = [...acknowledgements(app), ...acknowledgements(rich)]
      .map(([, id]) => id.replace(/^annotation::/i, ''))
      .filter((id) => id.startsWith('AwsSolutions-IAM5'));
    for (const id of iam5) {
      expect(id).toMatch(
        /^AwsSolutions-IAM5\[Resource::(\*|<CloudBlameArchiveBucket[A-Z0-9]+\.Arn>\/\*|arn:<AWS::Partition>:s3:::config-delivery-bucket\/\*AWSLogs\/\d{12}\/Config\/\*)\]$/,
      );
    }
  });

  it('is live: a bare queue is reported, and stops synthesis when the checks are registered', () => {
    const bare = new App();
    const stack = new Stack(bare, 'Bare');
    new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(findings(stack).map((finding) => finding.rule)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
    Validations.of(bare).addPlugins(new AwsSolutionsChecks(bare));
    expect(() => bare.synth()).toThrow(/AwsSolutions-SQS2/);
  });
});
