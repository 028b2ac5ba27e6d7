import { describe, expect, it } from 'vitest';
import { kmsRules } from '../../../../src/core/rules/packs/kms.js';
import { alertOf, checkPack } from '../helpers.js';

describe('KMS pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('kms', kmsRules, [
      ['schedule-key-deletion', ['kms.schedule-key-deletion']],
      ['cancel-key-deletion', []],
      ['disable-key', ['kms.disable-key']],
      ['enable-key', []],
    ]);
  });

  it('says when the key goes', () => {
    expect(alertOf('kms', 'schedule-key-deletion', 'kms.schedule-key-deletion').details).toEqual({
      keyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      pendingWindowInDays: 7,
      deletionDate: 'Mar 11, 2025, 12:00:00 AM',
    });
  });
});
