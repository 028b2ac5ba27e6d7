import { describe, expect, it } from 'vitest';
import { s3Rules } from '../../../../src/core/rules/packs/s3.js';
import { alertOf, checkPack, fixture } from '../helpers.js';

describe('S3 pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('s3', s3Rules, [
      ['put-bucket-policy-public', ['s3.bucket-policy-public']],
      ['put-bucket-policy-org-only', []],
      ['put-bucket-policy-cloudtrail', []],
      ['put-bucket-acl-all-users', ['s3.bucket-acl-public']],
      ['put-bucket-acl-canned-public-read', ['s3.bucket-acl-public']],
      ['put-bucket-acl-private', []],
      ['delete-bucket-public-access-block', ['s3.bucket-public-access-block-removed']],
      ['put-bucket-public-access-block-partial', ['s3.bucket-public-access-block-removed']],
      ['put-bucket-public-access-block-all', []],
      ['put-account-public-access-block-acls-only', ['s3.account-public-access-block-removed']],
      ['delete-account-public-access-block', ['s3.account-public-access-block-removed']],
      ['put-account-public-access-block-all', []],
    ]);
  });

  it('account-level public access block events come from s3.amazonaws.com (the S3 Control endpoint)', () => {
    const event = fixture('s3', 'delete-account-public-access-block');
    expect(event.eventSource).toBe('s3.amazonaws.com');
    expect(event.requestParameters?.['Host']).toMatch(/s3-control/);
  });

  it('says what is public', () => {
    expect(alertOf('s3', 'put-bucket-policy-public', 's3.bucket-policy-public').details).toEqual({
      bucketName: 'reports-111122223333',
      publicActions: ['s3:GetObject'],
      publicStatements: ['PublicRead'],
    });
    expect(alertOf('s3', 'put-bucket-acl-all-users', 's3.bucket-acl-public').details).toEqual({
      bucketName: 'reports-111122223333',
      grantees: ['AllUsers'],
    });
    expect(alertOf('s3', 'put-bucket-acl-canned-public-read', 's3.bucket-acl-public').details).toMatchObject({
      cannedAcl: 'public-read',
    });
    expect(
      alertOf('s3', 'put-bucket-public-access-block-partial', 's3.bucket-public-access-block-removed')
        .details,
    ).toEqual({
      bucketName: 'reports-111122223333',
      disabled: ['BlockPublicPolicy', 'RestrictPublicBuckets'],
    });
    // Settings left out of a Put are off.
    expect(
      alertOf('s3', 'put-account-public-access-block-acls-only', 's3.account-public-access-block-removed')
        .details,
    ).toEqual({
      'x-amz-account-id': '111122223333',
      disabled: ['BlockPublicPolicy', 'RestrictPublicBuckets'],
    });
    expect(
      alertOf('s3', 'delete-account-public-access-block', 's3.account-public-access-block-removed').details,
    ).toMatchObject({ removed: true });
  });
});
