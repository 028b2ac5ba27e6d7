import { describe, expect, it } from 'vitest';
import { configServiceRules } from '../../../../src/core/rules/packs/config-service.js';
import { alertOf, checkPack } from '../helpers.js';

describe('AWS Config pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('config-service', configServiceRules, [
      ['stop-configuration-recorder', ['config.stop-recorder']],
      ['start-configuration-recorder', []],
      ['delete-configuration-recorder', ['config.delete-recorder']],
      ['delete-delivery-channel', ['config.delete-delivery-channel']],
      ['put-delivery-channel', []],
    ]);
  });

  it('names the recorder or channel', () => {
    expect(alertOf('config-service', 'stop-configuration-recorder', 'config.stop-recorder').details).toEqual({
      configurationRecorderName: 'default',
    });
  });
});
