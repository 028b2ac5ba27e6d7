import { describe, expect, it } from 'vitest';
import { decide, previousTags, severityOf } from '../../src/core/policy.js';
import {
  aChange,
  alice,
  attributedTo,
  autoScaling,
  configWith,
  root,
  terraformAgent,
  terraformPipeline,
  unattributed,
} from '../helpers/policy-builders.js';

const iacTags = { 'managed-by': 'terraform', Name: 'web-sg' };

describe('decide', () => {
  it('suppresses an excluded resource type and names the pattern', () => {
    const verdict = decide({
      change: aChange({ tags: iacTags }),
      attribution: attributedTo(alice),
      config: configWith({ resourceTypes: { exclude: ['AWS::EC2::Security*'] } }),
    });
    expect(verdict.action).toBe('suppress');
    expect(verdict.reasons).toEqual([
      'resource type AWS::EC2::SecurityGroup is excluded by resourceTypes.exclude pattern "AWS::EC2::Security*"',
    ]);
  });

  it('suppresses a resource type that no include pattern matches', () => {
    const verdict = decide({
      change: aChange(),
      attribution: attributedTo(alice),
      config: configWith({ resourceTypes: { include: ['AWS::S3::*', 'AWS::IAM::*'] } }),
    });
    expect(verdict.action).toBe('suppress');
    expect(verdict.reasons[0]).toBe(
      'resource type AWS::EC2::SecurityGroup matches no resourceTypes.include pattern ("AWS::S3::*", "AWS::IAM::*")',
    );
  });

  it('lets exclude win over include', () => {
    const config = configWith({
      resourceTypes: { include: ['AWS::EC2::*'], exclude: ['AWS::EC2::SecurityGroup'] },
    });
    expect(decide({ change: aChange(), attribution: attributedTo(alice), config }).action).toBe('suppress');
  });

  it('notifies an unattributed change with the correlator reason', () => {
    const verdict = decide({ change: aChange(), attribution: unattributed(), config: configWith() });
    expect(verdict).toEqual({
      action: 'notify',
      outOfBand: false,
      iacManaged: false,
      reasons: [
        'no CloudTrail event found: no write event named sg-0a1b2c3d4e5f67890 in the 15 minute window',
      ],
    });
  });

  it('says an unattributed change is to an IaC-managed resource', () => {
    const verdict = decide({
      change: aChange({ tags: iacTags }),
      attribution: unattributed(),
      config: configWith(),
    });
    expect(verdict.outOfBand).toBe(false);
    expect(verdict.iacManaged).toBe(true);
    expect(verdict.reasons[1]).toBe('resource is IaC-managed (tag managed-by=terraform)');
  });

  it('suppresses a change made by an AWS service', () => {
    const verdict = decide({
      change: aChange({ tags: iacTags }),
      attribution: attributedTo(autoScaling),
      config: configWith(),
    });
    expect(verdict.action).toBe('suppress');
    expect(verdict.reasons).toEqual(['made by AWS service autoscaling.amazonaws.com']);
  });

  it('suppresses a principal acting through an AWS service channel', () => {
    const slr = {
      ...terraformPipeline,
      channel: 'aws-service' as const,
      invokedBy: 'autoscaling.amazonaws.com',
    };
    expect(
      decide({ change: aChange(), attribution: attributedTo(slr), config: configWith() }).reasons,
    ).toEqual(['made by AWS service autoscaling.amazonaws.com']);
  });

  it('reports AWS service changes when ignoreAwsServiceChanges is false', () => {
    const verdict = decide({
      change: aChange({ tags: iacTags }),
      attribution: attributedTo(autoScaling),
      config: configWith({ ignoreAwsServiceChanges: false }),
    });
    expect(verdict.action).toBe('notify');
    expect(verdict.outOfBand).toBe(true);
  });

  it('suppresses a trusted principal matched on the session ARN', () => {
    const config = configWith({
      trustedPrincipals: [{ arn: 'arn:aws:sts::*:assumed-role/terraform-*/*', reason: 'Terraform pipeline' }],
      trustedUserAgents: [],
    });
    const verdict = decide({
      change: aChange({ tags: iacTags }),
      attribution: attributedTo(terraformPipeline),
      config,
    });
    expect(verdict.action).toBe('suppress');
    expect(verdict.reasons).toEqual([
      'trusted principal arn:aws:sts::123456789012:assumed-role/terraform-deployer/run-8812 matched arn:aws:sts::*:assumed-role/terraform-*/* (Terraform pipeline)',
    ]);
  });

  it('suppresses a trusted principal matched on the role ARN', () => {
    const config = configWith({
      trustedPrincipals: ['arn:aws:iam::*:role/ci/terraform-deployer'],
      trustedUserAgents: [],
    });
    const verdict = decide({ change: aChange(), attribution: attributedTo(terraformPipeline), config });
    expect(verdict.reasons).toEqual([
      'trusted principal arn:aws:iam::123456789012:role/ci/terraform-deployer matched arn:aws:iam::*:role/ci/terraform-deployer',
    ]);
  });

  it('suppresses a trusted user agent, Terraform by default', () => {
    const verdict = decide({
      change: aChange({ tags: iacTags }),
      attribution: attributedTo(alice, { userAgent: terraformAgent }),
      config: configWith(),
    });
    expect(verdict.action).toBe('suppress');
    expect(verdict.reasons[0]).toBe(
      `trusted user agent "${terraformAgent}" matched "*Terraform/*" (Terraform)`,
    );
  });

  it('notifies an out-of-band change to an IaC-managed resource', () => {
    const verdict = decide({
      change: aChange({ tags: iacTags }),
      attribution: attributedTo(alice),
      config: configWith(),
    });
    expect(verdict).toEqual({
      action: 'notify',
      outOfBand: true,
      iacManaged: true,
      reasons: [
        'out-of-band: resource is managed by IaC (tag managed-by=terraform) but was changed by alice@example.com via AWSReservedSSO_Admin (console)',
      ],
    });
  });

  it('honours iac.tagValues: a tag value outside the list is not IaC', () => {
    const config = configWith({
      iac: { tagKeys: ['managed-by'], tagValues: { 'managed-by': ['terraform', 'cdk'] } },
    });
    const change = aChange({ tags: { 'managed-by': 'manual' } });
    const verdict = decide({ change, attribution: attributedTo(alice), config });
    expect(verdict.outOfBand).toBe(false);
    expect(verdict.iacManaged).toBe(false);
  });

  it('reads the IaC tag of a deleted resource from SupplementaryConfiguration.Tags', () => {
    const change = aChange({
      changeType: 'DELETE',
      changedProperties: [
        {
          path: 'SupplementaryConfiguration.Tags',
          changeType: 'DELETE',
          previousValue: [
            { key: 'managed-by', value: 'terraform' },
            { key: 'team', value: 'web' },
          ],
        },
      ],
    });
    const verdict = decide({ change, attribution: attributedTo(alice), config: configWith() });
    expect(verdict.outOfBand).toBe(true);
    expect(verdict.reasons[0]).toContain('(tag managed-by=terraform before this change)');
  });

  it('reads the IaC tag of a deleted resource from the previous Configuration', () => {
    const change = aChange({
      changeType: 'DELETE',
      changedProperties: [
        {
          path: 'Configuration',
          changeType: 'DELETE',
          previousValue: {
            groupId: 'sg-0a1b2c3d4e5f67890',
            tags: [{ key: 'managed-by', value: 'terraform' }],
          },
        },
      ],
    });
    expect(previousTags(change)).toEqual({ 'managed-by': 'terraform' });
  });

  it('treats removing the IaC tag as a change to an IaC-managed resource', () => {
    const change = aChange({
      tags: { Name: 'web-sg' },
      changedProperties: [
        {
          path: 'Configuration.Tags.1',
          changeType: 'DELETE',
          previousValue: { key: 'managed-by', value: 'terraform' },
        },
      ],
    });
    expect(decide({ change, attribution: attributedTo(alice), config: configWith() }).outOfBand).toBe(true);
  });

  it('notifies a change by an untrusted principal to an untagged resource', () => {
    const verdict = decide({ change: aChange(), attribution: attributedTo(alice), config: configWith() });
    expect(verdict).toEqual({
      action: 'notify',
      outOfBand: false,
      iacManaged: false,
      reasons: [
        'changed by alice@example.com via AWSReservedSSO_Admin (console) (not a trusted principal; resource not IaC-tagged)',
      ],
    });
  });

  it('says IaC status is unknown for an oversized item', () => {
    const change = aChange({ oversized: true, envelope: 'oversized-notification' });
    const verdict = decide({ change, attribution: attributedTo(alice), config: configWith() });
    expect(verdict.reasons).toEqual([
      'changed by alice@example.com via AWSReservedSSO_Admin (console) (not a trusted principal; IaC status unknown for an oversized item)',
    ]);
  });

  it('says IaC status is unknown for an unattributed oversized item', () => {
    const change = aChange({ oversized: true, envelope: 'oversized-notification' });
    const verdict = decide({ change, attribution: unattributed('no event'), config: configWith() });
    expect(verdict.reasons).toEqual([
      'no CloudTrail event found: no event',
      'IaC status unknown: the configuration item is oversized, so its tags were not delivered',
    ]);
  });
});

