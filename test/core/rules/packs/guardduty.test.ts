import { describe, expect, it } from 'vitest';
import { guarddutyRules } from '../../../../src/core/rules/packs/guardduty.js';
import { alertOf, checkPack } from '../helpers.js';

describe('GuardDuty pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('guardduty', guarddutyRules, [
      ['delete-detector', ['guardduty.delete-detector']],
      ['update-detector-disable', ['guardduty.disable-detector']],
      ['update-detector-frequency', []],
    ]);
  });

  it('names the detector', () => {
    expect(alertOf('guardduty', 'update-detector-disable', 'guardduty.disable-detector').details).toEqual({
      detectorId: '12abc34d567e8fa901bc2d34e56789f0',
    });
  });
});
