import { describe, expect, it } from 'vitest';
import { sharingRules } from '../../../../src/core/rules/packs/sharing.js';
import { alertOf, checkPack } from '../helpers.js';

describe('sharing pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('sharing', sharingRules, [
      ['modify-snapshot-attribute-public', ['sharing.ebs-snapshot-shared']],
      ['modify-snapshot-attribute-remove', []],
      ['modify-image-attribute-account', ['sharing.ami-shared']],
      ['modify-image-attribute-organization', []],
      ['modify-db-snapshot-attribute-public', ['sharing.rds-snapshot-shared']],
      ['modify-db-cluster-snapshot-attribute-remove', []],
    ]);
  });

  it('says who receives the copy', () => {
    expect(
      alertOf('sharing', 'modify-snapshot-attribute-public', 'sharing.ebs-snapshot-shared').details,
    ).toEqual({
      snapshotId: 'snap-0a1b2c3d4e5f60001',
      public: true,
      accounts: [],
    });
    expect(alertOf('sharing', 'modify-image-attribute-account', 'sharing.ami-shared').details).toEqual({
      imageId: 'ami-0a1b2c3d4e5f60001',
      public: false,
      accounts: ['444455556666'],
    });
    expect(
      alertOf('sharing', 'modify-db-snapshot-attribute-public', 'sharing.rds-snapshot-shared').details,
    ).toEqual({
      dBSnapshotIdentifier: 'orders-2025-03-01',
      public: true,
      accounts: [],
    });
  });
});