describe('severityOf', () => {
  const config = configWith();

  it('is high for an out-of-band change', () => {
    const attribution = attributedTo(alice);
    const verdict = decide({ change: aChange({ tags: iacTags }), attribution, config });
    expect(severityOf(verdict, attribution)).toBe('high');
  });

  it('is critical for a change by Root', () => {
    const attribution = attributedTo(root);
    expect(severityOf(decide({ change: aChange({ tags: iacTags }), attribution, config }), attribution)).toBe(
      'critical',
    );
    expect(severityOf(decide({ change: aChange(), attribution, config }), attribution)).toBe('critical');
  });

  it('is medium for an unattributed change', () => {
    const attribution = unattributed();
    expect(severityOf(decide({ change: aChange(), attribution, config }), attribution)).toBe('medium');
  });

  it('is low for another notified change', () => {
    const attribution = attributedTo(alice);
    expect(severityOf(decide({ change: aChange(), attribution, config }), attribution)).toBe('low');
  });

  it('is info for a suppressed change, even by Root', () => {
    const trustingRoot = configWith({ trustedPrincipals: ['arn:aws:iam::123456789012:root'] });
    const attribution = attributedTo(root);
    const verdict = decide({ change: aChange(), attribution, config: trustingRoot });
    expect(severityOf(verdict, attribution)).toBe('info');
  });
});
